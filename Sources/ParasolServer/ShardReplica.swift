import Foundation
import Logging
import NIOCore
import NIOPosix
import ParasolAdmin
import ParasolConfig
import ParasolConsensus
import ParasolStorage
import ParasolTensors
import ParasolWire
import Synchronization

/// This node's replica of one shard: the shard's state machine driven by its consensus group.
///
/// Everything mutable is confined to `eventLoop`. The replica is the I/O shell around a pure
/// `RaftNode`: it feeds it messages, ticks and proposals, then handles each `Ready` strictly in
/// order — persist (log entries through the write-ahead log, term and vote in the hard-state
/// file), then send, then apply committed entries and answer the clients waiting for them. A
/// push is answered only once its entry is committed (a majority holds it durably) and applied,
/// so failover never loses an acknowledged push; a retried push is applied once because the
/// exactly-once table is part of the replicated state.
final class ShardReplica: @unchecked Sendable {
    // @unchecked: every mutable field below is touched only on `eventLoop` (asserted), except
    // `leaderName`, which is a Mutex.
    let shardID: UInt32
    let eventLoop: any EventLoop
    let nodeID: String
    let members: ClusterMembers
    let transport: PeerTransport
    let log: WriteAheadLog
    let snapshots: SnapshotStore
    let hardStateFile: HardStateFile
    let snapshotPolicy: SnapshotPolicy
    /// Snapshot files: writing, exporting, receiving.
    let ioPool: NIOThreadPool
    /// The hard-state file only, so a vote is never queued behind a snapshot.
    let hardStatePool: NIOThreadPool
    let logger: Logger
    let metrics: ShardMetrics
    let allocator = ByteBufferAllocator()
    /// The replica the placement prefers as primary campaigns once at start, so primaries
    /// spread evenly over the nodes instead of going to whoever times out first.
    let isPreferredPrimary: Bool
    let preferredPrimary: NodeID
    /// The group's replicas in placement order (preferred primary first).
    let replicaOrder: [NodeID]

    var raft: RaftNode
    var state: ShardState
    /// Index and term of the last entry applied (log entries of any kind, or an installed snapshot).
    var appliedIndex: LogIndex
    var appliedTerm: Term
    /// Index of the last entry in the write-ahead log (0 when it is empty).
    var loggedIndex: LogIndex
    var persistedHardState: HardStateRecord
    var handlingReady = false
    /// A `pumpSoon` is queued on the loop.
    var pumpScheduled = false
    /// Set when the log or hard state could not be written: nothing later can be acknowledged.
    var failure: String?

    var proposals: [LogIndex: PendingProposal] = [:]
    var heldDuringElection: [(frame: Frame, received: NIODeadline, respond: @Sendable (Message) -> Void, until: NIODeadline)] = []
    static let electionHoldTimeout = TimeAmount.milliseconds(500)
    static let heldDuringElectionMax = 65_536
    var readsAwaitingApply: [(readIndex: LogIndex, serve: () -> Void, respond: @Sendable (Message) -> Void)] = []

    // Clock: ticks are derived from NIO's monotonic clock, so a late timer catches up.
    static let tickInterval = TimeAmount.milliseconds(10)
    let clockStarted = NIODeadline.now()
    var ticksDone: Int64 = 0
    /// Batches of peer messages handed to this loop and not yet stepped (any thread adds, the
    /// loop subtracts). While some wait, the clock runs as stalled: the loop is behind, and the
    /// batch it has not read yet may be the very heartbeat or answer a timeout would miss.
    let stepsQueued = Atomic<Int>(0)
    var campaignedAtStart = false
    /// After `lostPrimary`'s connection broke: this replica's turn to campaign (see `peerLost`).
    var earlyCampaign: EarlyCampaignTurn?
    /// The primary whose connection to this node broke, until it is heard from again. Its
    /// process is most likely gone, so for clients this replica treats the shard as having no
    /// primary: it holds their requests for the coming election instead of naming a dead node
    /// (which sent them bouncing between it and the replicas with growing pauses).
    var lostPrimary: NodeID?
    var balancedAtStart = false

