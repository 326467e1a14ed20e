@testable import ParasolConsensus

/// One seeded schedule of the swarm: a safety phase under a randomly drawn fault profile, then
/// a liveness phase with every fault healed, in which a leader must commit a proposal that every
/// replica applies within a bound. The seed decides everything, so a failure replays exactly.
enum SwarmRun {
    struct Outcome {
        var seed: UInt64
        var failure: String?
        var failureTick: UInt64
        var nodeCount: Int
        var ticks: UInt64
        var committedEntries: Int
        var acknowledgedWrites: Int
        var servedReads: Int
        var livenessTicks: Int

        /// The line printed for a failed seed, with the command that replays it.
        var report: String {
            "seed \(seed) failed at tick \(failureTick) (\(nodeCount) nodes): \(failure ?? "no failure")\n"
                + "  replay: \(SimEnvironment.replayCommand(seed: seed))"
        }
    }

    /// Liveness bound after healing: 40 election timeouts (a restarted replica refuses votes for
    /// one, each split vote costs up to two more), but never under 600 ticks, because a snapshot
    /// stream lost just before healing is only retried after its 100-tick timeout.
    static func livenessBoundTicks(electionTicks: Int) -> Int { max(40 * electionTicks, 600) }
    /// The liveness phase's client id (client ids 1... belong to the workload).
    static let livenessClient: UInt32 = 0

    static func run(seed: UInt64, trace: ((String) -> Void)? = nil) -> Outcome {
        var rng = SeededGenerator(seed: seed)
        let nodeCount = Bool.random(using: &rng) ? 3 : 5
        let faults = FaultProfile.swarm(using: &rng)
        let workload = Workload.swarm(using: &rng)
        let configure = ConfigProfile.swarm(using: &rng)
        let safetyTicks = Int.random(in: 200...900, using: &rng)
        let cluster: SimCluster
        do {
            cluster = try SimCluster(nodeCount: nodeCount, seed: rng.next(), faults: faults, workload: workload,
                                     configure: configure)
        } catch {
            return Outcome(seed: seed, failure: "cluster setup failed: \(error)", failureTick: 0, nodeCount: nodeCount,
                           ticks: 0, committedEntries: 0, acknowledgedWrites: 0, servedReads: 0, livenessTicks: 0)
        }
        cluster.trace = trace
        trace?("seed \(seed): \(nodeCount) nodes, \(safetyTicks) safety ticks, \(cluster.replicas[0].config), \(faults), \(workload)")

        for tick in 0..<safetyTicks where !cluster.checker.hasFailed {
            cluster.tick()
            if tick % 100 == 99 { cluster.checker.checkDurability(cluster.replicas) }
        }
        cluster.checker.checkDurability(cluster.replicas)

        let livenessTicks = checkLiveness(cluster)
        checkConvergence(cluster)
        return Outcome(
            seed: seed, failure: cluster.checker.failure, failureTick: cluster.checker.failureTick,
            nodeCount: nodeCount, ticks: cluster.now, committedEntries: cluster.checker.canonical.count,
            acknowledgedWrites: cluster.checker.acknowledgedWrites, servedReads: cluster.checker.servedReads,
            livenessTicks: livenessTicks
        )
    }

    /// With the clients gone, every replica must reach the same applied index — at or beyond every
    /// acknowledged write — with the same state (the checker compares each apply with the reference).
    private static func checkConvergence(_ cluster: SimCluster) {
        guard !cluster.checker.hasFailed else { return }
        cluster.clients.removeAll()
        let bound = livenessBoundTicks(electionTicks: cluster.electionTicks)
        let converged = cluster.tick(until: {
            let applied = cluster.replicas.map(\.state.appliedIndex)
            return applied.allSatisfy { $0 == applied[0] } && applied[0] == cluster.replicas[0].node?.commitIndex
        }, maxTicks: bound)
        guard !cluster.checker.hasFailed else { return }
        if !converged {
            cluster.checker.fail("replicas did not converge within \(bound) ticks: applied \(cluster.replicas.map(\.state.appliedIndex))")
            return
        }
        cluster.checker.checkDurability(cluster.replicas)
        let required = cluster.checker.maxAcknowledgedEffectIndex
        if cluster.replicas[0].state.appliedIndex < required {
            cluster.checker.fail("replicas converged at \(cluster.replicas[0].state.appliedIndex) without acknowledged write at \(required)")
        }
    }

    /// Heals everything, then requires a leader to commit a fresh proposal that every replica
    /// applies. Returns the ticks it took.
    private static func checkLiveness(_ cluster: SimCluster) -> Int {
        guard !cluster.checker.hasFailed else { return 0 }
        cluster.healEverything()
        let bound = livenessBoundTicks(electionTicks: cluster.electionTicks)
        var seq: UInt32 = 0
        let start = cluster.now
        let converged = cluster.tick(until: {
            if cluster.replicas.allSatisfy({ $0.state.lastSeqByClient[Int(livenessClient)] > 0 }) { return true }
            if (cluster.now - start) % UInt64(cluster.electionTicks) == 0, let leader = cluster.leader {
                seq += 1
                cluster.propose(CounterCommand(client: livenessClient, seq: seq, delta: 0), at: leader)
            }
            return false
        }, maxTicks: bound)
        if !converged && !cluster.checker.hasFailed {
            let roles = cluster.replicas.map { replica in
                replica.node.map { "\(replica.id):\($0.role)@\($0.term) commit \($0.commitIndex) applied \($0.appliedIndex)" }
                    ?? "\(replica.id):down"
            }
            cluster.checker.fail("liveness: no proposal committed and applied everywhere within \(bound) ticks after healing; \(roles)")
        }
        return Int(cluster.now - start)
    }
}
