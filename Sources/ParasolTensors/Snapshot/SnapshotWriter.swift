import NIOCore

/// Appends snapshot fields to a `ByteBuffer`: little-endian integers, floats as their bit
/// patterns, and float arrays byte-shuffled (or plain) in one pass.
struct SnapshotWriter {
    var buffer: ByteBuffer
    let shufflesFloats: Bool

    mutating func write<Integer: FixedWidthInteger>(_ value: Integer) {
        buffer.writeInteger(value, endianness: .little)
    }

    mutating func write(_ value: Float) {
        buffer.writeInteger(value.bitPattern, endianness: .little)
    }

    mutating func write(_ value: Bool) {
        buffer.writeInteger(UInt8(value ? 1 : 0))
    }

    mutating func writeBytes(_ bytes: some Collection<UInt8>) {
        buffer.writeBytes(bytes)
    }

    mutating func write(_ values: [UInt64]) {
        buffer.reserveCapacity(minimumWritableBytes: values.count * 8)
        for value in values {
            buffer.writeInteger(value, endianness: .little)
        }
    }

    /// Writes `array` as one float array. With `rowOrder`, the array is read as rows of
    /// `rowElements` floats and written in that order of row indices (sparse rows sorted by id).
    mutating func write(_ array: [Float], rowOrder: [Int]? = nil, rowElements: Int = 0) {
        let byteCount = array.count * 4
        let shuffles = shufflesFloats
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: byteCount) { target in
            guard byteCount > 0 else { return 0 }
            array.withUnsafeBytes { source in
                func copy(floatsAt sourceFloat: Int, count: Int, toPosition position: Int) {
                    let from = source.baseAddress! + sourceFloat * 4
                    if shuffles {
                        ByteShuffle.shuffle(from, count: count, into: target.baseAddress!, planeBytes: array.count, position: position)
                    } else {
                        (target.baseAddress! + position * 4).copyMemory(from: from, byteCount: count * 4)
                    }
                }
                if let rowOrder {
                    for (rank, row) in rowOrder.enumerated() {
                        copy(floatsAt: row * rowElements, count: rowElements, toPosition: rank * rowElements)
                    }
                } else {
                    copy(floatsAt: 0, count: array.count, toPosition: 0)
                }
            }
            return byteCount
        }
    }
}