    // Leadership, as operators see it.
    let leaderName = Mutex<String?>(nil)
    /// The last primary this replica knew of (not cleared by an election), for the change log.
    var lastKnownPrimary: String?
    var leadershipChanges: [LeadershipChange] = []
    /// Elections that replaced a lost primary (not those at startup, not transfers).
    var electionsSeen = 0
    /// The term of the latest election held to hand leadership over on purpose, as far as
    /// this replica saw it (a `timeoutNow` or a transfer vote request).
    var transferTerm: Term?
    var transferWaiters: [TransferWaiter] = []

    // Snapshots.
    var snapshotInFlight = false
    var lastSnapshotIndex: LogIndex
    var lastSnapshotTime = NIODeadline.now()
    var lastSnapshot: SnapshotRecord?
    var snapshotWaiters: [@Sendable (Message) -> Void] = []
    var bytesSinceSnapshot = 0
    var drainWaiters: [EventLoopPromise<Void>] = []
    var senders: [NodeID: SnapshotSender] = [:]
    var receiver: SnapshotReceiver?
    /// A snapshot received from the leader and verified, waiting for Raft to ask for its install.
    var receivedSnapshot: (meta: SnapshotMeta, state: ShardState, record: SnapshotRecord)?

    init(
        shardID: UInt32, eventLoop: any EventLoop, nodeID: String, replicaNodes: [String], config: ClusterConfig,
        recovered: RecoveredShard, transport: PeerTransport, ioPool: NIOThreadPool, hardStatePool: NIOThreadPool, metrics: ShardMetrics,
        randomSeed: UInt64, logger: Logger
    ) throws {
        self.shardID = shardID
        self.eventLoop = eventLoop
        self.nodeID = nodeID
        let members = ClusterMembers(config)
        self.members = members
        self.transport = transport
        self.log = recovered.log
        self.snapshots = recovered.snapshots
        self.hardStateFile = recovered.hardStateFile
        self.snapshotPolicy = config.snapshot
        self.ioPool = ioPool
        self.hardStatePool = hardStatePool
        self.logger = logger
        self.metrics = metrics
        self.isPreferredPrimary = replicaNodes.first == nodeID
        self.preferredPrimary = members.consensusID(of: replicaNodes[0])!
        self.replicaOrder = replicaNodes.map { members.consensusID(of: $0)! }
        var raftConfig = Config(
            id: members.consensusID(of: nodeID)!, peers: replicaNodes.map { members.consensusID(of: $0)! },
            randomSeed: randomSeed)
        raftConfig.heartbeatTicks = config.consensus.heartbeatTicks
        raftConfig.electionTicks = config.consensus.electionTicks
        // On silence alone, replicas campaign after 2–3 election timeouts and a primary steps
        // down after 2: on 2 cores, loops busy with 64 MiB pushes delayed heartbeats and their
        // answers past one, and primaries moved without any failure. A primary that dies closes
        // its connections, and the survivors still campaign after one timeout, in placement
        // order (`peerLost`): kill -9 failover is as fast as before.
        raftConfig.silenceTimeoutTicks = 2 * config.consensus.electionTicks
        do {
            raft = try RaftNode(config: raftConfig, restoring: recovered.persisted)
        } catch {
            throw ServerError.recovery(shard: shardID, reason: "\(error)")
        }
        state = recovered.state
        appliedIndex = recovered.persisted.snapshot.index
        appliedTerm = recovered.persisted.snapshot.term
        loggedIndex = recovered.persisted.entries.last?.index ?? 0
        let hard = recovered.persisted.hardState
        persistedHardState = HardStateRecord(term: hard.term, vote: hard.vote?.rawValue ?? 0, commit: hard.commit)
        lastSnapshotIndex = recovered.persisted.snapshot.index
        lastSnapshot = recovered.snapshot
        metrics.setRole(.candidate)
        metrics.setTerm(raft.term)
        metrics.setCommitIndex(raft.commitIndex)
        metrics.setAppliedIndex(appliedIndex)
        if let snapshot = recovered.snapshot { metrics.setSnapshotBytes(snapshot.compressedBytes) }
    }

    /// Starts the replica's clock; call once, after every replica of the node exists.
    func start() {
        transport.onPeerLost { peer in self.eventLoop.execute { self.peerLost(peer) } }
        eventLoop.scheduleRepeatedTask(initialDelay: Self.tickInterval, delay: Self.tickInterval) { _ in
            self.onTimer()
        }
        eventLoop.execute { self.pump() }
    }

    // MARK: Requests

