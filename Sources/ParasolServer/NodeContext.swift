import ParasolAdmin
import ParasolConfig
import ParasolWire

/// What every connection of a node shares: who the node is, the cluster it belongs to and the
/// shard replicas it holds. Immutable after start, so connections on any event loop read it.
final class NodeContext: Sendable {
    let nodeID: String
    let config: ClusterConfig
    let placement: ShardPlacement
    let replicas: [UInt32: ShardReplica]
    let metrics: ParasolMetrics
    let transport: PeerTransport

    init(nodeID: String, config: ClusterConfig, replicas: [UInt32: ShardReplica], metrics: ParasolMetrics, transport: PeerTransport) {
        self.nodeID = nodeID
        self.config = config
        self.placement = ShardPlacement(config)
        self.replicas = replicas
        self.metrics = metrics
        self.transport = transport
    }

    /// The local replica of `shardID`, or the error a client should see: a shard this node
    /// does not hold answers `notLeader` with the node that does as the hint.
    func replica(for shardID: UInt32) -> Result<ShardReplica, ErrorReply> {
        guard Int(shardID) < config.shardCount else {
            return .failure(ErrorReply(code: .badRequest, message: "shard \(shardID) does not exist; the cluster has \(config.shardCount) shards"))
        }
        guard let replica = replicas[shardID] else {
            let owner = placement.replicas(of: Int(shardID))[0]
            return .failure(ErrorReply(code: .notLeader, message: "node \(nodeID) does not hold shard \(shardID)", leaderHint: owner))
        }
        return .success(replica)
    }

    /// The primaries this node knows of: for shards it holds, the primary its replica follows;
    /// for the others, nothing (the client asks one of their replicas).
    func shardMap() -> ShardMap {
        let entries = (0..<config.shardCount).map { shard in
            let primary = replicas[UInt32(shard)]?.knownPrimary ?? ""
            let address = config.nodes.first { $0.id == primary }?.dataAddress.description ?? ""
            return ShardMap.Entry(shardID: UInt32(shard), primaryNodeID: primary, primaryAddress: address)
        }
        return ShardMap(epoch: 1, shards: entries)
    }
}
