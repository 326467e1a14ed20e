import NIOCore
import ParasolConsensus

/// Reads the fields of one payload, checking every length against the bytes actually present
/// before it allocates or slices anything, and naming the field in the error when a check fails.
///
/// Float blocks come back as slices of the payload buffer: no copy, no per-element decode.
struct PayloadReader {
    let type: MessageType
    private(set) var buffer: ByteBuffer
    /// Index of the payload's first byte; float blocks are aligned relative to it.
    private let alignmentOrigin: Int

    init(type: MessageType, payload: ByteBuffer) {
        self.type = type
        self.buffer = payload
        self.alignmentOrigin = payload.readerIndex
    }

    mutating func readU8(_ field: @autoclosure () -> String) throws(WireError) -> UInt8 {
        guard let value = buffer.readInteger(as: UInt8.self) else { throw missing(field(), bytes: 1) }
        return value
    }

    mutating func readU16(_ field: @autoclosure () -> String) throws(WireError) -> UInt16 {
        guard let value = buffer.readInteger(endianness: .little, as: UInt16.self) else { throw missing(field(), bytes: 2) }
        return value
    }

    mutating func readU32(_ field: @autoclosure () -> String) throws(WireError) -> UInt32 {
        guard let value = buffer.readInteger(endianness: .little, as: UInt32.self) else { throw missing(field(), bytes: 4) }
        return value
    }

    mutating func readU64(_ field: @autoclosure () -> String) throws(WireError) -> UInt64 {
        guard let value = buffer.readInteger(endianness: .little, as: UInt64.self) else { throw missing(field(), bytes: 8) }
        return value
    }

    mutating func readF32(_ field: @autoclosure () -> String) throws(WireError) -> Float {
        Float(bitPattern: try readU32(field()))
    }

    /// A byte that must be 0 (false) or 1 (true).
    mutating func readBool(_ field: @autoclosure () -> String) throws(WireError) -> Bool {
        switch try readU8(field()) {
        case 0: return false
        case 1: return true
        case let other: throw malformed("\(field()) is \(other); a bool must be 0 or 1")
        }
    }

    /// A u32 byte length and that many bytes of valid UTF-8.
    mutating func readString(_ field: @autoclosure () -> String) throws(WireError) -> String {
        let length = Int(try readU32("\(field()) length"))
        try requireBytes(length, for: field())
        let text = buffer.withUnsafeReadableBytes { bytes in
            String(validating: UnsafeRawBufferPointer(rebasing: bytes[..<length]), as: UTF8.self)
        }
        guard let text else { throw malformed("\(field()) is not valid UTF-8") }
        buffer.moveReaderIndex(forwardBy: length)
        return text
    }

    /// A u32 byte length and that many opaque bytes, copied out.
    mutating func readBytes(_ field: @autoclosure () -> String) throws(WireError) -> [UInt8] {
        let length = Int(try readU32("\(field()) length"))
        try requireBytes(length, for: field())
        return buffer.readBytes(length: length)!
    }

    /// A u32 byte length and that many opaque bytes, as a slice of the payload: no copy.
    mutating func readByteSlice(_ field: @autoclosure () -> String) throws(WireError) -> ByteBuffer {
        let length = Int(try readU32("\(field()) length"))
        try requireBytes(length, for: field())
        return buffer.readSlice(length: length)!
    }

    /// A u32 byte length and that many bytes as a log entry's: a large entry is a slice of the
    /// frame (a follower does not copy a 4 MiB gradient to log it), a small one a copy
    /// (`EntryPayload(keeping:)`).
    mutating func readEntryPayload(_ field: @autoclosure () -> String) throws(WireError) -> EntryPayload {
        let length = Int(try readU32("\(field()) length"))
        try requireBytes(length, for: field())
        return EntryPayload(keeping: buffer.readSlice(length: length)!)
    }

    /// A u32 count and that many u64 values.
    mutating func readU64Array(_ field: @autoclosure () -> String) throws(WireError) -> [UInt64] {
        let count = try readCount(field(), elementBytesMin: 8)
        var values: [UInt64] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            values.append(buffer.readInteger(endianness: .little, as: UInt64.self)!)
        }
        return values
    }

    /// A u32 element count, checked against the bytes left: each element takes at least
    /// `elementBytesMin`, so a count the payload cannot hold is refused before anything is reserved.
    mutating func readCount(_ field: @autoclosure () -> String, elementBytesMin: Int) throws(WireError) -> Int {
        let count = Int(try readU32("\(field()) count"))
        guard count * elementBytesMin <= buffer.readableBytes else {
            throw malformed("\(field()) claims \(count) elements of at least \(elementBytesMin) bytes, but only \(buffer.readableBytes) bytes remain")
        }
        return count
    }

    /// A u32 byte count, zero padding to a 4-byte boundary, then the float bytes as a slice.
    mutating func readFloats(_ field: @autoclosure () -> String) throws(WireError) -> ByteBuffer {
        let byteCount = Int(try readU32("\(field()) byte count"))
        guard byteCount % 4 == 0 else {
            throw malformed("\(field()) holds \(byteCount) bytes, not a whole number of float32 values")
        }
        let padding = ByteBuffer.paddingBytes(at: buffer.readerIndex - alignmentOrigin)
        try requireBytes(padding + byteCount, for: "\(field()) (\(padding) padding + \(byteCount) float bytes)")
        let paddingIsZero = buffer.readableBytesView.prefix(padding).allSatisfy { $0 == 0 }
        guard paddingIsZero else { throw malformed("\(field()) padding bytes are not zero") }
        buffer.moveReaderIndex(forwardBy: padding)
        return buffer.readSlice(length: byteCount)!
    }

    /// Fails unless every payload byte was consumed: trailing bytes mean sender and receiver
    /// disagree about the layout, and guessing which fields are right would be worse.
    func expectEnd() throws(WireError) {
        guard buffer.readableBytes == 0 else {
            throw malformed("\(buffer.readableBytes) bytes left over after the last field")
        }
    }

    func malformed(_ reason: String) -> WireError {
        .malformedPayload(type: type, reason: reason)
    }

    private func requireBytes(_ count: Int, for field: @autoclosure () -> String) throws(WireError) {
        guard count <= buffer.readableBytes else {
            throw malformed("\(field()) needs \(count) bytes, but only \(buffer.readableBytes) remain")
        }
    }

    private func missing(_ field: String, bytes: Int) -> WireError {
        malformed("\(field) needs \(bytes) bytes, but only \(buffer.readableBytes) remain")
    }
}
