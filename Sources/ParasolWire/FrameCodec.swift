import NIOCore

/// Turns frames into bytes and back (Protocols/wire.md). Stateless: the channel handlers
/// (`FrameEncoder`, `FrameDecoder`), the write-ahead log and tests all share these functions, so
/// there is exactly one definition of every layout.
public enum FrameCodec {
    /// Appends `frame` (header, payload, CRC) to `buffer`.
    ///
    /// The payload is written straight into `buffer` and its length and CRC patched in
    /// afterwards, so a large float block is copied once. A payload above 4 GiB cannot be
    /// described by the header and is a programming error (clients split tensors long before).
    public static func encode(_ frame: Frame, into buffer: inout ByteBuffer) {
        _ = encode(frame, into: &buffer, deferringFloats: false)
    }

    /// Like `encode(_:into:)`, except that a message's trailing float block (a push's gradient,
    /// a pull's values) is left out of `buffer` and returned: the frame is `buffer`'s new bytes
    /// followed by the returned ones, and its length and CRC cover both. A channel writes the
    /// two as they are (one `writev`), so the floats are not copied into the frame.
    public static func encodeDeferringFloats(_ frame: Frame, into buffer: inout ByteBuffer) -> ByteBuffer? {
        encode(frame, into: &buffer, deferringFloats: true)
    }

    private static func encode(_ frame: Frame, into buffer: inout ByteBuffer, deferringFloats: Bool) -> ByteBuffer? {
        let start = buffer.writerIndex
        buffer.writeBytes(FrameHeader.magic)
        buffer.writeWireU8(Frame.protocolVersion)
        buffer.writeWireU8(frame.message.type.rawValue)
        buffer.writeWireU16(frame.flags)
        buffer.writeWireU64(frame.requestID)
        buffer.writeWireU32(frame.shardID)
        buffer.writeWireU32(0)  // payload length, patched below
        buffer.writeWireU32(0)  // CRC-32C, patched below
        let trailing = buffer.writeWirePayload(of: frame.message, deferringTrailingFloats: deferringFloats)

        let frameBytes = buffer.writerIndex - start + (trailing?.readableBytes ?? 0)
        guard let payloadBytes = UInt32(exactly: frameBytes - Frame.headerBytes) else {
            preconditionFailure("a \(frame.message.type) payload of \(frameBytes - Frame.headerBytes) bytes does not fit a frame")
        }
        buffer.setInteger(payloadBytes, at: start + FrameHeader.payloadBytesOffset, endianness: .little)
        var crc = buffer.withUnsafeReadableBytes { readable in
            let frameBytes = UnsafeRawBufferPointer(rebasing: readable[(start - buffer.readerIndex)...])
            return FrameChecksum.of(frame: frameBytes)
        }
        if let trailing { crc = trailing.withUnsafeReadableBytes { CRC32C.checksum($0, seed: crc) } }
        buffer.setInteger(crc, at: start + FrameHeader.crcOffset, endianness: .little)
        return trailing
    }

    /// Reads one frame from the start of `buffer`'s readable bytes.
    ///
    /// Returns nil, moving nothing, while the frame is incomplete. Header fields are checked as
    /// they arrive and the payload length against `frameBytesMax` (header + payload) before any
    /// payload is awaited, so nothing a peer claims is ever allocated unchecked. Float blocks of
    /// the returned message are slices of `buffer`'s storage. After a throw the buffer's position
    /// is unspecified: the stream cannot be resynchronised.
    public static func decode(_ buffer: inout ByteBuffer, frameBytesMax: Int) throws(WireError) -> Frame? {
        precondition(frameBytesMax >= Frame.headerBytes, "frameBytesMax \(frameBytesMax) cannot hold a \(Frame.headerBytes)-byte header")
        guard let header = try FrameHeader.parse(buffer, frameBytesMax: frameBytesMax),
            buffer.readableBytes >= header.frameBytes
        else { return nil }
        return try decodeFrame(header, from: &buffer)
    }

    /// `message`'s payload alone, behind one `prefix` byte, as an array: what a log entry
    /// stores. Float blocks are aligned relative to where the payload starts (index 1). A push's
    /// gradient, nearly all of its bytes, is copied once: from the message into the array.
    public static func encodePayload(of message: Message, prefix: UInt8) -> [UInt8] {
        var head = ByteBufferAllocator().buffer(capacity: 256)
        head.writeInteger(prefix)
        let trailing = head.writeWirePayload(of: message, deferringTrailingFloats: true)
        let headBytes = head.readableBytes
        let total = headBytes + (trailing?.readableBytes ?? 0)
        return [UInt8](unsafeUninitializedCapacity: total) { target, count in
            head.withUnsafeReadableBytes { UnsafeMutableRawBufferPointer(target).copyMemory(from: $0) }
            trailing?.withUnsafeReadableBytes { floats in
                UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(target)[headBytes...]).copyMemory(from: floats)
            }
            count = total
        }
    }

    /// Reads a payload written by `encodePayload(of:into:)` for a message of `type`. All
    /// readable bytes of `buffer` must be that payload; leftovers are `malformedPayload`.
    public static func decodePayload(type: MessageType, from buffer: inout ByteBuffer) throws(WireError) -> Message {
        var reader = PayloadReader(type: type, payload: buffer)
        let message = try reader.readMessage()
        buffer.moveReaderIndex(to: reader.buffer.readerIndex)
        return message
    }

    /// Checks the CRC of a complete frame at the start of `buffer` and decodes it. `checksum`
    /// may already cover a prefix of the frame (the decoder extends it as bytes arrive).
    static func decodeFrame(_ header: FrameHeader, from buffer: inout ByteBuffer, checksum: FrameChecksum = FrameChecksum()) throws(WireError) -> Frame {
        precondition(buffer.readableBytes >= header.frameBytes, "decodeFrame needs the whole \(header.frameBytes)-byte frame")
        var checksum = checksum
        let actualCRC = buffer.withUnsafeReadableBytes { readable in
            checksum.extend(over: UnsafeRawBufferPointer(rebasing: readable[..<header.frameBytes]))
            return checksum.crc
        }
        guard actualCRC == header.crc else { throw .crcMismatch(expected: header.crc, actual: actualCRC) }
        buffer.moveReaderIndex(forwardBy: Frame.headerBytes)
        var reader = PayloadReader(type: header.type, payload: buffer.readSlice(length: header.payloadBytes)!)
        let message = try reader.readMessage()
        return Frame(requestID: header.requestID, shardID: header.shardID, flags: header.flags, message: message)
    }

}