    /// Serves one client request; `respond` is called exactly once, on this replica's loop.
    func handle(_ frame: Frame, respond: @escaping @Sendable (Message) -> Void) {
        let received = NIODeadline.now()
        // A connection served by this replica's own loop skips the hop: a thread wake-up costs
        // tens of microseconds on a VM, as much as the whole round trip of a small request.
        if eventLoop.inEventLoop {
            dispatch(frame, received: received, respond: respond)
        } else {
            eventLoop.execute { self.dispatch(frame, received: received, respond: respond) }
        }
    }

    private func dispatch(_ frame: Frame, received: NIODeadline, respond: @escaping @Sendable (Message) -> Void) {
        eventLoop.preconditionInEventLoop()
        let message = frame.message
        if case .snapshotRequest = message {} else if parkWhileElecting(frame, received: received, respond: respond) { return }
        switch message {
        case .createTensor:
            self.propose(frame, measured: nil, respond: respond)
        case .pushDense(let push):
            self.propose(frame, measured: MeasuredPush(payloadBytes: push.gradient.readableBytes, received: received), respond: respond)
        case .pushSparse(let push):
            let bytes = push.gradients.readableBytes + push.rowIDs.count * MemoryLayout<UInt64>.size
            self.propose(frame, measured: MeasuredPush(payloadBytes: bytes, received: received), respond: respond)
        case .pullDense(let pull):
            self.serveRead(received: received, respond: respond) { self.state.pullDense(pull, allocator: self.allocator) }
        case .pullSparse(let pull):
            self.serveRead(received: received, respond: respond) { self.state.pullSparse(pull, allocator: self.allocator) }
        case .describeTensor(let describe):
            self.serveRead(received: nil, respond: respond) { self.state.describe(describe.name) }
        case .snapshotRequest:
            self.snapshotWaiters.append(respond)
            self.takeSnapshot(reason: "requested")
        default:
            respond(.error(ErrorReply(code: .badRequest, message: "\(message.type) is not a shard request")))
        }
    }

    /// While the group has no primary (an election is running), a request is held instead of
    /// refused, and answered the moment a primary is known: served here if this replica won,
    /// otherwise `notLeader` naming the winner. A client thus learns the new primary at once
    /// instead of retrying blind through the election. Held at most `electionHoldTimeout`; not
    /// held at all by a replica cut off from its group's majority, which would only hold it to
    /// the timeout: the client had better ask another replica now.
    private func parkWhileElecting(_ frame: Frame, received: NIODeadline, respond: @escaping @Sendable (Message) -> Void) -> Bool {
        guard failure == nil, !raft.isLeader, reachablePrimary == nil, heldDuringElection.count < Self.heldDuringElectionMax,
              transport.mayReachMajority(of: replicaOrder, selfID: raft.id)
        else { return false }
        heldDuringElection.append((frame, received, respond, .now() + Self.electionHoldTimeout))
        metrics.recordHeldRequest()
        return true
    }

    /// Once a primary is known, answers or serves everything held; otherwise only what waited
    /// past its hold, or everything once this replica is cut off from its group's majority
    /// (answered `notLeader` without a hint: the client tries another replica).
    func releaseHeldRequests() {
        guard !heldDuringElection.isEmpty else { return }
        let now = NIODeadline.now()
        let releaseAll = reachablePrimary != nil || !transport.mayReachMajority(of: replicaOrder, selfID: raft.id)
        let released = heldDuringElection.filter { releaseAll || $0.until <= now }
        heldDuringElection.removeAll { releaseAll || $0.until <= now }
        for held in released {
            if raft.isLeader {
                dispatch(held.frame, received: held.received, respond: held.respond)
            } else {
                held.respond(notLeaderReply())
            }
        }
    }

    /// Appends a command to the replicated log; the client is answered when it is applied.
    private func propose(_ frame: Frame, measured: MeasuredPush?, respond: @escaping @Sendable (Message) -> Void) {
        eventLoop.preconditionInEventLoop()
        if let failure {
            respond(.error(ErrorReply(code: .unavailable, message: "shard \(shardID) on \(nodeID) stopped: \(failure)")))
            return
        }
        switch raft.propose(ReplicatedCommand.encode(frame)) {
        case .success(let receipt):
            proposals[receipt.index] = PendingProposal(
                term: receipt.term, command: ReplicatedCommand.command(of: frame.message), measured: measured, respond: respond)
            pumpSoon()
        case .failure(.notLeader):
            respond(notLeaderReply())
        case .failure(let refusal):
            respond(.error(ErrorReply(code: .unavailable, message: "shard \(shardID): \(refusal)", leaderHint: leaderName.withLock { $0 } ?? "")))
        }
    }

