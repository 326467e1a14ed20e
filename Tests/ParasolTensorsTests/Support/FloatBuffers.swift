import NIOCore

/// Builds and reads little-endian float32 `ByteBuffer`s the way the wire delivers them.
enum FloatBuffers {
    /// A buffer holding `values` whose readable bytes start `misalignment` bytes past an aligned
    /// address, like a gradient sliced out of a received frame.
    static func make(_ values: [Float], misalignment: Int = 0) -> ByteBuffer {
        var whole = ByteBufferAllocator().buffer(capacity: misalignment + values.count * 4)
        whole.writeRepeatingByte(0xEE, count: misalignment)
        for value in values {
            whole.writeInteger(value.bitPattern, endianness: .little)
        }
        return whole.getSlice(at: misalignment, length: values.count * 4)!
    }

    static func floats(_ buffer: ByteBuffer) -> [Float] {
        var copy = buffer
        var values: [Float] = []
        while let bits = copy.readInteger(endianness: .little, as: UInt32.self) {
            values.append(Float(bitPattern: bits))
        }
        return values
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }
}

/// Relative comparison with an absolute floor near zero.
func isClose(_ a: Float, _ b: Float, relative: Float = 1e-5, absolute: Float = 1e-6) -> Bool {
    abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
}

/// The first index where two arrays differ beyond tolerance, or nil.
func firstMismatch(_ a: [Float], _ b: [Float], relative: Float = 1e-5) -> Int? {
    guard a.count == b.count else { return min(a.count, b.count) }
    return a.indices.first { !isClose(a[$0], b[$0], relative: relative) }
}
