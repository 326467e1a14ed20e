import Logging
import NIOCore
import ParasolAdmin
import ParasolConfig
import ParasolConsensus
import ParasolWire

/// Serves one worker connection: checks the session (hello, version, token), then hands each
/// request to the shard it names and writes the reply when the shard answers.
///
/// Requests are not serialized per connection: a push waiting for its fsync does not hold up a
/// pull behind it, and replies go out in whatever order shards answer (matched by request id).
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = Frame

    private enum SessionState {
        case awaitingHello
        case ready(clientID: UInt64)
        case closing
    }

    private let node: NodeContext
    private let logger: Logger
    private var state = SessionState.awaitingHello
    /// Replies from the shards' loops, written in passes (one wake-up and one flush for all the
    /// replies of a log batch).
    private var outbox: ChannelOutbox<Frame>?

    init(node: NodeContext, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        outbox = ChannelOutbox(channel: context.channel)
    }

    func channelActive(context: ChannelHandlerContext) {
        node.metrics.connectionOpened(.data)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        node.metrics.connectionClosed(.data)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch state {
        case .closing:
            return
        case .awaitingHello:
            onFirstFrame(frame, context: context)
        case .ready:
            onRequest(frame, context: context)
        }
    }

    /// Nothing in or out for the cluster's idle timeout: close, so a peer that went quiet
    /// (perhaps halfway through a frame) releases what it holds. Clients reconnect on demand.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        logger.info("closing idle connection from \(remote(context)) (idle timeout \(node.config.idleTimeoutSeconds) s)")
        state = .closing
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .closing = state else {
            state = .closing
            if let wireError = error as? WireError {
                logger.warning("closing connection from \(remote(context)): \(wireError)")
                let reply = Frame(requestID: 0, shardID: 0, flags: 0, message: .error(wireError.errorReply))
                context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in context.close(promise: nil) }
            } else {
                logger.debug("connection from \(remote(context)) failed: \(error)")
                context.close(promise: nil)
            }
            return
        }
    }

    // MARK: Session

    private func onFirstFrame(_ frame: Frame, context: ChannelHandlerContext) {
        guard case .hello(let hello) = frame.message else {
            refuse(frame, context: context, ErrorReply(code: .unauthorized, message: "the first message on a connection must be hello"))
            return
        }
        guard hello.minVersion <= Frame.protocolVersion, Frame.protocolVersion <= hello.maxVersion else {
            refuse(frame, context: context, ErrorReply(
                code: .unsupportedVersion,
                message: "this server speaks protocol version \(Frame.protocolVersion); the client offered \(hello.minVersion)…\(hello.maxVersion)"))
            return
        }
        guard TokenCheck.matches(presented: hello.token, expected: node.config.token) else {
            refuse(frame, context: context, ErrorReply(code: .unauthorized, message: "wrong or missing cluster token"))
            return
        }
        state = .ready(clientID: hello.clientID)
        let reply = HelloReply(version: Frame.protocolVersion, nodeID: node.nodeID, maxFrameBytes: UInt32(node.config.frameBytesMax))
        context.writeAndFlush(wrapOutboundOut(frame.reply(.helloReply(reply))), promise: nil)
    }

    private func refuse(_ frame: Frame, context: ChannelHandlerContext, _ error: ErrorReply) {
        state = .closing
        logger.warning("refusing connection from \(remote(context)): \(error.message)")
        context.writeAndFlush(wrapOutboundOut(frame.reply(.error(error)))).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    // MARK: Requests

    private func onRequest(_ frame: Frame, context: ChannelHandlerContext) {
        let outbox = self.outbox!
        let respond: @Sendable (Message) -> Void = { message in
            outbox.send(frame.reply(message))
        }
        switch frame.message {
        case .hello:
            respond(.error(ErrorReply(code: .badRequest, message: "hello was already sent on this connection")))
        case .shardMapRequest:
            respond(.shardMap(node.shardMap()))
        case .createTensor, .pushDense, .pushSparse, .pullDense, .pullSparse, .describeTensor, .snapshotRequest:
            switch node.replica(for: frame.shardID) {
            case .success(let replica):
                replica.handle(frame, respond: respond)
            case .failure(let error):
                respond(.error(error))
            }
        case .raftMessages(let batch):
            deliver(batch)
        case .snapshotChunk(let chunk):
            node.replicas[frame.shardID]?.onSnapshotChunk(chunk)
        case .snapshotChunkAck(let ack):
            node.replicas[frame.shardID]?.onSnapshotChunkAck(ack)
        case .transferLeadership(let request):
            switch node.replica(for: frame.shardID) {
            case .success(let replica):
                let timeout = TimeAmount.milliseconds(Int64(max(100, min(request.timeoutMillis, 60_000))))
                replica.transferLeadership(to: request.target.isEmpty ? nil : request.target, timeout: timeout) { result in
                    switch result {
                    case .success(let done): respond(.leadershipTransferred(done))
                    case .failure(let refusal): respond(.error(refusal.errorReply))
                    }
                }
            case .failure(let error):
                respond(.error(error))
            }
        case .helloReply, .tensorCreated, .pushAck, .denseData, .sparseData, .tensorInfo, .shardMap, .snapshotTaken, .error,
            .leadershipTransferred:
            respond(.error(ErrorReply(code: .badRequest, message: "\(frame.message.type) is a reply; servers do not accept it")))
        }
    }

    /// Hands each shard its share of a peer's consensus messages, in arrival order. Messages for
    /// a shard this node does not hold are dropped: a misdirected peer learns nothing from an answer.
    private func deliver(_ batch: RaftBatch) {
        var byShard: [UInt32: [RaftMessage]] = [:]
        for message in batch.messages { byShard[message.shardID, default: []].append(message.message) }
        for (shard, messages) in byShard {
            node.replicas[shard]?.step(messages)
        }
    }

    private func remote(_ context: ChannelHandlerContext) -> String {
        context.channel.remoteAddress?.description ?? "unknown peer"
    }
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}

extension Frame {
    /// The reply to this request: same request id and shard, so the client can match it.
    func reply(_ message: Message) -> Frame {
        Frame(requestID: requestID, shardID: shardID, flags: 0, message: message)
    }
}
