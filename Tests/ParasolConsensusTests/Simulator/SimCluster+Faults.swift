@testable import ParasolConsensus

/// Faults and operator actions: used one by one by scenario scripts and at random by the swarm.
extension SimCluster {
    // MARK: Processes

    /// Power loss on `id`: volatile state is gone; unsynced writes survive only as a torn prefix.
    func crash(_ id: NodeID) {
        let replica = replica(id)
        guard replica.isUp else { return }
        trace?("t\(now) crash \(id)")
        replica.node = nil
        replica.incarnation += 1
        let unsyncedCount = replica.disk.unsynced.count
        let surviving = unsyncedCount > 0 && chance(faults.tornWriteProbability) ? Int.random(in: 0...unsyncedCount, using: &rng) : 0
        replica.disk.crash(survivingWrites: surviving)
        checker.diskChanged(replica)
        replica.readyInFlight = nil
        replica.proposals = [:]
        replica.receivedSnapshots = [:]
        replica.stall = nil
    }

    /// Restarts `id` from its disk, as the server would.
    func restart(_ id: NodeID) {
        let replica = replica(id)
        guard !replica.isUp else { return }
        trace?("t\(now) restart \(id)")
        do {
            replica.node = try RaftNode(config: replica.config, restoring: replica.disk.persistedState)
        } catch {
            checker.fail("\(id) cannot restart from its disk: \(error)")
            return
        }
        replica.state = replica.disk.snapshotState
        checker.restarted(replica)
        pump(replica)
        checker.observe(replica)
    }

    // MARK: Network

    /// Cuts every link to and from `id`.
    func isolate(_ id: NodeID) {
        for other in replicas where other.id != id {
            setLink(from: id, to: other.id, blocked: true)
            setLink(from: other.id, to: id, blocked: true)
        }
    }

    /// Only replicas in the same group can talk.
    func partition(_ groups: [[NodeID]]) {
        var groupOf = [NodeID: Int]()
        for (number, group) in groups.enumerated() { for id in group { groupOf[id] = number } }
        trace?("t\(now) partition \(groups)")
        for from in replicas {
            for to in replicas where from.id != to.id {
                setLink(from: from.id, to: to.id, blocked: groupOf[from.id] != groupOf[to.id])
            }
        }
    }

    /// Drops messages from `from` to `to` only (a one-way link failure).
    func cut(from: NodeID, to: NodeID) {
        trace?("t\(now) cut \(from)→\(to)")
        setLink(from: from, to: to, blocked: true)
    }

    func healNetwork() {
        trace?("t\(now) heal")
        for from in replicas { for to in replicas { setLink(from: from.id, to: to.id, blocked: false) } }
    }

    /// Liveness phase: no more faults, every link up, every replica running.
    func healEverything() {
        faults = .calm
        healNetwork()
        for replica in replicas where !replica.isUp { restart(replica.id) }
    }

    // MARK: Operator actions

    /// Runs `body` on the live node `id` (propose, campaign, transfer...), then lets its shell act.
    @discardableResult
    func withNode<T>(_ id: NodeID, _ body: (inout RaftNode) throws -> T) rethrows -> T {
        let replica = replica(id)
        precondition(replica.isUp, "\(id) is crashed")
        let result = try body(&replica.node!)
        pump(replica)
        checker.observe(replica)
        return result
    }

    func campaign(_ id: NodeID) { withNode(id) { $0.campaign() } }

    /// Proposes a counter command on `id` as a client would, tracking it for acknowledgement.
    @discardableResult
    func propose(_ command: CounterCommand, at id: NodeID) -> ProposeResult {
        let replica = replica(id)
        let result = withNode(id) { $0.propose(command.encoded) }
        if case .success(let receipt) = result {
            replica.proposals[receipt.index] = .init(client: command.client, seq: command.seq, term: receipt.term)
        }
        return result
    }

    /// The application snapshots its state machine at the applied index and compacts the log.
    /// Returns whether it did (it waits while a `Ready` is being persisted).
    @discardableResult
    func compact(_ id: NodeID) -> Bool {
        let replica = replica(id)
        guard replica.readyInFlight == nil, let node = replica.node, node.appliedIndex > node.snapshot.index,
              let term = node.term(at: node.appliedIndex)
        else { return false }
        precondition(replica.state.appliedIndex == node.appliedIndex, "state machine and node disagree on applied")
        let meta = SnapshotMeta(index: node.appliedIndex, term: term)
        replica.disk.saveSnapshot(meta, state: replica.state)
        do {
            try replica.node!.compact(through: meta)
        } catch {
            checker.fail("\(id) refused to compact through \(meta): \(error)")
            return false
        }
        trace?("t\(now) \(id) compacted through \(meta.index)")
        return true
    }

    // MARK: Swarm

    func injectRandomFaults() {
        if chance(faults.crashChancePerTick), let victim = randomReplica(where: { $0.isUp }) { crash(victim.id) }
        for replica in replicas where !replica.isUp && chance(faults.restartChancePerTick) { restart(replica.id) }
        if chance(faults.partitionChancePerTick) {
            var ids = replicas.map(\.id)
            ids.shuffle(using: &rng)
            let split = Int.random(in: 1..<ids.count, using: &rng)
            partition([Array(ids[..<split]), Array(ids[split...])])
        }
        if chance(faults.leaderIsolationChancePerTick), let leader {
            trace?("t\(now) isolate leader \(leader)")
            isolate(leader)
        }
        if chance(faults.oneWayCutChancePerTick) {
            let from = replicas.randomElement(using: &rng)!.id
            let to = replicas.randomElement(using: &rng)!.id
            if from != to { cut(from: from, to: to) }
        }
        if chance(faults.healChancePerTick) { healNetwork() }
        if chance(faults.compactionChancePerTick), let replica = randomReplica(where: { $0.isUp }) {
            compact(replica.id)
        }
        if chance(faults.transferChancePerTick), let leader {
            let target = replicas.filter { $0.id != leader }.randomElement(using: &rng)!.id
            trace?("t\(now) transfer \(leader)→\(target)")
            withNode(leader) { try? $0.transferLeadership(to: target) }
        }
        if chance(faults.campaignChancePerTick), let replica = randomReplica(where: { $0.isUp }) {
            campaign(replica.id)
        }
        if chance(faults.stallChancePerTick) {
            // Half the time the leader: its catch-up is the one that must keep the lease honest.
            let victim = Bool.random(using: &rng) ? leader.map(replica) : randomReplica(where: { $0.isUp })
            if let victim, victim.isUp, victim.stall == nil {
                let ticks = UInt64.random(in: 1...UInt64(max(1, faults.stallTicksMax)), using: &rng)
                trace?("t\(now) stall \(victim.id) for \(ticks) ticks")
                victim.stall = (start: now, end: now + ticks)
            }
        }
    }

    private func randomReplica(where predicate: (SimReplica) -> Bool) -> SimReplica? {
        replicas.filter(predicate).randomElement(using: &rng)
    }
}
