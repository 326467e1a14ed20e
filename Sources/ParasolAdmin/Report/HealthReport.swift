/// The cluster view `parasol health` prints: every node's /health and /shards answers (or why a
/// node did not answer) merged into one status per shard, counts, nodes down, a reliability
/// estimate and the exit status. `Codable` for `--json`.
public struct HealthReport: Sendable, Codable, Equatable {
    public var cluster: String
    public var nodes: [NodeReport]
    public var shards: [ShardReport]
    public var counts: StatusCounts
    /// Ids of the nodes that did not answer, in cluster-file order.
    public var nodesDown: [String]
    public var reliability: ReliabilityEstimate
    /// 0 every shard healthy and every node up; 1 some shard degraded or some node down;
    /// 2 some shard unavailable or no node reachable.
    public var exitCode: Int32

    public init(
        cluster: String, nodes: [NodeReport], shards: [ShardReport], counts: StatusCounts, nodesDown: [String],
        reliability: ReliabilityEstimate, exitCode: Int32
    ) {
        self.cluster = cluster
        self.nodes = nodes
        self.shards = shards
        self.counts = counts
        self.nodesDown = nodesDown
        self.reliability = reliability
        self.exitCode = exitCode
    }
}

/// One node in the report.
public struct NodeReport: Sendable, Codable, Equatable {
    public var node: String
    public var address: String
    public var reachable: Bool
    /// Why the node did not answer; nil when it did.
    public var error: String?
    public var version: String?
    public var uptimeSeconds: Double?
    public var startCount: Int?
    /// Shards this node leads with a held lease.
    public var primaries: Int?

    public init(
        node: String, address: String, reachable: Bool, error: String? = nil, version: String? = nil,
        uptimeSeconds: Double? = nil, startCount: Int? = nil, primaries: Int? = nil
    ) {
        self.node = node
        self.address = address
        self.reachable = reachable
        self.error = error
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.startCount = startCount
        self.primaries = primaries
    }
}

/// One shard in the report.
public struct ShardReport: Sendable, Codable, Equatable {
    public var shard: Int
    public var status: ShardStatus
    /// The primary holding a lease; when the shard is unavailable, the last primary any node
    /// named (which may be stale), or nil.
    public var primary: String?
    /// The highest term any node reported for the shard.
    public var term: UInt64?
    public var commitIndex: UInt64?
    public var replicas: [ReplicaReport]
    /// Age of the primary's newest snapshot (of the newest snapshot any replica has when
    /// there is no primary).
    public var lastSnapshotAgeSeconds: Double?
    /// Why the shard is not healthy, one phrase per problem; empty when healthy.
    public var problems: [String]

    public init(
        shard: Int, status: ShardStatus, primary: String?, term: UInt64?, commitIndex: UInt64?,
        replicas: [ReplicaReport], lastSnapshotAgeSeconds: Double?, problems: [String]
    ) {
        self.shard = shard
        self.status = status
        self.primary = primary
        self.term = term
        self.commitIndex = commitIndex
        self.replicas = replicas
        self.lastSnapshotAgeSeconds = lastSnapshotAgeSeconds
        self.problems = problems
    }
}

/// One replica of a shard in the report.
public struct ReplicaReport: Sendable, Codable, Equatable {
    public var node: String
    /// Entries behind the commit index as the primary sees it; nil when unknown.
    public var lagEntries: UInt64?
    /// Reachable from the primary and from this command.
    public var reachable: Bool

    public init(node: String, lagEntries: UInt64?, reachable: Bool) {
        self.node = node
        self.lagEntries = lagEntries
        self.reachable = reachable
    }
}

public struct StatusCounts: Sendable, Codable, Equatable {
    public var healthy: Int
    public var degraded: Int
    public var unavailable: Int

    public init(healthy: Int, degraded: Int, unavailable: Int) {
        self.healthy = healthy
        self.degraded = degraded
        self.unavailable = unavailable
    }
}
