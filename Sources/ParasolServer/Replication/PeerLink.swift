import Logging
import NIOCore
import NIOPosix
import ParasolConfig
import ParasolConsensus
import ParasolWire

/// The outbound connection to one peer node, confined to one event loop.
///
/// Connects on demand, opens the session with `hello` (the cluster token proves membership) and
/// pipelines frames right behind it. Queued messages are flushed in one write per loop turn;
/// while a connection is being made they wait (bounded), and if it fails they are dropped and the
/// next attempt waits `reconnectPause`, so a dead peer costs one connect attempt per pause.
final class PeerLink: @unchecked Sendable {
    // @unchecked: every mutable field is touched only on `eventLoop`.
    private let peer: NodeConfig
    private let peerConsensusID: NodeID
    private let hello: Hello
    /// Called (on this link's loop) when an established connection closes; set once at start.
    var onConnectionLost: (@Sendable (NodeID) -> Void)?
    /// Told `false` when a connection attempt fails or an established connection closes, and
    /// `true` when the peer accepts the session (its hello reply arrived): a proxy or firewall
    /// that lets the TCP connect through but not the traffic thus still counts as unreachable.
    var onReachabilityChange: (@Sendable (NodeID, Bool) -> Void)?
    private let frameBytesMax: Int
    private let eventLoop: any EventLoop
    private let logger: Logger

    /// Connect attempts to a peer that refused or timed out are at least this far apart.
    static let reconnectPause = TimeAmount.milliseconds(100)
    static let connectTimeout = TimeAmount.seconds(1)
    /// Messages held while connecting; beyond this the oldest are dropped (Raft resends).
    static let queuedMessagesMax = 65_536
    /// Entry bytes per `raftMessages` frame: larger batches are split over several frames.
    static let batchBytesMax = 16 << 20

    private var channel: (any Channel)?
    private var connecting = false
    private var nextConnectAllowed = NIODeadline.distantPast
    private var raftQueue: [ShardRaftMessage] = []
    private var otherQueue: [(shard: UInt32, message: Message)] = []
    private var flushScheduled = false
    private var closed = false
    private var nextRequestID: UInt64 = 1
    private var lastConnectFailureLogged = NIODeadline.distantPast

    init(
        peer: NodeConfig, peerConsensusID: NodeID, selfConsensusID: NodeID, token: String, frameBytesMax: Int,
        eventLoop: any EventLoop, logger: Logger
    ) {
        self.peer = peer
        self.peerConsensusID = peerConsensusID
        // Peers are not clients: their hello carries an id no client picks (high bit set).
        self.hello = Hello(
            minVersion: Frame.protocolVersion, maxVersion: Frame.protocolVersion,
            clientID: (1 << 63) | selfConsensusID.rawValue, token: token)
        self.frameBytesMax = frameBytesMax
        self.eventLoop = eventLoop
        self.logger = logger
    }

    func enqueue(_ message: ShardRaftMessage) {
        eventLoop.execute {
            guard !self.closed else { return }
            self.raftQueue.append(message)
            if self.raftQueue.count > Self.queuedMessagesMax { self.raftQueue.removeFirst(self.raftQueue.count / 2) }
            self.scheduleFlush()
        }
    }

    func enqueue(_ message: Message, shard: UInt32) {
        eventLoop.execute {
            guard !self.closed else { return }
            self.otherQueue.append((shard, message))
            if self.otherQueue.count > 64 { self.otherQueue.removeFirst() }
            self.scheduleFlush()
        }
    }

    func close() {
        eventLoop.execute {
            self.closed = true
            self.raftQueue = []
            self.otherQueue = []
            self.channel?.close(promise: nil)
            self.channel = nil
        }
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        // Runs after every task already queued on this loop: messages other shards enqueue in
        // the meantime travel in the same frame.
        eventLoop.execute { self.flush() }
    }

