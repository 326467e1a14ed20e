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
        var deferred: [DeferredBlock]? = nil
        encode(frame, into: &buffer, deferringInto: &deferred)
    }

    /// `frame` as the parts a channel writes in order (one `writev`): the header and fields are
    /// written into `head`; a trailing float block (a push's gradient, a pull's values) and large
    /// log entries or snapshot data are not copied into it but are parts of their own, slices of
    /// the buffers they already live in. The frame's length and CRC cover all parts.
    public static func encodeParts(_ frame: Frame, into head: inout ByteBuffer) -> [ByteBuffer] {
        let start = head.writerIndex
        var deferred: [DeferredBlock]? = []
        encode(frame, into: &head, deferringInto: &deferred)
        guard let blocks = deferred, !blocks.isEmpty else { return [head] }
        var frameBytes = head
        frameBytes.moveReaderIndex(to: start)
        return frameBytes.splicing(blocks)
    }

    private static func encode(_ frame: Frame, into buffer: inout ByteBuffer, deferringInto deferred: inout [DeferredBlock]?) {
        let start = buffer.writerIndex
        buffer.writeBytes(FrameHeader.magic)
        buffer.writeWireU8(Frame.protocolVersion)
        buffer.writeWireU8(frame.message.type.rawValue)
        buffer.writeWireU16(frame.flags)
        buffer.writeWireU64(frame.requestID)
        buffer.writeWireU32(frame.shardID)
        buffer.writeWireU32(0)  // payload length, patched below
        buffer.writeWireU32(0)  // CRC-32C, patched below
        buffer.writeWirePayload(of: frame.message, deferringInto: &deferred)
        let blocks = deferred ?? []

        let frameBytes = buffer.writerIndex - start + blocks.reduce(0) { $0 + $1.bytes.readableBytes }
        guard let payloadBytes = UInt32(exactly: frameBytes - Frame.headerBytes) else {
            preconditionFailure("a \(frame.message.type) payload of \(frameBytes - Frame.headerBytes) bytes does not fit a frame")
        }
        buffer.setInteger(payloadBytes, at: start + FrameHeader.payloadBytesOffset, endianness: .little)
        // The CRC runs over the frame's bytes in order: the written ones up to each block, the block.
        let ends = blocks.map(\.offset) + [buffer.writerIndex]
        var crc = buffer.withUnsafeReadableBytes { readable in
            FrameChecksum.of(frame: UnsafeRawBufferPointer(rebasing: readable[(start - buffer.readerIndex)..<(ends[0] - buffer.readerIndex)]))
        }
        for (block, end) in zip(blocks, ends.dropFirst()) {
            crc = block.bytes.withUnsafeReadableBytes { CRC32C.checksum($0, seed: crc) }
            crc = buffer.withUnsafeReadableBytes { readable in
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: readable[(block.offset - buffer.readerIndex)..<(end - buffer.readerIndex)]), seed: crc)
            }
        }
        buffer.setInteger(crc, at: start + FrameHeader.crcOffset, endianness: .little)
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

    /// Reads the payload of a message of `type` (a frame's bytes after its header). All readable
    /// bytes of `buffer` must be that payload; leftovers are `malformedPayload`.
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
        return try decodeChecked(header, from: &buffer)
    }

    /// Decodes a frame kept in a log entry: all of `buffer`'s readable bytes are one frame whose
    /// bytes an outer checksum already covers (its log record's, or the replication frame's that
    /// carried the entry), so its own CRC is not computed again over a 4 MiB gradient.
    public static func decodeLogged(_ buffer: ByteBuffer) throws(WireError) -> Frame {
        var buffer = buffer
        guard let header = try FrameHeader.parse(buffer, frameBytesMax: Int.max), header.frameBytes <= buffer.readableBytes else {
            throw .truncated(bufferedBytes: buffer.readableBytes)
        }
        guard header.frameBytes == buffer.readableBytes else {
            throw .malformedPayload(type: header.type, reason: "\(buffer.readableBytes - header.frameBytes) bytes follow the frame")
        }
        return try decodeChecked(header, from: &buffer)
    }

    private static func decodeChecked(_ header: FrameHeader, from buffer: inout ByteBuffer) throws(WireError) -> Frame {
        let received = buffer.getSlice(at: buffer.readerIndex, length: header.frameBytes)!
        buffer.moveReaderIndex(forwardBy: Frame.headerBytes)
        var reader = PayloadReader(type: header.type, payload: buffer.readSlice(length: header.payloadBytes)!)
        let message = try reader.readMessage()
        return Frame(requestID: header.requestID, shardID: header.shardID, flags: header.flags, message: message, received: received)
    }

}
