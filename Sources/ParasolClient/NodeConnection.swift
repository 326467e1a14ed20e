import NIOCore
import NIOPosix
import ParasolConfig
import ParasolWire
import Synchronization

/// One open session with one server node: TCP connection, hello done, ready for requests.
final class NodeConnection: Sendable {
    let nodeID: String
    let channel: any Channel
    /// The largest frame the server accepts, from its hello reply.
    let frameBytesMax: Int
    private let nextRequestID: Mutex<UInt64>
    /// Requests from the caller's tasks, written in passes (one wake-up of the connection's
    /// loop and one flush for all the requests sent meanwhile).
    private let outbox: ChannelOutbox<PendingRequest>

    private init(nodeID: String, channel: any Channel, frameBytesMax: Int, nextRequestID: UInt64) {
        self.nodeID = nodeID
        self.channel = channel
        self.frameBytesMax = frameBytesMax
        self.nextRequestID = Mutex(nextRequestID)
        self.outbox = ChannelOutbox(channel: channel)
    }

    /// Connects and performs the hello handshake, all within `deadline`.
    static func open(
        node: NodeConfig, group: any EventLoopGroup, options: ClientOptions, clientFrameBytesMax: Int, deadline: NIODeadline
    ) async throws -> NodeConnection {
        let peer = "\(node.id)@\(node.dataAddress)"
        let timeout = max(deadline - .now(), .milliseconds(1))
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.recvAllocator, value: FrameDecoder.receiveAllocator())
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(FrameDecoder(frameBytesMax: clientFrameBytesMax)),
                            FrameEncoder(),
                            ResponseRouter(peer: peer),
                        ])
                    }
                }
                .connect(host: node.dataAddress.host, port: node.dataAddress.port)
                .get()
        } catch {
            throw ParasolClientError.connectionFailed(node: node.id, address: node.dataAddress.description, reason: "\(error)")
        }
        let hello = Hello(minVersion: Frame.protocolVersion, maxVersion: Frame.protocolVersion, clientID: options.clientID, token: options.token)
        let reply: Message
        do {
            reply = try await send(.hello(hello), requestID: 1, shardID: 0, on: channel, deadline: deadline)
        } catch ParasolClientError.deadlineExceeded {
            // The connect timeout ran out before the hello was answered (a node still recovering,
            // or overloaded): a connection failure the caller may retry within its own deadline.
            try? await channel.close()
            throw ParasolClientError.connectionFailed(
                node: node.id, address: node.dataAddress.description, reason: "no answer to hello within the connect timeout")
        } catch {
            try? await channel.close()
            throw error
        }
        switch reply {
        case .helloReply(let accepted):
            return NodeConnection(nodeID: node.id, channel: channel, frameBytesMax: Int(accepted.maxFrameBytes), nextRequestID: 2)
        case .error(let refusal):
            try? await channel.close()
            throw ParasolClientError.server(refusal)
        default:
            try? await channel.close()
            throw ParasolClientError.protocolViolation("node \(node.id) answered hello with \(reply.type)")
        }
    }

    /// Sends one request on this connection and waits for its reply or its deadline.
    func request(_ message: Message, shardID: UInt32, deadline: NIODeadline) async throws -> Message {
        let id = nextRequestID.withLock { value in
            defer { value += 1 }
            return value
        }
        let promise = channel.eventLoop.makePromise(of: Message.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { promise.fail($0) }
        let frame = Frame(requestID: id, shardID: shardID, flags: 0, message: message)
        outbox.send(PendingRequest(frame: frame, promise: promise, deadline: deadline), promise: written)
        return try await promise.futureResult.get()
    }

    var isActive: Bool { channel.isActive }

    func close() async {
        try? await channel.close()
    }

    private static func send(
        _ message: Message, requestID: UInt64, shardID: UInt32, on channel: any Channel, deadline: NIODeadline
    ) async throws -> Message {
        let promise = channel.eventLoop.makePromise(of: Message.self)
        let frame = Frame(requestID: requestID, shardID: shardID, flags: 0, message: message)
        channel.writeAndFlush(PendingRequest(frame: frame, promise: promise, deadline: deadline)).whenFailure { error in
            promise.fail(error)
        }
        return try await promise.futureResult.get()
    }
}
