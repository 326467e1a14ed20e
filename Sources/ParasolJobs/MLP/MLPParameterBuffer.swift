/// All of an MLP's parameters (or their gradients) in one allocation, tensor after tensor in
/// `MLPShape` tensor order.
///
/// One allocation reused for a whole run avoids reallocating ~1 MB every step, and raw pointers
/// let the GEMM read weights without nesting six `withUnsafeBufferPointer` closures. Not
/// thread-safe: a job owns its buffers.
final class MLPParameterBuffer {
    let shape: MLPShape
    let storage: UnsafeMutablePointer<Float>
    private let offsets: [Int]
    private let sizes: [Int]

    init(shape: MLPShape) {
        self.shape = shape
        sizes = shape.tensorSizes
        offsets = sizes.reduce(into: [0]) { $0.append($0.last! + $1) }.dropLast()
        storage = .allocate(capacity: shape.parameterCount)
        storage.initialize(repeating: 0, count: shape.parameterCount)
    }

    deinit {
        storage.deallocate()
    }

    var tensorCount: Int { sizes.count }

    /// Layer `layer`'s (0-based) weights, `width[layer] × width[layer + 1]` row-major.
    func weights(layer: Int) -> UnsafeMutablePointer<Float> {
        storage + offsets[2 * layer]
    }

    /// Layer `layer`'s (0-based) biases, `width[layer + 1]` floats.
    func biases(layer: Int) -> UnsafeMutablePointer<Float> {
        storage + offsets[2 * layer + 1]
    }

    func tensor(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: storage + offsets[index], count: sizes[index])
    }

    func floatCount(ofTensor index: Int) -> Int {
        sizes[index]
    }

    /// Overwrites tensor `index` with `values`, which must hold exactly its size.
    func load(tensor index: Int, from values: [Float]) {
        precondition(values.count == sizes[index], "tensor \(index) holds \(sizes[index]) floats, got \(values.count)")
        _ = tensor(index).update(fromContentsOf: values)
    }
}
