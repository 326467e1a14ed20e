import NIOCore

/// Cuts the inbound byte stream into `Frame`s: the first handler of every data-port pipeline.
///
/// A two-state machine: waiting for a header (whose fields are checked as they arrive), then
/// waiting for the rest of a frame whose header passed every check. Only then is room for the
/// whole frame made, so a 4 MiB frame is not copied again and again while the buffer grows.
/// The room is address space: a page becomes memory only when bytes arrive in it, so a
/// peer claiming a large frame (within `frameBytesMax`) and sending nothing costs nothing.
/// Errors are `WireError`s, fatal to the connection.
///
/// The decoder, not `ByteToMessageHandler`, decides when the buffer moves. Decoded frames are
/// slices of it that handlers keep (a push's gradient lives until it is applied), so growing or
/// compacting it in place would copy the whole storage, consumed frames included, whenever one
/// is still alive: a 4 MiB memmove per 4 MiB frame. When the bytes still missing do not fit,
/// the decoder instead moves only the unconsumed bytes (at most one frame's head and one read)
/// into a fresh buffer sized for the rest, and never asks the handler to reclaim.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    private enum State {
        case waitingForHeader
        case waitingForFrame(FrameHeader)
    }

    /// The largest frame (header + payload) accepted; larger announced lengths are refused.
    /// Servers pass the cluster's `frameBytesMax` (the value their helloReply announces).
    public let frameBytesMax: Int
    private var state = State.waitingForHeader
    /// The CRC of the frame being received, over the bytes received so far.
    private var checksum = FrameChecksum()

    public init(frameBytesMax: Int) {
        precondition(frameBytesMax >= Frame.headerBytes, "frameBytesMax \(frameBytesMax) cannot hold a \(Frame.headerBytes)-byte header")
        self.frameBytesMax = frameBytesMax
    }

    /// Advances the state machine over `buffer` (the bytes received and not yet consumed):
    /// returns the next complete frame, or nil until more bytes arrive. The channel methods below
    /// only forward to this, so tests drive it directly, byte by byte.
    public mutating func nextFrame(from buffer: inout ByteBuffer) throws(WireError) -> Frame? {
        switch state {
        case .waitingForHeader:
            guard let header = try FrameHeader.parse(buffer, frameBytesMax: frameBytesMax) else {
                Self.makeRoom(forMissing: Frame.headerBytes - buffer.readableBytes, in: &buffer)
                return nil
            }
            state = .waitingForFrame(header)
            return try nextFrame(from: &buffer)
        case .waitingForFrame(let header):
            guard buffer.readableBytes >= header.frameBytes else {
                buffer.withUnsafeReadableBytes { checksum.extend(over: $0) }
                Self.makeRoom(forMissing: header.frameBytes - buffer.readableBytes, in: &buffer)
                return nil
            }
            state = .waitingForHeader
            defer { checksum = FrameChecksum() }
            return try FrameCodec.decodeFrame(header, from: &buffer, checksum: checksum)
        }
    }

    /// The largest read a data connection makes. NIO's default, 64 KiB, cut a 4 MiB frame into
    /// 64 reads, each one more pass through the pipeline and one more append to the frame's
    /// buffer; 1 MiB reads made 4 MiB pulls ~15 % faster. The allocator adapts, so a connection
    /// carrying small requests keeps small read buffers.
    public static let readBytesMax = 1 << 20

    /// The receive-buffer allocator for connections whose inbound bytes this decoder cuts.
    public static func receiveAllocator() -> AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: readBytesMax)
    }

    /// Room beyond what a frame still needs, so the read that completes a frame and starts the
    /// next one lands without moving the buffer: one whole read for a large frame, a little for
    /// a small one (moving a small frame's bytes again is cheap, a 1 MiB buffer per read is not).
    static func slackBytes(forMissing missing: Int) -> Int {
        min(readBytesMax, max(missing, 4096))
    }

    /// Ensures `missing` more bytes plus some slack fit behind the unconsumed bytes. When they do
    /// not, the unconsumed bytes (never the consumed ones) move to a fresh buffer of exactly that
    /// size; the old storage stays with the frames sliced from it and is freed with them.
    static func makeRoom(forMissing missing: Int, in buffer: inout ByteBuffer) {
        let wanted = missing + slackBytes(forMissing: missing)
        guard buffer.readableBytes > 0, buffer.writableBytes < wanted else { return }
        var fresh = ByteBufferAllocator().buffer(capacity: buffer.readableBytes + wanted)
        fresh.writeBuffer(&buffer)
        buffer = fresh
    }

    /// Never: `makeRoom` already moved what had to move, and compacting a buffer whose frames are
    /// still alive would copy its whole storage.
    public func shouldReclaimBytes(buffer: ByteBuffer) -> Bool { false }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    /// Delivers frames still buffered when the connection ends; a partial frame left at end of
    /// input is `truncated`.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        if let frame = try nextFrame(from: &buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        if seenEOF && buffer.readableBytes > 0 {
            throw WireError.truncated(bufferedBytes: buffer.readableBytes)
        }
        return .needMoreData
    }
}