    /// Answers a read from the local state if this replica holds the primary's lease: then no
    /// other primary can exist, and the state includes every acknowledged push. A primary without
    /// a lease (just elected, or cut off from its group) answers `unavailable`, which clients retry.
    private func serveRead(received: NIODeadline?, respond: @escaping @Sendable (Message) -> Void, read: @escaping () -> Message) {
        eventLoop.preconditionInEventLoop()
        guard let permit = raft.localReadPermit else {
            if raft.isLeader {
                respond(.error(ErrorReply(
                    code: .unavailable, message: "the primary of shard \(shardID) has no lease yet; retry", leaderHint: nodeID)))
            } else {
                respond(notLeaderReply())
            }
            return
        }
        let serve = {
            let reply = read()
            if let received { self.recordPull(reply, received: received) }
            respond(reply)
        }
        if appliedIndex >= permit.readIndex {
            serve()
        } else {
            readsAwaitingApply.append((permit.readIndex, serve, respond))
        }
    }

    private func recordPull(_ reply: Message, received: NIODeadline) {
        let payloadBytes: Int
        switch reply {
        case .denseData(let data): payloadBytes = data.values.readableBytes
        case .sparseData(let data): payloadBytes = data.rows.readableBytes
        default: payloadBytes = 0
        }
        metrics.recordRequest(.pull, payloadBytes: payloadBytes, duration: .since(received))
    }

    /// The primary as far as clients should know: none while the known one's connection is lost.
    var reachablePrimary: NodeID? {
        guard let leader = raft.softState.leader, leader != lostPrimary else { return nil }
        return leader
    }

    func notLeaderReply() -> Message {
        let hint = reachablePrimary == nil ? nil : leaderName.withLock { $0 }
        let message = hint.map { "node \(nodeID) is not the primary of shard \(shardID); the primary is \($0)" }
            ?? "node \(nodeID) is not the primary of shard \(shardID), and no primary is known yet"
        return .error(ErrorReply(code: .notLeader, message: message, leaderHint: hint == nodeID ? "" : hint ?? ""))
    }

    // MARK: Consensus input

    /// Messages from peers for this shard, in the order they arrived.
    func step(_ messages: [RaftMessage]) {
        stepsQueued.add(1, ordering: .relaxed)
        eventLoop.execute {
            self.stepsQueued.subtract(1, ordering: .relaxed)
            for message in messages where message.to == self.raft.id {
                if message.from == self.lostPrimary { self.lostPrimary = nil }
                self.noteLeadershipTransfer(message)
                self.raft.step(message)
            }
            self.pump()
        }
    }

    private func onTimer() {
        let due = (NIODeadline.now() - clockStarted).nanoseconds / Self.tickInterval.nanoseconds
        let missed = due - ticksDone
        ticksDone = due
        let behind = stepsQueued.load(ordering: .relaxed) > 0
        if raft.isLeader {
            // A primary counts every missed tick: its lease is measured in ticks, so a tick must
            // never stand for more wall time than it should, even after the loop stalled. It
            // counts them as stalled ticks, so a busy loop alone cannot make it step down: its
            // followers' answers are queued behind the work.
            if missed > 1 || (missed == 1 && behind) {
                raft.tick(stalled: Int(missed))
            } else if missed == 1 {
                raft.tick()
            }
        } else if missed >= 1 && !behind {
            // Any other replica drops missed ticks, and ticks while peer messages wait: a loop
            // that is behind has not heard the primary yet, so counting that time toward an
            // election would only start needless ones (a 64 MiB push kept loops busy long enough
            // to move the primary every second). A slower clock on a non-primary only makes it
            // wait longer before voting: the safe side of the lease argument.
            raft.tick()
        }
        if isPreferredPrimary, !campaignedAtStart, raft.ticksElapsed >= UInt64(raft.config.electionTicks) {
            campaignedAtStart = true
            if raft.softState.leader == nil { raft.campaign() }
        }
        campaignEarlyIfPrimaryLost()
        releaseHeldRequests()
        balancePrimaryAtStart()
        tickSnapshotTransfers()
        tickLeadershipTransfers()
        pump()
        maybeSnapshot()
    }