    private func flush() {
        flushScheduled = false
        guard let channel, channel.isActive else {
            connectIfAllowed()
            return
        }
        var batch: [ShardRaftMessage] = []
        var batchBytes = 0
        for message in raftQueue {
            let bytes = Self.entryBytes(of: message.message)
            if !batch.isEmpty && batchBytes + bytes > Self.batchBytesMax {
                write(.raftMessages(RaftBatch(messages: batch)), shard: 0, on: channel)
                batch = []
                batchBytes = 0
            }
            batch.append(message)
            batchBytes += bytes
        }
        if !batch.isEmpty { write(.raftMessages(RaftBatch(messages: batch)), shard: 0, on: channel) }
        for (shard, message) in otherQueue { write(message, shard: shard, on: channel) }
        raftQueue.removeAll(keepingCapacity: true)
        otherQueue.removeAll()
        channel.flush()
    }

    private func write(_ message: Message, shard: UInt32, on channel: any Channel) {
        let frame = Frame(requestID: nextRequestID, shardID: shard, message: message)
        nextRequestID &+= 1
        channel.write(frame, promise: nil)
    }

    private static func entryBytes(of message: RaftMessage) -> Int {
        guard case .append(let request) = message.kind else { return 64 }
        return request.entries.reduce(64) { $0 + $1.chargedBytes }
    }

    private func connectIfAllowed() {
        guard !connecting, !closed else { return }
        guard NIODeadline.now() >= nextConnectAllowed else {
            // Too soon after a failure: drop what is queued; Raft resends what still matters.
            raftQueue.removeAll()
            otherQueue.removeAll()
            return
        }
        connecting = true
        let frameBytesMax = self.frameBytesMax
        let peerName = peer.id
        let peerID = peerConsensusID
        let logger = self.logger
        let onReachabilityChange = self.onReachabilityChange
        ClientBootstrap(group: eventLoop)
            .connectTimeout(Self.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder(frameBytesMax: frameBytesMax)),
                        FrameEncoder(),
                        PeerReplyHandler(peer: peerName, logger: logger) { onReachabilityChange?(peerID, true) },
                    ])
                }
            }
            .connect(host: peer.replicationAddress.host, port: peer.replicationAddress.port)
            .hop(to: eventLoop)
            .whenComplete { result in
                self.connecting = false
                switch result {
                case .success(let channel):
                    guard !self.closed else {
                        channel.close(promise: nil)
                        return
                    }
                    self.channel = channel
                    self.write(.hello(self.hello), shard: 0, on: channel)
                    channel.closeFuture.hop(to: self.eventLoop).whenComplete { _ in
                        if self.channel === channel { self.channel = nil }
                        guard !self.closed else { return }
                        self.onReachabilityChange?(self.peerConsensusID, false)
                        self.onConnectionLost?(self.peerConsensusID)
                    }
                    self.flush()
                case .failure(let error):
                    self.onReachabilityChange?(self.peerConsensusID, false)
                    self.nextConnectAllowed = .now() + Self.reconnectPause
                    self.raftQueue.removeAll()
                    self.otherQueue.removeAll()
                    // A dead peer fails every 100 ms: say so once every 10 s, not 100 times.
                    if NIODeadline.now() - self.lastConnectFailureLogged > .seconds(10) {
                        self.lastConnectFailureLogged = .now()
                        self.logger.info("peer \(self.peer.id) at \(self.peer.replicationAddress) unreachable: \(error)")
                    }
                }
            }
    }
}

/// Reads what a peer answers on an outbound replication connection: only the hello reply or an
/// error (replication answers travel on the peer's own outbound connection). The hello reply
/// proves the peer is there; an error means it refused the session (wrong token, version) —
/// worth a warning, since replication to it cannot work.
final class PeerReplyHandler: ChannelInboundHandler {
    typealias InboundIn = Frame

    private let peer: String
    private let logger: Logger
    private let onAccepted: () -> Void

    init(peer: String, logger: Logger, onAccepted: @escaping () -> Void) {
        self.peer = peer
        self.logger = logger
        self.onAccepted = onAccepted
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data).message {
        case .helloReply: onAccepted()
        case .error(let reply): logger.warning("peer \(peer) refused replication traffic: \(reply.message)")
        default: break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("replication connection to \(peer) failed: \(error)")
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension PeerReplyHandler: Sendable {}
