import NIOCore
import ParasolConsensus

/// Writes outbound `Frame`s as bytes: the last outbound handler of every data-port pipeline.
///
/// A frame that ends in a float block goes out as two buffers, the header and fields, then the
/// floats as they are: a 4 MiB push or pull is not copied into a frame buffer first (the socket
/// write gathers both in one `writev`).
public final class FrameEncoder: ChannelOutboundHandler {
    public typealias OutboundIn = Frame
    public typealias OutboundOut = ByteBuffer

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        var head = context.channel.allocator.buffer(capacity: Self.headBytesEstimate(of: frame.message))
        if let floats = FrameCodec.encodeDeferringFloats(frame, into: &head) {
            context.write(wrapOutboundOut(head), promise: nil)
            context.write(wrapOutboundOut(floats), promise: promise)
        } else {
            context.write(wrapOutboundOut(head), promise: promise)
        }
    }

    /// Room for everything but a deferred float block, so that a large replication batch or
    /// snapshot chunk is not copied again and again while its buffer grows.
    private static func headBytesEstimate(of message: Message) -> Int {
        switch message {
        case .raftMessages(let batch):
            return batch.messages.reduce(256) { total, shardMessage in
                guard case .append(let request) = shardMessage.message.kind else { return total + 64 }
                return request.entries.reduce(total + 96) { $0 + $1.payload.count + 32 }
            }
        case .snapshotChunk(let chunk):
            return 256 + chunk.manifest.count + chunk.data.readableBytes
        default:
            return 256
        }
    }
}

@available(*, unavailable)
extension FrameEncoder: Sendable {}
