/// The widths of a fully connected ReLU network, input first, classes last, and how its
/// parameters are named and laid out in the parameter store.
///
/// Layer `l` (1-based) has a weight matrix `mlp/w<l>` of `width[l-1] × width[l]` floats, row-major
/// (one row per input), and a bias `mlp/b<l>` of `width[l]` floats. Tensor order everywhere is
/// w1, b1, w2, b2, …
public struct MLPShape: Sendable, Equatable, Codable {
    public let layerWidths: [Int]

    public init(layerWidths: [Int]) {
        precondition(layerWidths.count >= 2, "an MLP needs an input width and a class count")
        precondition(layerWidths.allSatisfy { $0 >= 1 }, "layer widths must be positive: \(layerWidths)")
        precondition(layerWidths.last! >= 2, "a classifier needs at least two classes")
        self.layerWidths = layerWidths
    }

    /// 784-256-128-10: Fashion-MNIST's 28×28 pixels to its 10 classes.
    public static let fashionMNIST = MLPShape(layerWidths: [784, 256, 128, 10])

    /// Number of weight layers.
    public var layerCount: Int { layerWidths.count - 1 }
    public var inputWidth: Int { layerWidths[0] }
    public var classCount: Int { layerWidths[layerCount] }

    /// Store names of every tensor, in tensor order.
    public func tensorNames(prefix: String = "mlp") -> [String] {
        (1...layerCount).flatMap { ["\(prefix)/w\($0)", "\(prefix)/b\($0)"] }
    }

    /// Floats in each tensor, in tensor order.
    var tensorSizes: [Int] {
        (0..<layerCount).flatMap { [layerWidths[$0] * layerWidths[$0 + 1], layerWidths[$0 + 1]] }
    }

    /// Store shapes of each tensor, in tensor order.
    var tensorShapes: [[UInt64]] {
        (0..<layerCount).flatMap { [[UInt64(layerWidths[$0]), UInt64(layerWidths[$0 + 1])], [UInt64(layerWidths[$0 + 1])]] }
    }

    public var parameterCount: Int { tensorSizes.reduce(0, +) }
}
