import Foundation
import NIOCore
import ParasolAdmin
import ParasolConfig
import ParasolWire

/// The admin plane's view of this node: answers `/health`, `/shards`, `/shards/{id}` and
/// failover from the node's shard replicas, reading each replica's state on its own event loop.
///
/// A shard this node holds is described by its local replica (a primary knows every replica's
/// progress; a follower knows the primary it follows). A shard held elsewhere is reported with
/// its replicas from the placement and progress unknown; `parasol health` merges every node's
/// answers and takes each shard's from its primary.
struct NodeAdminDataSource: AdminDataSource {
    let nodeID: String
    let config: ClusterConfig
    let placement: ShardPlacement
    /// Empty while shards recover; then the replicas this node serves.
    let slot: NodeContextSlot
    let starts: NodeStarts
    /// When this process started, for `uptimeSeconds`.
    let processStarted: Date

    /// How long `POST /shards/{id}/failover` waits for the new primary.
    static let failoverTimeout = TimeAmount.seconds(10)

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
                    shard: shard, role: .candidate, term: 0, commitIndex: 0, appliedIndex: 0,
                    primary: nil, lease: .none, electionsSeen: 0, lastSnapshot: nil)
            }
            return ReplicaHealth(
                shard: shard, role: status.role, term: status.term, commitIndex: status.commitIndex,
                appliedIndex: status.appliedIndex, primary: status.primary, lease: status.lease, electionsSeen: status.electionsSeen,
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
        return ShardDetail(summary: summary(of: shard, status: status), leadershipChanges: status?.leadershipChanges ?? [])
    }

    func failover(shard: Int, to node: String?) async throws(AdminDataSourceError) -> FailoverOutcome {
        guard (0..<config.shardCount).contains(shard) else { throw .unknownShard(shard) }
        let holders = placement.replicas(of: shard)
        if let node, !holders.contains(node) { throw .notAReplica(node: node, shard: shard) }
        guard let replica = slot.current?.replicas[UInt32(shard)] else {
            throw .notPrimary(shard: shard, primary: nil)
        }
        let result = await withCheckedContinuation { continuation in
            replica.transferLeadership(to: node, timeout: Self.failoverTimeout) { continuation.resume(returning: $0) }
        }
        switch result {
        case .success(let done):
            return FailoverOutcome(shard: shard, previousPrimary: done.previousPrimary, newPrimary: done.newPrimary, term: done.term)
        case .failure(.notPrimary(_, let primary)):
            throw .notPrimary(shard: shard, primary: primary)
        case .failure(.notAReplica(let node, _, _)):
            throw .notAReplica(node: node, shard: shard)
        case .failure(.refused(let reason)):
            throw .refused(reason)
        case .failure(.unavailable(let reason)):
            throw .unavailable(reason)
        }
    }

    // MARK: Views

    private func summary(of shard: Int, status: ReplicaStatus?) -> ShardSummary {
        let holders = placement.replicas(of: shard)
        guard holders.contains(nodeID) else {
            // Held elsewhere: this node cannot see the primary's lease or progress. The one rule
            // calls that degraded; `parasol health` asks the replicas themselves instead.
            let replicas = holders.map { ReplicaProgress(node: $0, matchIndex: nil, lagEntries: nil, reachable: false) }
            return ShardSummary(
                shard: shard, primary: nil, term: 0, commitIndex: 0, replicas: replicas,
                status: ShardStatus.classify(primaryHoldsLease: false, replicas: replicas))
        }
        guard let status else {
            let replicas = holders.map { ReplicaProgress(node: $0, matchIndex: nil, lagEntries: nil, reachable: $0 == nodeID) }
            return ShardSummary(
                shard: shard, primary: nil, term: 0, commitIndex: 0, replicas: replicas,
                status: ShardStatus.classify(primaryHoldsLease: false, replicas: replicas))
        }
        return ShardSummary(
            shard: shard, primary: status.primary, term: status.term, commitIndex: status.commitIndex,
            replicas: status.replicas,
            status: ShardStatus.classify(primaryHoldsLease: status.lease == .held, replicas: status.replicas))
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
