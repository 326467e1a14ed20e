import Foundation
import NIOCore
import ParasolAdmin
import ParasolConfig

/// The admin plane's view of this node: answers `/health`, `/shards`, `/shards/{id}` and
/// failover from the node's shard replicas, reading each replica's state on its own event loop.
///
/// Until replication lands every shard has one replica, so a shard this node holds is led by
/// this node in term 0 with its lease held, and its commit index is its applied index. Shards
/// held by other nodes are reported with the primary the placement names and progress unknown;
/// `parasol health` takes each shard's answer from its primary.
struct NodeAdminDataSource: AdminDataSource {
    let nodeID: String
    let config: ClusterConfig
    let placement: ShardPlacement
    /// Empty while shards recover; then the replicas this node serves.
    let slot: NodeContextSlot
    let starts: NodeStarts
    /// When this process started, for `uptimeSeconds`.
    let processStarted: Date

    /// The term every shard is in while each has a single replica (see `ShardReplica`).
    private static let singleReplicaTerm: UInt64 = 0

    init(nodeID: String, config: ClusterConfig, slot: NodeContextSlot, starts: NodeStarts, processStarted: Date) {
        self.nodeID = nodeID
        self.config = config
        self.placement = ShardPlacement(config)
        self.slot = slot
        self.starts = starts
        self.processStarted = processStarted
    }

    // MARK: AdminDataSource

    func nodeHealth() async -> NodeHealth {
        let statuses = await replicaStatuses()
        let now = Date()
        let shards = placement.shards(on: nodeID).map { shard in
            guard let status = statuses[shard] else {
                // Still recovering: no primary yet, which keeps `/readyz` at 503.
                return ReplicaHealth(
                    shard: shard, role: .candidate, term: Self.singleReplicaTerm, commitIndex: 0, appliedIndex: 0,
                    primary: nil, lease: .none, electionsSeen: 0, lastSnapshot: nil)
            }
            return ReplicaHealth(
                shard: shard, role: .primary, term: Self.singleReplicaTerm, commitIndex: status.appliedIndex,
                appliedIndex: status.appliedIndex, primary: nodeID, lease: .held, electionsSeen: 0,
                lastSnapshot: status.lastSnapshot.map { Self.snapshotInfo($0, now: now) })
        }
        return NodeHealth(
            node: nodeID, version: ServerVersion.current, uptimeSeconds: now.timeIntervalSince(processStarted),
            startCount: starts.startCount, lifetimeSeconds: starts.lifetimeSeconds(now: now), shards: shards)
    }

    func clusterShards() async -> ClusterShards {
        let statuses = await replicaStatuses()
        let shards = (0..<config.shardCount).map { summary(of: $0, status: statuses[$0]) }
        return ClusterShards(node: nodeID, shards: shards)
    }

    func shardDetail(_ shard: Int) async -> ShardDetail? {
        guard (0..<config.shardCount).contains(shard) else { return nil }
        let status = await replicaStatus(of: shard)
        let changes = status.map {
            [LeadershipChange(time: $0.servingSince, from: nil, to: nodeID, term: Self.singleReplicaTerm, cause: .startup)]
        } ?? []
        return ShardDetail(summary: summary(of: shard, status: status), leadershipChanges: changes)
    }

    func failover(shard: Int, to node: String?) async throws(AdminDataSourceError) -> FailoverOutcome {
        guard (0..<config.shardCount).contains(shard) else { throw .unknownShard(shard) }
        let holders = placement.replicas(of: shard)
        guard holders.contains(nodeID) else {
            throw .notPrimary(shard: shard, primary: holders.first)
        }
        if let node, node != nodeID {
            throw .notAReplica(node: node, shard: shard)
        }
        throw .refused("shard \(shard) has a single replica; there is nothing to fail over to")
    }

    // MARK: Views

    private func summary(of shard: Int, status: ReplicaStatus?) -> ShardSummary {
        let holders = placement.replicas(of: shard)
        guard holders.contains(nodeID) else {
            // Held elsewhere: this node can name the primary from the placement but cannot see
            // its lease or progress. The one rule calls a leased primary with replicas of
            // unknown progress degraded; `parasol health` asks the primary itself instead.
            let replicas = holders.map { ReplicaProgress(node: $0, matchIndex: nil, lagEntries: nil, reachable: false) }
            return ShardSummary(
                shard: shard, primary: holders.first, term: Self.singleReplicaTerm, commitIndex: 0, replicas: replicas,
                status: ShardStatus.classify(primaryHoldsLease: true, replicas: replicas))
        }
        guard let status else {
            let replicas = [ReplicaProgress(node: nodeID, matchIndex: nil, lagEntries: nil, reachable: true)]
            return ShardSummary(
                shard: shard, primary: nil, term: Self.singleReplicaTerm, commitIndex: 0, replicas: replicas,
                status: ShardStatus.classify(primaryHoldsLease: false, replicas: replicas))
        }
        let replicas = [ReplicaProgress(node: nodeID, matchIndex: status.appliedIndex, lagEntries: 0, reachable: true)]
        return ShardSummary(
            shard: shard, primary: nodeID, term: Self.singleReplicaTerm, commitIndex: status.appliedIndex,
            replicas: replicas, status: ShardStatus.classify(primaryHoldsLease: true, replicas: replicas))
    }

    private static func snapshotInfo(_ record: SnapshotRecord, now: Date) -> SnapshotInfo {
        SnapshotInfo(
            index: record.index, ageSeconds: max(0, now.timeIntervalSince(record.created)),
            bytes: UInt64(record.compressedBytes),
            ratio: record.compressedBytes > 0 ? Double(record.uncompressedBytes) / Double(record.compressedBytes) : 1,
            durationSeconds: record.durationSeconds)
    }

    // MARK: Reading replicas on their loops

    /// Every served replica's status by shard; empty while shards recover. A replica whose loop
    /// has shut down (the node is stopping) is left out and reads as recovering.
    private func replicaStatuses() async -> [Int: ReplicaStatus] {
        guard let context = slot.current else { return [:] }
        // Ask every replica first, then collect: the loops answer in parallel.
        let pending = context.replicas.values.map { $0.status() }
        var statuses: [Int: ReplicaStatus] = [:]
        for future in pending {
            if let status = try? await future.get() {
                statuses[Int(status.shardID)] = status
            }
        }
        return statuses
    }

    private func replicaStatus(of shard: Int) async -> ReplicaStatus? {
        guard let replica = slot.current?.replicas[UInt32(shard)] else { return nil }
        return try? await replica.status().get()
    }
}
