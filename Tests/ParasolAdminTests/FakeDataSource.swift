import Foundation
import ParasolAdmin

/// A data source with fixed answers for a two-shard node, optionally holding `/health`
/// requests at a gate so a test can catch one in flight.
final class FakeDataSource: AdminDataSource {
    let health: NodeHealth
    let shards: ClusterShards
    let healthGate: Gate?

    init(shardWithoutPrimary: Int? = nil, healthGate: Gate? = nil) {
        self.healthGate = healthGate
        let snapshot = SnapshotInfo(index: 900, ageSeconds: 12.5, bytes: 4096, ratio: 1.8, durationSeconds: 0.25)
        health = NodeHealth(
            node: "n1", version: "0.1.0-test", uptimeSeconds: 7200, startCount: 3, lifetimeSeconds: 86_400,
            shards: [0, 1].map { shard in
                ReplicaHealth(
                    shard: shard, role: shard == 0 ? .primary : .replica, term: 4, commitIndex: 1000, appliedIndex: 998,
                    primary: shard == shardWithoutPrimary ? nil : (shard == 0 ? "n1" : "n2"),
                    lease: shard == 0 ? .held : .none, electionsSeen: 1, lastSnapshot: snapshot)
            })
        shards = ClusterShards(
            node: "n1",
            shards: [0, 1].map { shard in
                ShardSummary(
                    shard: shard, primary: shard == 0 ? "n1" : "n2", term: 4, commitIndex: 1000,
                    replicas: [
                        ReplicaProgress(node: "n1", matchIndex: shard == 0 ? 1000 : nil, lagEntries: shard == 0 ? 0 : nil, reachable: true),
                        ReplicaProgress(node: "n2", matchIndex: shard == 0 ? 1000 : nil, lagEntries: shard == 0 ? 0 : nil, reachable: true),
                    ],
                    status: .healthy)
            })
    }

    func nodeHealth() async -> NodeHealth {
        await healthGate?.pass()
        return health
    }

    func clusterShards() async -> ClusterShards { shards }

    func shardDetail(_ shard: Int) async -> ShardDetail? {
        guard let summary = shards.shards.first(where: { $0.shard == shard }) else { return nil }
        return ShardDetail(
            summary: summary,
            leadershipChanges: [
                LeadershipChange(time: Date(timeIntervalSince1970: 1_700_000_000), from: nil, to: "n1", term: 1, cause: .startup),
                LeadershipChange(time: Date(timeIntervalSince1970: 1_700_000_600), from: "n1", to: "n2", term: 4, cause: .election),
            ])
    }

    func failover(shard: Int, to node: String?) async throws(AdminDataSourceError) -> FailoverOutcome {
        guard shard < 2 else { throw .unknownShard(shard) }
        if let node, node != "n1" && node != "n2" { throw .notAReplica(node: node, shard: shard) }
        return FailoverOutcome(shard: shard, previousPrimary: "n1", newPrimary: node ?? "n2", term: 5)
    }
}

/// A one-shot gate: callers of `pass()` wait until `release()`; `waitUntilEntered()` returns
/// once some caller reached the gate.
actor Gate {
    private var entered = false
    private var released = false
    private var enteredWaiters: [CheckedContinuation<Void, Never>] = []
    private var releaseWaiters: [CheckedContinuation<Void, Never>] = []

    func pass() async {
        entered = true
        enteredWaiters.forEach { $0.resume() }
        enteredWaiters.removeAll()
        guard !released else { return }
        await withCheckedContinuation { releaseWaiters.append($0) }
    }

    func waitUntilEntered() async {
        guard !entered else { return }
        await withCheckedContinuation { enteredWaiters.append($0) }
    }

    func release() {
        released = true
        releaseWaiters.forEach { $0.resume() }
        releaseWaiters.removeAll()
    }
}
