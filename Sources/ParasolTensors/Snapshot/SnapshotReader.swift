import NIOCore

/// Reads snapshot fields from a `ByteBuffer`, checking every length against the bytes that
/// remain before allocating anything, and naming the field in every error.
struct SnapshotReader {
    private(set) var buffer: ByteBuffer
    let floatsAreShuffled: Bool
    /// Floats per shuffle block; nil when each array is shuffled as a whole (older snapshots).
    let shuffleBlockFloats: Int?
    /// Each block's byte-3 plane is stored as its bit planes (format version 4, flag bit 2).
    let signExponentBitPlanes: Bool

    init(
        buffer: ByteBuffer, floatsAreShuffled: Bool = true, shuffleBlockFloats: Int? = SnapshotFormat.shuffleBlockFloats,
        signExponentBitPlanes: Bool = true
    ) {
        self.buffer = buffer
        self.floatsAreShuffled = floatsAreShuffled
        self.shuffleBlockFloats = shuffleBlockFloats
        self.signExponentBitPlanes = signExponentBitPlanes && shuffleBlockFloats != nil
    }

    var remainingBytes: Int { buffer.readableBytes }

    mutating func read<Integer: FixedWidthInteger>(
        _ type: Integer.Type, _ field: @autoclosure () -> String
    ) throws(SnapshotDecodeError) -> Integer {
        guard let value = buffer.readInteger(endianness: .little, as: Integer.self) else {
            throw .truncated(field: field(), neededBytes: MemoryLayout<Integer>.size, remainingBytes: remainingBytes)
        }
        return value
    }

    mutating func readFloat(_ field: @autoclosure () -> String) throws(SnapshotDecodeError) -> Float {
        Float(bitPattern: try read(UInt32.self, field()))
    }

    mutating func readBool(_ field: @autoclosure () -> String) throws(SnapshotDecodeError) -> Bool {
        switch try read(UInt8.self, field()) {
        case 0: return false
        case 1: return true
        case let other: throw .invalidValue(field: field(), reason: "\(other) is neither 0 nor 1")
        }
    }

    mutating func readBytes(count: Int, _ field: @autoclosure () -> String) throws(SnapshotDecodeError) -> [UInt8] {
        try requireBytes(count, field())
        return buffer.readBytes(length: count)!
    }

    /// Reads a count and checks it against `limit` before anything is sized by it.
    mutating func readCount<Integer: FixedWidthInteger & UnsignedInteger>(
        _ type: Integer.Type, limit: Int, _ field: @autoclosure () -> String
    ) throws(SnapshotDecodeError) -> Int {
        let count = try read(type, field())
        guard UInt64(count) <= UInt64(limit) else {
            throw .overLimit(field: field(), count: UInt64(count), limit: UInt64(limit))
        }
        return Int(count)
    }

    mutating func readUInt64s(count: Int, _ field: @autoclosure () -> String) throws(SnapshotDecodeError) -> [UInt64] {
        try requireBytes(count, elementBytes: 8, field())
        var values: [UInt64] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            values.append(buffer.readInteger(endianness: .little, as: UInt64.self)!)
        }
        return values
    }

    /// Reads an array of `count` floats, unshuffling it (as a whole or block by block) when the
    /// header says floats are shuffled.
    mutating func readFloats(count: Int, _ field: @autoclosure () -> String) throws(SnapshotDecodeError) -> [Float] {
        try requireBytes(count, elementBytes: 4, field())
        let shuffled = floatsAreShuffled
        let blockFloats = shuffleBlockFloats ?? max(count, 1)
        let bitPlanes = signExponentBitPlanes
        let values = buffer.withUnsafeReadableBytes { source in
            [Float](unsafeUninitializedCapacity: count) { target, initializedCount in
                if count > 0 {
                    let destination = UnsafeMutableRawPointer(target.baseAddress!)
                    if shuffled {
                        // Bit planes of byte 3 become a plain plane here first, one block at a time.
                        let plainPlane = bitPlanes ? UnsafeMutableRawPointer.allocate(byteCount: min(blockFloats, count), alignment: 64) : nil
                        defer { plainPlane?.deallocate() }
                        // Each block is four planes of its own length, one after the other.
                        for blockStart in stride(from: 0, to: count, by: blockFloats) {
                            let blockCount = min(blockFloats, count - blockStart)
                            let planes = source.baseAddress! + blockStart * 4
                            if let plainPlane {
                                BitTranspose.untranspose(planes + 3 * blockCount, count: blockCount, into: plainPlane)
                            }
                            ByteShuffle.unshuffle(
                                planes, planeBytes: blockCount, position: 0, count: blockCount,
                                into: destination + blockStart * 4, plane3: plainPlane.map { UnsafeRawPointer($0) })
                        }
                    } else {
                        destination.copyMemory(from: source.baseAddress!, byteCount: count * 4)
                    }
                }
                initializedCount = count
            }
        }
        buffer.moveReaderIndex(forwardBy: count * 4)
        return values
    }

    /// Throws unless every byte has been read.
    func requireEnd() throws(SnapshotDecodeError) {
        guard remainingBytes == 0 else { throw .trailingBytes(count: remainingBytes) }
    }

    private func requireBytes(_ count: Int, elementBytes: Int = 1, _ field: @autoclosure () -> String) throws(SnapshotDecodeError) {
        let (needed, overflow) = count.multipliedReportingOverflow(by: elementBytes)
        guard !overflow, needed <= remainingBytes else {
            throw .truncated(field: field(), neededBytes: overflow ? Int.max : needed, remainingBytes: remainingBytes)
        }
    }
}
