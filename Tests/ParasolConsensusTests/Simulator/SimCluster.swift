@testable import ParasolConsensus

/// N real `RaftNode`s in one process on a seeded fake network, a fake clock (ticks) and fake
/// disks, driven either by the swarm (random faults from a `FaultProfile`) or by a scenario
/// script (explicit `crash`, `partition`, `campaign`, ...). A `SimChecker` watches every event.
///
/// Each replica's shell follows the `Ready` contract exactly: write to disk, sync (maybe later),
/// then send, then apply, then `advance`.
/// Hot state is marked `@exclusivity(unchecked)`: the runtime's dynamic exclusivity checks on
/// class properties cost a third of the swarm's time, and a run is confined to one thread.
final class SimCluster {
    let seed: UInt64
    @exclusivity(unchecked) var rng: SeededGenerator
    @exclusivity(unchecked) private(set) var now: UInt64 = 0
    let replicas: [SimReplica]
    @exclusivity(unchecked) var faults: FaultProfile
    var workload: Workload
    let checker: SimChecker
    @exclusivity(unchecked) var clients: [SimClient]
    @exclusivity(unchecked) var queue = EventQueue()
    /// `blockedLinks[from * stride + to]`: messages on that directed link are dropped.
    @exclusivity(unchecked) private var blockedLinks: [Bool]
    /// `linkDelayTicks[from * stride + to]`: extra latency of that directed link (scenario scripts).
    private var linkDelayTicks: [UInt64]
    private let linkStride: Int

    /// Sees every message a replica sends, before the network decides its fate.
    var onSend: ((RaftMessage) -> Void)?
    /// Drops the messages it returns `true` for (scenario scripts).
    var dropFilter: ((RaftMessage) -> Bool)?
    var trace: ((String) -> Void)?
    /// Snapshot streams started by leaders and snapshots installed by followers.
    private(set) var snapshotsStreamed = 0
    private(set) var snapshotsInstalled = 0

    static let eventsPerDrainMax = 500_000

    /// The simulator's base config: the defaults of `Config`, except that snapshot streams (which
    /// take at most ~30 ticks here) are presumed lost after 100 ticks instead of 60 s.
    static func baseConfig(id: NodeID, nodeCount: Int, seed: UInt64) -> Config {
        var config = Config(id: id, peers: (1...UInt64(nodeCount)).map { NodeID($0) }, randomSeed: seed)
        config.snapshotTransferTimeoutTicks = 100
        return config
    }

    init(
        nodeCount: Int, seed: UInt64, faults: FaultProfile = .calm, workload: Workload = .none,
        configure: (inout Config) -> Void = { _ in }
    ) throws {
        self.seed = seed
        rng = SeededGenerator(seed: seed)
        self.faults = faults
        self.workload = workload
        replicas = try (1...UInt64(nodeCount)).map { id in
            var config = Self.baseConfig(id: NodeID(id), nodeCount: nodeCount, seed: seed)
            configure(&config)
            return try SimReplica(config: config)
        }
        checker = SimChecker(nodeCount: nodeCount)
        linkStride = nodeCount + 1
        blockedLinks = Array(repeating: false, count: linkStride * linkStride)
        linkDelayTicks = Array(repeating: 0, count: linkStride * linkStride)
        clients = (0..<workload.clientCount).map { k in
            SimClient(id: UInt32(k + 1), target: NodeID(UInt64(k % nodeCount + 1)))
        }
        precondition(workload.clientCount < CounterState.maxClients, "at most \(CounterState.maxClients - 1) clients")
    }

    var electionTicks: Int { replicas[0].config.electionTicks }

    func replica(_ id: NodeID) -> SimReplica { replicas[Int(id.rawValue) - 1] }

    /// The running node `id` (a precondition failure when it is crashed).
    func node(_ id: NodeID) -> RaftNode {
        guard let node = replica(id).node else { preconditionFailure("\(id) is crashed") }
        return node
    }

    /// The live leader of the highest term, if any.
    var leader: NodeID? {
        var best: (NodeID, Term)?
        for replica in replicas {
            guard let node = replica.node, node.role == .leader else { continue }
            if best == nil || node.term > best!.1 { best = (replica.id, node.term) }
        }
        return best?.0
    }

    // MARK: Time

