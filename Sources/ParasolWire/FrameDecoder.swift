import NIOCore

/// Cuts the inbound byte stream into `Frame`s: the first handler of every data-port pipeline.
///
/// A two-state machine: waiting for a header (whose fields are checked as they arrive), then
/// waiting for the rest of a frame whose header passed every check. Only then is room for the
/// whole frame reserved, so a 4 MiB frame is not copied again and again while the buffer grows.
/// The reservation is address space: a page becomes memory only when bytes arrive in it, so a
/// peer claiming a large frame (within `frameBytesMax`) and sending nothing costs nothing.
/// Errors are `WireError`s, fatal to the connection.
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
            guard let header = try FrameHeader.parse(buffer, frameBytesMax: frameBytesMax) else { return nil }
            state = .waitingForFrame(header)
            return try nextFrame(from: &buffer)
        case .waitingForFrame(let header):
            guard buffer.readableBytes >= header.frameBytes else {
                buffer.reserveCapacity(minimumWritableBytes: header.frameBytes - buffer.readableBytes)
                return nil
            }
            state = .waitingForHeader
            return try FrameCodec.decodeFrame(header, from: &buffer)
        }
    }

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
