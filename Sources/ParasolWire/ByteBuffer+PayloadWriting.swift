import NIOCore

/// The field encodings every payload is built from (Protocols/wire.md, "Field encodings"):
/// little-endian integers, IEEE-754 float32 bit patterns, bool as one byte, strings, byte strings
/// and arrays prefixed with a u32, float blocks padded to a 4-byte boundary.
extension ByteBuffer {
    mutating func writeWireU8(_ value: UInt8) {
        writeInteger(value)
    }

    mutating func writeWireU16(_ value: UInt16) {
        writeInteger(value, endianness: .little)
    }

    mutating func writeWireU32(_ value: UInt32) {
        writeInteger(value, endianness: .little)
    }

    mutating func writeWireU64(_ value: UInt64) {
        writeInteger(value, endianness: .little)
    }

    mutating func writeWireF32(_ value: Float) {
        writeInteger(value.bitPattern, endianness: .little)
    }

    mutating func writeWireBool(_ value: Bool) {
        writeInteger(value ? 1 : 0, as: UInt8.self)
    }

    /// u32 byte length, then the UTF-8 bytes (no terminator).
    mutating func writeWireString(_ value: String) {
        writeWireU32(Self.wireCount(value.utf8.count, of: "string bytes"))
        writeString(value)
    }

    /// u32 byte length, then the bytes as they are.
    mutating func writeWireBytes(_ bytes: some Collection<UInt8>) {
        writeWireU32(Self.wireCount(bytes.count, of: "bytes"))
        writeBytes(bytes)
    }

    /// u32 byte length, then `bytes`' readable bytes as they are (no alignment: opaque bytes).
    mutating func writeWireBytes(_ bytes: ByteBuffer) {
        writeWireU32(Self.wireCount(bytes.readableBytes, of: "bytes"))
        writeImmutableBuffer(bytes)
    }

    /// u32 byte length, then `bytes`: appended to `deferred` rather than copied when asked to
    /// defer and the block is large enough to be worth it.
    mutating func writeWireBytes(_ bytes: ByteBuffer, deferringInto deferred: inout [DeferredBlock]?) {
        guard deferred != nil, bytes.readableBytes >= DeferredBlock.bytesMin else {
            writeWireBytes(bytes)
            return
        }
        writeWireU32(Self.wireCount(bytes.readableBytes, of: "bytes"))
        deferred!.append(DeferredBlock(offset: writerIndex, bytes: bytes))
    }

    /// u32 count, then each value as a u64.
    mutating func writeWireU64Array(_ values: [UInt64]) {
        writeWireU32(Self.wireCount(values.count, of: "array elements"))
        reserveCapacity(minimumWritableBytes: values.count * 8)
        for value in values {
            writeInteger(value, endianness: .little)
        }
    }

    /// u32 count of elements that the caller then writes one after the other.
    mutating func writeWireCount(_ count: Int) {
        writeWireU32(Self.wireCount(count, of: "array elements"))
    }

    /// u32 byte count, zero bytes up to the next 4-byte boundary counted from `alignmentOrigin`
    /// (the index where the payload starts), then the float bytes copied as they are.
    mutating func writeWireFloats(_ floats: ByteBuffer, alignmentOrigin: Int) {
        writeWireFloatsPrefix(floats, alignmentOrigin: alignmentOrigin)
        writeImmutableBuffer(floats)
    }

    /// A float block's byte count and alignment padding: everything but its bytes.
    mutating func writeWireFloatsPrefix(_ floats: ByteBuffer, alignmentOrigin: Int) {
        precondition(floats.readableBytes % 4 == 0, "a float32 block of \(floats.readableBytes) bytes is not a whole number of floats")
        writeWireU32(Self.wireCount(floats.readableBytes, of: "float bytes"))
        writeRepeatingByte(0, count: Self.paddingBytes(at: writerIndex - alignmentOrigin))
    }

    /// The zero bytes that move `offset` to the next multiple of 4.
    static func paddingBytes(at offset: Int) -> Int {
        (4 - offset % 4) % 4
    }

    private static func wireCount(_ count: Int, of what: String) -> UInt32 {
        guard let wire = UInt32(exactly: count) else {
            preconditionFailure("\(count) \(what) do not fit a u32 length; split the message")
        }
        return wire
    }
}