    /// The connection to `peer` broke. If it is this shard's primary, its process may be gone:
    /// the surviving replicas campaign one after another in placement order
    /// (`EarlyCampaignTurn`), instead of after the silence timeout.
    private func peerLost(_ peer: NodeID) {
        guard raft.role == .follower, raft.softState.leader == peer else { return }
        // Reconnects through a partition break again and again: the first break sets the order.
        guard lostPrimary != peer else { return }
        lostPrimary = peer
        guard let rank = replicaOrder.filter({ $0 != peer }).firstIndex(of: raft.id) else { return }
        earlyCampaign = EarlyCampaignTurn(lostPrimary: peer, rank: rank, now: raft.ticksElapsed, electionTicks: raft.config.electionTicks)
    }

    private func campaignEarlyIfPrimaryLost() {
        guard let turn = earlyCampaign else { return }
        // The turn belongs to the primary lost last; one heard from again is not lost.
        guard turn.lostPrimary == lostPrimary else {
            earlyCampaign = nil
            return
        }
        switch turn.step(now: raft.ticksElapsed, selfID: raft.id, role: raft.role, leader: raft.softState.leader, vote: raft.vote) {
        case .wait:
            break
        case .end:
            earlyCampaign = nil
        case .campaign:
            raft.campaign()
            if raft.role == .candidate || raft.role == .leader { earlyCampaign = nil }
        }
    }

    /// Remembers elections held on purpose, so operators see them as transfers, not failures.
    private func noteLeadershipTransfer(_ message: RaftMessage) {
        switch message.kind {
        case .timeoutNow:
            // Asked to take over: an operator's failover or the start-up balancing, which
            // must never be undone by balancing again.
            balancedAtStart = true
            transferTerm = raft.term + 1
        case .vote(_, _, isLeadershipTransfer: true):
            transferTerm = message.term
        default:
            break
        }
    }

    /// A replica that won its shard's first election although another replica is the preferred
    /// primary hands over once that one is caught up, so at start every node leads its share of
    /// shards. Only in the first `balanceWindowTicks` of this process: later, primaries stay
    /// where failures put them until an operator moves them (`parasol failover`).
    private func balancePrimaryAtStart() {
        let balanceWindowTicks: UInt64 = 3000
        guard !balancedAtStart, raft.isLeader, !isPreferredPrimary else { return }
        guard raft.ticksElapsed < balanceWindowTicks, leadershipChanges.count <= 1 else {
            balancedAtStart = true
            return
        }
        guard raft.leadershipTransferTarget == nil, raft.canServeLocalReads,
              let preferred = raft.followers.first(where: { $0.node == preferredPrimary }),
              preferred.recentlyActive, preferred.matchIndex == raft.lastIndex
        else { return }
        balancedAtStart = true
        logger.info("shard \(shardID): handing the primary role to \(members.name(of: preferredPrimary) ?? "?"), its preferred primary")
        try? raft.transferLeadership(to: preferredPrimary)
    }

    // MARK: The Ready loop

    /// Pumps once the loop has run what is already queued on it. The requests a worker sends
    /// together arrive in one read (or as hops queued together) and are proposed one by one:
    /// pumping at the first would send it alone into a `Ready` and leave the rest waiting a
    /// whole log write for the next one.
    private func pumpSoon() {
        guard !pumpScheduled else { return }
        pumpScheduled = true
        eventLoop.execute {
            self.pumpScheduled = false
            self.pump()
        }
    }

    /// Takes the next `Ready` if none is being handled and handles it: early appends, persist
    /// (applying meanwhile what was durable before), then send, then apply the rest, then
    /// `advance`, then look again.
    func pump() {
        eventLoop.preconditionInEventLoop()
        guard !handlingReady, failure == nil, raft.hasReady else { return }
        handlingReady = true
        let ready = raft.ready()
        // A leader's appends go out first: the followers write while this node does.
        for message in ready.earlyMessages { transport.send(message, shard: shardID) }
        let persisted = persist(ready)
        // What was durable here before this Ready is applied and answered while the log
        // writer writes this Ready's entries, not after.
        if ready.appliableBeforePersisting > 0 {
            for entry in ready.committedEntries.prefix(ready.appliableBeforePersisting) { apply(entry) }
            serveReadsAwaitingApply()
        }
        persisted.whenComplete { result in
            switch result {
            case .success:
                self.afterPersisting(ready)
            case .failure(let error):
                self.stop(because: "cannot persist its log or hard state: \(error)")
            }
        }
    }

