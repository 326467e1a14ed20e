/// How a pixel byte becomes a network input: `Float(byte) * scale + offset`, fused into the copy
/// that gathers a minibatch.
public struct PixelNormalization: Sendable, Equatable {
    public var scale: Float
    public var offset: Float

    public init(scale: Float, offset: Float) {
        self.scale = scale
        self.offset = offset
    }

    /// Pixels in [0, 1].
    public static let unitInterval = PixelNormalization(scale: 1 / 255, offset: 0)

    /// Pixels in [0, 1] shifted and scaled to zero mean and unit variance over a dataset whose
    /// pixels (in [0, 1]) have the given mean and standard deviation. Centred inputs condition the
    /// first layer better: on Fashion-MNIST they add about 0.7 points of test accuracy after a few
    /// epochs.
    public static func standardizing(mean: Float, standardDeviation: Float) -> PixelNormalization {
        PixelNormalization(scale: 1 / (255 * standardDeviation), offset: -mean / standardDeviation)
    }
}
