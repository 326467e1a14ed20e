/// Where the admin plane gets its answers: the server implements this over its shard groups.
///
/// Every method is async so that the server can hop to whichever executor owns the state it
/// reads (a shard's event loop, an actor) — the admin plane never reads server state from its
/// own event loop and never blocks one.
public protocol AdminDataSource: Sendable {
    /// `GET /health`, and the readiness check of `GET /readyz`.
    func nodeHealth() async -> NodeHealth

    /// `GET /shards`.
    func clusterShards() async -> ClusterShards

    /// `GET /shards/{id}`; nil when the cluster has no shard `shard`.
    func shardDetail(_ shard: Int) async -> ShardDetail?

    /// `POST /shards/{id}/failover[?to=NODE]`: hand shard `shard`'s primary role to `node`, or
    /// to the most caught-up replica when `node` is nil. Returns once the new primary leads.
    func failover(shard: Int, to node: String?) async throws(AdminDataSourceError) -> FailoverOutcome
}

/// Why the data source could not do what an admin request asked; each case maps to one HTTP
/// status (see `AdminRouter`).
public enum AdminDataSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 404: the cluster has no such shard.
    case unknownShard(Int)
    /// 400: `to=` names a node that holds no replica of the shard.
    case notAReplica(node: String, shard: Int)
    /// 409: this node is not the shard's primary, so it cannot hand the role over.
    case notPrimary(shard: Int, primary: String?)
    /// 409: the transfer was refused, e.g. the target is too far behind or a transfer runs.
    case refused(String)
    /// 503: the shard cannot act right now (no quorum, shutting down, timed out).
    case unavailable(String)

    public var description: String {
        switch self {
        case .unknownShard(let shard):
            "the cluster has no shard \(shard)"
        case .notAReplica(let node, let shard):
            "node \(node) holds no replica of shard \(shard)"
        case .notPrimary(let shard, let primary):
            if let primary {
                "this node is not the primary of shard \(shard); ask \(primary)"
            } else {
                "this node is not the primary of shard \(shard), and no primary is known"
            }
        case .refused(let reason):
            "failover refused: \(reason)"
        case .unavailable(let reason):
            "unavailable: \(reason)"
        }
    }
}