    /// One tick: faults and clients act, due events are delivered, every live node ticks.
    func tick() {
        guard !checker.hasFailed else { return }
        checker.now = now
        injectRandomFaults()
        actClients()
        deliverDueEvents()
        for replica in replicas where replica.isUp {
            if let stall = replica.stall {
                guard now >= stall.end else { continue }
                // The shell's catch-up after a stall, before the events that waited behind it.
                replica.stall = nil
                if replica.node!.role == .leader {
                    replica.node!.tick(stalled: Int(now - stall.start))
                } else {
                    replica.node!.tick()
                }
            } else {
                replica.node!.tick()
            }
            pump(replica)
            checker.observe(replica)
        }
        deliverDueEvents()
        now += 1
    }

    func tick(_ count: Int) {
        for _ in 0..<count where !checker.hasFailed { tick() }
    }

    /// Ticks until `condition` holds (checked before each tick); returns whether it did within `maxTicks`.
    @discardableResult
    func tick(until condition: () -> Bool, maxTicks: Int) -> Bool {
        for _ in 0..<maxTicks {
            if condition() { return true }
            if checker.hasFailed { return false }
            tick()
        }
        return condition()
    }

    /// Delivers everything due now, including what that delivery causes with zero delay.
    func deliverDueEvents() {
        var delivered = 0
        while !checker.hasFailed, let event = queue.popDue(atOrBefore: now) {
            delivered += 1
            if delivered > Self.eventsPerDrainMax {
                checker.fail("event storm: more than \(Self.eventsPerDrainMax) events within tick \(now)")
                return
            }
            if let stalled = stalledTarget(of: event) {
                // Waits on the stalled thread until just after its catch-up tick.
                queue.push(event, at: stalled.stall!.end + 1)
                continue
            }
            if let touched = handle(event) { checker.observe(touched) }
        }
    }

    /// The stalled replica that would handle `event`, if any.
    private func stalledTarget(of event: SimEvent) -> SimReplica? {
        let target: NodeID
        switch event {
        case .message(let message): target = message.to
        case .diskSynced(let id, _): target = id
        case .snapshotArrived(let delivery): target = delivery.to
        case .snapshotStreamFailed(let leader, _): target = leader
        case .clientRequest(let request): target = request.node
        case .clientReply: return nil
        }
        let replica = replica(target)
        return replica.stall == nil ? nil : replica
    }

    /// Handles one event; returns the replica it changed, if any.
    private func handle(_ event: SimEvent) -> SimReplica? {
        switch event {
        case .message(let message):
            let target = replica(message.to)
            guard target.isUp, !isBlocked(from: message.from, to: message.to) else { return nil }
            trace?("t\(now) deliver \(message.from)→\(message.to) term \(message.term) \(message.kind)")
            target.node!.step(message)
            pump(target)
            return target
        case .diskSynced(let id, let incarnation):
            let target = replica(id)
            guard target.incarnation == incarnation, target.readyInFlight != nil else { return nil }
            completeSync(target)
            pump(target)
            return target
        case .snapshotArrived(let delivery):
            let target = replica(delivery.to)
            guard target.isUp, !isBlocked(from: delivery.from, to: delivery.to) else { return nil }
            trace?("t\(now) snapshot \(delivery.meta) arrived \(delivery.from)→\(delivery.to)")
            target.receivedSnapshots[delivery.meta] = delivery.state
            target.node!.installSnapshot(delivery.meta, from: delivery.from, term: delivery.term)
            pump(target)
            return target
        case .snapshotStreamFailed(let leaderID, let follower):
            let leader = replica(leaderID)
            guard leader.isUp else { return nil }
            leader.node!.reportSnapshotFailure(to: follower)
            pump(leader)
            return leader
        case .clientRequest(let request):
            return handleClientRequest(request)
        case .clientReply(let reply):
            handleClientReply(reply)
            return nil
        }
    }

    // MARK: The shell: Ready → disk → network → state machine → advance

    func pump(_ replica: SimReplica) {
        while !checker.hasFailed, replica.readyInFlight == nil, replica.node?.hasReady == true {
            let ready = replica.node!.ready()
            checker.willPersist(ready, by: replica)
            var snapshotState: CounterState?
            if let meta = ready.snapshot {
                guard let state = replica.receivedSnapshots[meta] else {
                    checker.fail("\(replica.id) must install snapshot \(meta) it never received")
                    return
                }
                snapshotState = state
            }
            for message in ready.earlyMessages { transmit(message) }
            replica.disk.write(ready, snapshotState: snapshotState)
            // As the server does: what was durable before this Ready is applied (and its
            // clients answered) while the write is still in flight.
            for entry in ready.committedEntries.prefix(ready.appliableBeforePersisting) { apply(entry, on: replica) }
            replica.readyInFlight = ready
            if chance(faults.diskDelayProbability) {
                let delay = UInt64.random(in: 1...UInt64(max(1, faults.diskDelayTicksMax)), using: &rng)
                queue.push(.diskSynced(node: replica.id, incarnation: replica.incarnation), at: now + delay)
                return
            }
            completeSync(replica)
        }
    }

