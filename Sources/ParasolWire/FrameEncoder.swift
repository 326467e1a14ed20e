import NIOCore
import ParasolConsensus

/// Writes outbound `Frame`s as bytes: the last outbound handler of every data-port pipeline.
///
/// A frame's large blocks (a trailing float block, log entries, snapshot data) go out as the
/// buffers they already are, between the header and fields: a 4 MiB push, pull or replicated
/// entry is not copied into a frame buffer first (the socket write gathers all in one `writev`).
public final class FrameEncoder: ChannelOutboundHandler {
    public typealias OutboundIn = Frame
    public typealias OutboundOut = ByteBuffer

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        var head = context.channel.allocator.buffer(capacity: Self.headBytesEstimate(of: frame.message))
        let parts = FrameCodec.encodeParts(frame, into: &head)
        for part in parts.dropLast() { context.write(wrapOutboundOut(part), promise: nil) }
        context.write(wrapOutboundOut(parts.last!), promise: promise)
    }

    /// Room for everything but the deferred blocks, so that a large replication batch or
    /// snapshot chunk is not copied again and again while its buffer grows.
    private static func headBytesEstimate(of message: Message) -> Int {
        switch message {
        case .raftMessages(let batch):
            return batch.messages.reduce(256) { total, shardMessage in
                guard case .append(let request) = shardMessage.message.kind else { return total + 64 }
                return request.entries.reduce(total + 96) { total, entry in
                    let deferred = entry.payload.count >= DeferredBlock.bytesMin && entry.payload.storage is ByteBuffer
                    return total + 32 + (deferred ? 0 : entry.payload.count)
                }
            }
        case .snapshotChunk(let chunk):
            return 256 + chunk.manifest.count + (chunk.data.readableBytes < DeferredBlock.bytesMin ? chunk.data.readableBytes : 0)
        default:
            return 256
        }
    }
}

@available(*, unavailable)
extension FrameEncoder: Sendable {}
