/// Images with one class label each, as unsigned bytes.
///
/// Pixels stay bytes (a quarter of the memory of floats: 47 MB rather than 188 MB for the
/// Fashion-MNIST training set) and become floats in [0, 1] only when a minibatch is gathered,
/// a copy that shuffled minibatches need anyway.
public struct LabeledImages: Sendable {
    public let count: Int
    public let rows: Int
    public let columns: Int
    public var pixelsPerImage: Int { rows * columns }
    /// `count × pixelsPerImage` bytes, image after image, row-major.
    let pixels: [UInt8]
    /// `count` labels, each below the dataset's class count.
    public let labels: [UInt8]

    init(rows: Int, columns: Int, pixels: [UInt8], labels: [UInt8]) {
        precondition(pixels.count == labels.count * rows * columns, "pixel bytes must match labels × rows × columns")
        count = labels.count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    /// Worker `rank`'s share when `workers` workers split the set: a contiguous block, so the
    /// shares are disjoint, cover every example, and differ in size by at most one.
    public func share(rank: Int, workers: Int) -> LabeledImages {
        precondition(workers >= 1 && (0..<workers).contains(rank), "rank \(rank) is not in 0..<\(workers)")
        let range = (count * rank / workers)..<(count * (rank + 1) / workers)
        return LabeledImages(
            rows: rows, columns: columns,
            pixels: Array(pixels[(range.lowerBound * pixelsPerImage)..<(range.upperBound * pixelsPerImage)]),
            labels: Array(labels[range])
        )
    }

    /// The first `maximumCount` examples (all of them when there are fewer).
    public func prefix(_ maximumCount: Int) -> LabeledImages {
        let kept = min(max(maximumCount, 0), count)
        guard kept < count else { return self }
        return LabeledImages(
            rows: rows, columns: columns, pixels: Array(pixels.prefix(kept * pixelsPerImage)), labels: Array(labels.prefix(kept))
        )
    }

    /// Writes the images at `indices` as floats, image after image, and their labels.
    func gather(
        _ indices: some Collection<Int>, pixels destination: UnsafeMutablePointer<Float>,
        labels labelDestination: UnsafeMutablePointer<Int32>, normalization: PixelNormalization = .unitInterval
    ) {
        let width = pixelsPerImage
        let scale = normalization.scale
        let offset = normalization.offset
        pixels.withUnsafeBufferPointer { source in
            var row = 0
            for index in indices {
                labelDestination[row] = Int32(labels[index])
                let image = source.baseAddress! + index * width
                let target = destination + row * width
                for pixel in 0..<width {
                    target[pixel] = Float(image[pixel]) * scale + offset
                }
                row += 1
            }
        }
    }
}