    private func completeSync(_ replica: SimReplica) {
        guard let ready = replica.readyInFlight else { return }
        replica.disk.sync()
        checker.diskChanged(replica)
        for message in ready.messages { transmit(message) }
        for transfer in ready.snapshotTransfers { streamSnapshot(from: replica, transfer) }
        if let meta = ready.snapshot {
            snapshotsInstalled += 1
            replica.state = replica.receivedSnapshots[meta]!
            replica.receivedSnapshots = replica.receivedSnapshots.filter { $0.key.index > meta.index }
            checker.applied(through: meta.index, state: replica.state, by: replica)
            for index in replica.proposals.keys where index <= meta.index {
                let lost = replica.proposals.removeValue(forKey: index)!
                reply(.writeRefused(seq: lost.seq, leaderHint: replica.node?.leader), to: lost.client)
            }
        }
        for entry in ready.committedEntries.dropFirst(ready.appliableBeforePersisting) { apply(entry, on: replica) }
        replica.node!.advance(ready)
        replica.readyInFlight = nil
    }

    private func apply(_ entry: LogEntry, on replica: SimReplica) {
        let command = replica.state.apply(entry)
        checker.applied(through: entry.index, state: replica.state, by: replica)
        guard let pending = replica.proposals.removeValue(forKey: entry.index) else { return }
        if entry.term == pending.term, let command, command.client == pending.client, command.seq == pending.seq {
            checker.writeAcknowledged(command, by: replica)
            reply(.writeAcknowledged(seq: pending.seq), to: pending.client)
        } else {
            reply(.writeRefused(seq: pending.seq, leaderHint: replica.node?.leader), to: pending.client)
        }
    }

    // MARK: Network

    func transmit(_ message: RaftMessage) {
        onSend?(message)
        if dropFilter?(message) == true { return }
        guard !isBlocked(from: message.from, to: message.to), !chance(faults.messageDropProbability) else { return }
        let copies = chance(faults.messageDuplicateProbability) ? 2 : 1
        for _ in 0..<copies {
            let jump: Int64 = chance(faults.messageReorderProbability) ? Int64.random(in: 1...64, using: &rng) : 0
            let linkDelay = linkDelayTicks[Int(message.from.rawValue) * linkStride + Int(message.to.rawValue)]
            queue.push(.message(message), at: now + linkDelay + messageDelayTicks(), jumpAhead: jump)
        }
    }

    func messageDelayTicks() -> UInt64 {
        guard chance(faults.messageDelayProbability) else { return 0 }
        return UInt64.random(in: 1...UInt64(max(1, faults.messageDelayTicksMax)), using: &rng)
    }

    private func streamSnapshot(from leader: SimReplica, _ transfer: SnapshotTransfer) {
        let meta = leader.disk.snapshot
        precondition(meta.index >= transfer.snapshot.index, "the disk snapshot is older than the node's")
        snapshotsStreamed += 1
        if chance(faults.snapshotLossProbability) { return }
        if chance(faults.snapshotFailureReportProbability) {
            queue.push(.snapshotStreamFailed(leader: leader.id, follower: transfer.to),
                       at: now + UInt64.random(in: 1...5, using: &rng))
            return
        }
        let delivery = SnapshotDelivery(from: leader.id, to: transfer.to, term: transfer.term,
                                        meta: meta, state: leader.disk.snapshotState)
        queue.push(.snapshotArrived(delivery), at: now + 1 + messageDelayTicks())
    }

    func isBlocked(from: NodeID, to: NodeID) -> Bool {
        blockedLinks[Int(from.rawValue) * linkStride + Int(to.rawValue)]
    }

    func setLink(from: NodeID, to: NodeID, blocked: Bool) {
        blockedLinks[Int(from.rawValue) * linkStride + Int(to.rawValue)] = blocked
    }

    /// Every message from `from` to `to` takes `ticks` extra ticks (a slow one-way path).
    func delay(from: NodeID, to: NodeID, ticks: UInt64) {
        linkDelayTicks[Int(from.rawValue) * linkStride + Int(to.rawValue)] = ticks
    }

    func chance(_ probability: Double) -> Bool {
        probability > 0 && Double.random(in: 0..<1, using: &rng) < probability
    }
}