    /// Step 1 of a `Ready`: snapshot install truncates the log, entries are appended (after
    /// cutting a conflicting suffix), and a new term or vote is written to the hard-state file.
    private func persist(_ ready: Ready) -> EventLoopFuture<Void> {
        var steps: [EventLoopFuture<Void>] = []
        if ready.snapshot != nil, loggedIndex > 0 {
            // The snapshot replaces the whole log; its file is already in place (see SnapshotReceiver).
            steps.append(walOperation { self.log.truncate(from: 0, completion: $0) })
            loggedIndex = 0
        }
        if let first = ready.entries.first {
            if first.index <= loggedIndex {
                steps.append(walOperation { self.log.truncate(from: first.index, completion: $0) })
            }
            let records = ready.entries.map { entry in
                LogRecord(term: entry.term, index: entry.index, type: entry.kind.rawValue, payload: entry.payload)
            }
            steps.append(walOperation { self.log.append(records, completion: $0) })
            loggedIndex = ready.entries.last!.index
        }
        if let hard = ready.hardState, hard.term != persistedHardState.term || (hard.vote?.rawValue ?? 0) != persistedHardState.vote {
            let record = HardStateRecord(term: hard.term, vote: hard.vote?.rawValue ?? 0, commit: hard.commit)
            let file = hardStateFile
            steps.append(hardStatePool.runIfActive(eventLoop: eventLoop) { try file.store(record) })
            persistedHardState = record
        }
        guard !steps.isEmpty else { return eventLoop.makeSucceededVoidFuture() }
        return EventLoopFuture.andAllSucceed(steps, on: eventLoop)
    }

    private func walOperation(_ operation: (@escaping @Sendable (Result<Void, any Error>) -> Void) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        operation { promise.completeWith($0) }
        return promise.futureResult
    }

    /// Steps 2–4 of a `Ready`.
    private func afterPersisting(_ ready: Ready) {
        eventLoop.preconditionInEventLoop()
        for message in ready.messages { transport.send(message, shard: shardID) }
        for transfer in ready.snapshotTransfers { startSnapshotSender(transfer) }
        if let meta = ready.snapshot { installReceivedSnapshot(meta) }
        for entry in ready.committedEntries.dropFirst(ready.appliableBeforePersisting) { apply(entry) }
        if let soft = ready.softState { onSoftStateChange(soft) }
        metrics.setCommitIndex(raft.commitIndex)
        metrics.setAppliedIndex(appliedIndex)
        if ready.hardState?.term != nil { metrics.setTerm(raft.term) }
        raft.advance(ready)
        handlingReady = false
        serveReadsAwaitingApply()
        completeDrainIfIdle()
        pump()
    }

    private func apply(_ entry: LogEntry) {
        guard entry.index > appliedIndex else { return }
        var reply: Message = .error(ErrorReply(code: .internalError, message: "entry \(entry.index) carried no command"))
        if entry.kind == .normal {
            do {
                let proposed = proposals[entry.index].flatMap { $0.term == entry.term ? $0.command : nil }
                let command = try proposed ?? ReplicatedCommand.decode(entry.payload, index: entry.index)
                reply = state.apply(command, index: entry.index)
            } catch {
                stop(because: "committed entry \(entry.index) does not decode: \(error)")
                return
            }
            bytesSinceSnapshot += entry.payload.count
        }
        appliedIndex = entry.index
        appliedTerm = entry.term
        guard let proposal = proposals.removeValue(forKey: entry.index) else { return }
        if proposal.term == entry.term {
            if let measured = proposal.measured {
                metrics.recordRequest(.push, payloadBytes: measured.payloadBytes, duration: .since(measured.received))
            }
            proposal.respond(reply)
        } else {
            // Another leader's entry took this index: the proposal was lost in the change. The
            // client retries with the same sequence number, so it is applied at most once.
            proposal.respond(notLeaderReply())
        }
    }

