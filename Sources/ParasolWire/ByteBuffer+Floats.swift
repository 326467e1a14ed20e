import NIOCore

// Float blocks travel as the host's own float32 bytes, so they are copied with memcpy and never
// converted element by element. That is only correct on a little-endian host.
#if _endian(big)
#error("Parasol copies little-endian float32 payloads with memcpy and needs a little-endian host")
#endif

/// Moving `Float` values in and out of float blocks (little-endian float32, the `gradient`,
/// `values` and `rows` fields of `Message`) with one copy instead of a loop over elements.
extension ByteBuffer {
    /// A buffer holding `values` as little-endian float32.
    public init(floats values: some Collection<Float>) {
        self = ByteBufferAllocator().buffer(capacity: values.count * MemoryLayout<Float>.size)
        writeFloats(values)
    }

    /// Appends `values` as little-endian float32: one memcpy for arrays, array slices and buffer
    /// pointers; collections without contiguous storage are written element by element.
    /// Returns the number of bytes written.
    @discardableResult
    public mutating func writeFloats(_ values: some Collection<Float>) -> Int {
        if let written = values.withContiguousStorageIfAvailable({ writeBytes(UnsafeRawBufferPointer($0)) }) {
            return written
        }
        reserveCapacity(minimumWritableBytes: values.count * MemoryLayout<Float>.size)
        for value in values {
            writeInteger(value.bitPattern, endianness: .little)
        }
        return values.count * MemoryLayout<Float>.size
    }

    /// The number of whole float32 values in the readable bytes.
    public var readableFloatCount: Int {
        readableBytes / MemoryLayout<Float>.size
    }

    /// Reads `count` floats (one memcpy) and moves the reader index past them; nil, moving
    /// nothing, when fewer are readable.
    public mutating func readFloats(count: Int) -> [Float]? {
        precondition(count >= 0, "cannot read \(count) floats")
        let byteCount = count * MemoryLayout<Float>.size
        guard byteCount <= readableBytes else { return nil }
        let values = [Float](unsafeUninitializedCapacity: count) { target, initializedCount in
            withUnsafeReadableBytes { source in
                UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[..<byteCount]))
            }
            initializedCount = count
        }
        moveReaderIndex(forwardBy: byteCount)
        return values
    }

    /// All readable bytes as floats (one memcpy); the reader index does not move. The readable
    /// bytes must be a whole number of floats.
    public func readableFloats() -> [Float] {
        let count = readableFloatCount
        return [Float](unsafeUninitializedCapacity: count) { target, initializedCount in
            copyReadableFloats(into: target)
            initializedCount = count
        }
    }

    /// Copies the readable floats into `destination`, which must hold exactly as many floats as
    /// are readable (one memcpy; the reader index does not move).
    public func copyReadableFloats(into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(
            readableBytes == destination.count * MemoryLayout<Float>.size,
            "\(readableBytes) readable bytes do not fill \(destination.count) floats")
        withUnsafeReadableBytes { source in
            UnsafeMutableRawBufferPointer(destination).copyMemory(from: source)
        }
    }

    /// Calls `body` with the readable bytes viewed as floats, in place when they are 4-byte
    /// aligned in memory (the common case for a received frame) and through a temporary copy
    /// when they are not. The readable bytes must be a whole number of floats.
    public func withUnsafeReadableFloats<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        precondition(
            readableBytes % MemoryLayout<Float>.size == 0,
            "\(readableBytes) readable bytes are not a whole number of floats")
        return try withUnsafeReadableBytes { raw in
            let address = UInt(bitPattern: raw.baseAddress)
            if address % UInt(MemoryLayout<Float>.alignment) == 0 {
                return try raw.withMemoryRebound(to: Float.self) { try body($0) }
            }
            return try withUnsafeTemporaryAllocation(of: Float.self, capacity: raw.count / MemoryLayout<Float>.size) { aligned in
                UnsafeMutableRawBufferPointer(aligned).copyMemory(from: raw)
                return try body(UnsafeBufferPointer(aligned))
            }
        }
    }
}
