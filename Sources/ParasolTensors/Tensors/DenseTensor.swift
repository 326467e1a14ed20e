import NIOCore
import ParasolWire

/// A named float32 tensor stored contiguously, with its optimizer and a version that grows by
/// one with every applied push.
///
/// Pushes and pulls address elements `[offset, offset + count)` of the flattened (row-major)
/// tensor, so a tensor too big for one frame moves in chunks.
final class DenseTensor {
    let definition: TensorDefinition
    private(set) var version: UInt64
    private(set) var weights: [Float]
    let optimizer: any TensorOptimizer

    /// A new tensor of `elementCount` elements at its initial values, version 0.
    init(definition: TensorDefinition, elementCount: Int) {
        self.definition = definition
        self.version = 0
        self.weights = [Float](unsafeUninitializedCapacity: elementCount) { buffer, initializedCount in
            definition.initializer.fill(buffer, rowID: 0)
            initializedCount = elementCount
        }
        self.optimizer = definition.optimizer.makeOptimizer(rowCount: 1, rowElements: elementCount)
    }

    /// A tensor exactly as a snapshot recorded it.
    init(restoring definition: TensorDefinition, version: UInt64, weights: [Float], optimizer: any TensorOptimizer) {
        self.definition = definition
        self.version = version
        self.weights = weights
        self.optimizer = optimizer
    }

    var elementCount: Int { weights.count }

    // MARK: Push

    /// The elements a push of `gradientBytes` bytes at element `offset` updates, or the reason it cannot.
    func pushRange(offset: UInt64, gradientBytes: Int) throws(ErrorReply) -> Range<Int> {
        let name = definition.name
        guard gradientBytes % 4 == 0 else {
            throw ShardFailure.shapeMismatch(
                "gradient for tensor '\(name)' is \(gradientBytes) bytes, not a whole number of float32 values")
        }
        guard gradientBytes > 0 else {
            throw ShardFailure.shapeMismatch("gradient for tensor '\(name)' is empty")
        }
        return try range(offset: offset, count: UInt64(gradientBytes / 4), verb: "push")
    }

    /// Applies a gradient to `elements` (checked by `pushRange`) and returns the new version.
    func applyPush(gradient: ByteBuffer, elements: Range<Int>) -> UInt64 {
        precondition(gradient.readableBytes == elements.count * 4 && elements.upperBound <= weights.count,
                     "push of \(gradient.readableBytes) bytes to elements \(elements) of '\(definition.name)' was not checked")
        gradient.withUnsafeReadableBytes { gradientBytes in
            weights.withUnsafeMutableBufferPointer { weightBuffer in
                optimizer.apply(
                    gradient: gradientBytes.baseAddress!, to: weightBuffer.baseAddress!, elements: elements, row: 0,
                    startsRow: elements.lowerBound == 0)
            }
        }
        version += 1
        return version
    }

    // MARK: Pull

    /// The elements a pull of `count` elements at `offset` reads (`count == 0`: to the end).
    func pullRange(offset: UInt64, count: UInt64) throws(ErrorReply) -> Range<Int> {
        if count == 0 {
            guard offset <= UInt64(elementCount) else {
                throw ShardFailure.shapeMismatch(
                    "pull from element \(offset) of tensor '\(definition.name)' is past its \(elementCount) elements")
            }
            return Int(offset)..<elementCount
        }
        let elements = try range(offset: offset, count: count, verb: "pull")
        guard elements.count <= ShardLimits.pullBytesMax / 4 else {
            throw ShardFailure.tooLarge(
                "pull of \(elements.count) elements of tensor '\(definition.name)' exceeds \(ShardLimits.pullBytesMax) bytes; pull in smaller ranges")
        }
        return elements
    }

    /// Copies `elements` (checked by `pullRange`) into a new buffer, little-endian float32.
    func read(_ elements: Range<Int>, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: elements.count * 4)
        weights.withUnsafeBytes { bytes in
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[(elements.lowerBound * 4)..<(elements.upperBound * 4)]))
        }
        return buffer
    }

    private func range(offset: UInt64, count: UInt64, verb: String) throws(ErrorReply) -> Range<Int> {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard !overflow, end <= UInt64(elementCount) else {
            throw ShardFailure.shapeMismatch(
                "\(verb) of elements [\(offset), \(overflow ? "overflow" : String(end))) is outside tensor '\(definition.name)' of \(elementCount) elements")
        }
        return Int(offset)..<Int(end)
    }
}