    private func serveReadsAwaitingApply() {
        guard !readsAwaitingApply.isEmpty else { return }
        let ready = readsAwaitingApply.filter { $0.readIndex <= appliedIndex }
        readsAwaitingApply.removeAll { $0.readIndex <= appliedIndex }
        for read in ready { read.serve() }
    }

    /// The role or the leader changed: route clients, tell the ones waiting on a lost
    /// leadership to retry elsewhere, and record the change for operators.
    private func onSoftStateChange(_ soft: SoftState) {
        let previous = lastKnownPrimary
        let current = members.name(of: soft.leader)
        leaderName.withLock { $0 = current }
        metrics.setRole(soft.role == .leader ? .primary : (soft.role == .follower ? .replica : .candidate))
        metrics.setTerm(raft.term)
        if soft.role != .leader {
            let waiting = proposals
            proposals = [:]
            for proposal in waiting.values { proposal.respond(notLeaderReply()) }
            let reads = readsAwaitingApply
            readsAwaitingApply = []
            for read in reads { read.respond(notLeaderReply()) }
        }
        releaseHeldRequests()
        if soft.role == .candidate || soft.role == .preCandidate { return }
        guard let current, current != previous else { return }
        lastKnownPrimary = current
        let cause: LeadershipChangeCause
        if transferWaiters.contains(where: { $0.target == current }) || transferTerm == raft.term {
            cause = .transfer
        } else if previous == nil && leadershipChanges.isEmpty {
            cause = .startup
        } else {
            cause = .election
            electionsSeen += 1
            metrics.recordElection()
        }
        leadershipChanges.append(LeadershipChange(time: Date(), from: previous, to: current, term: raft.term, cause: cause))
        if leadershipChanges.count > 32 { leadershipChanges.removeFirst() }
        logger.info("shard \(shardID): primary is now \(current) (term \(raft.term), was \(previous ?? "unknown"))")
        completeLeadershipTransfers(newLeader: current)
    }

    /// Stops the replica after a storage failure: it answers nothing as acknowledged again, and
    /// its group carries on without it (its peers stop hearing from it).
    func stop(because reason: String) {
        eventLoop.preconditionInEventLoop()
        guard failure == nil else { return }
        failure = reason
        logger.critical("shard \(shardID): stopping this replica: \(reason)")
        let waiting = proposals
        proposals = [:]
        for proposal in waiting.values {
            proposal.respond(.error(ErrorReply(code: .unavailable, message: "shard \(shardID) on \(nodeID) stopped: \(reason)")))
        }
        handlingReady = false
        completeDrainIfIdle()
    }

    // MARK: Shutdown

    /// Completes once every proposal already made has been answered (or the replica lost its
    /// leadership) and any snapshot being written has finished; used by graceful shutdown.
    func drain() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: Void.self)
            self.drainWaiters.append(promise)
            self.completeDrainIfIdle()
            // Without a majority nothing pending can commit: stop waiting after a while (those
            // clients were never acknowledged, so nothing acknowledged is lost).
            self.eventLoop.scheduleTask(in: Self.drainTimeout) {
                let waiters = self.drainWaiters
                self.drainWaiters = []
                for waiter in waiters { waiter.succeed() }
            }
            return promise.futureResult
        }
    }

    static let drainTimeout = TimeAmount.seconds(5)

    func completeDrainIfIdle() {
        guard proposals.isEmpty || failure != nil, !snapshotInFlight, !drainWaiters.isEmpty else { return }
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.succeed() }
    }

    func close() throws {
        try log.close()
    }
}

/// A client's proposal waiting for its entry to be committed and applied.
struct PendingProposal {
    let term: Term
    /// The command as it arrived: applied as is when its own entry commits, instead of decoding
    /// the entry's copy of it (the same bytes, so the same result on every replica).
    let command: ShardCommand?
    let measured: MeasuredPush?
    let respond: @Sendable (Message) -> Void
}

/// What a push needs carried from its arrival to its acknowledgement to be measured: its
/// payload size and when it was read.
struct MeasuredPush {
    let payloadBytes: Int
    let received: NIODeadline
}

extension Duration {
    /// Time from `start` until now on NIO's monotonic clock.
    static func since(_ start: NIODeadline) -> Duration {
        .nanoseconds((NIODeadline.now() - start).nanoseconds)
    }
}
