/// What `GET /shards` answers: every shard of the cluster as the answering node knows it.
///
/// Only a shard's primary knows its replicas' progress; other nodes report what they know and
/// leave the rest null. `parasol health` therefore prefers the primary's answer for each shard.
public struct ClusterShards: Sendable, Codable, Equatable {
    /// The node that answered.
    public var node: String
    /// Every shard of the cluster, in ascending shard order.
    public var shards: [ShardSummary]

    public init(node: String, shards: [ShardSummary]) {
        self.node = node
        self.shards = shards
    }
}

/// One shard: who leads it, how far each replica got and what that means for availability.
public struct ShardSummary: Sendable, Codable, Equatable {
    public var shard: Int
    /// The primary in `term`, nil when the answering node knows none.
    public var primary: String?
    public var term: UInt64
    /// The highest log index the answering node knows to be committed.
    public var commitIndex: UInt64
    /// Every replica in placement order (preferred primary first), the primary included.
    public var replicas: [ReplicaProgress]
    public var status: ShardStatus

    public init(
        shard: Int, primary: String?, term: UInt64, commitIndex: UInt64, replicas: [ReplicaProgress],
        status: ShardStatus
    ) {
        self.shard = shard
        self.primary = primary
        self.term = term
        self.commitIndex = commitIndex
        self.replicas = replicas
        self.status = status
    }
}

/// How far one replica got, as the answering node knows it.
public struct ReplicaProgress: Sendable, Codable, Equatable {
    public var node: String
    /// The highest log index known to be on this replica; nil when the answering node is not
    /// the primary and so does not track it.
    public var matchIndex: UInt64?
    /// `commitIndex − matchIndex` (0 when ahead); nil exactly when `matchIndex` is nil.
    public var lagEntries: UInt64?
    /// Whether the answering node heard from this replica within the last election timeout.
    public var reachable: Bool

    public init(node: String, matchIndex: UInt64?, lagEntries: UInt64?, reachable: Bool) {
        self.node = node
        self.matchIndex = matchIndex
        self.lagEntries = lagEntries
        self.reachable = reachable
    }
}

/// A shard's availability, worst last so that `max` picks the worst of several.
public enum ShardStatus: String, Sendable, Codable, Equatable, Comparable, CaseIterable {
    /// A primary holds a majority lease and every replica is reachable and caught up.
    case healthy
    /// A primary holds a majority lease, but some replica is unreachable or lagging.
    case degraded
    /// No primary holds a majority lease: writes (and leased reads) cannot be served.
    case unavailable

    private var severity: Int {
        switch self {
        case .healthy: 0
        case .degraded: 1
        case .unavailable: 2
        }
    }

    public static func < (lhs: ShardStatus, rhs: ShardStatus) -> Bool { lhs.severity < rhs.severity }

    /// A replica at most this many entries behind the commit index counts as caught up: under
    /// steady pushes a healthy follower trails by the entries still in flight, which is a few
    /// batches, not hundreds.
    public static let caughtUpLagEntriesMax: UInt64 = 64

    /// The one rule for a shard's status, used by the server for `/shards` and by `parasol
    /// health` when it merges answers, so the two can never disagree.
    ///
    /// - Parameters:
    ///   - primaryHoldsLease: whether a primary holds a majority lease right now.
    ///   - replicas: every replica's progress as the primary sees it (the primary included).
    public static func classify(
        primaryHoldsLease: Bool, replicas: [ReplicaProgress], caughtUpLagEntriesMax: UInt64 = caughtUpLagEntriesMax
    ) -> ShardStatus {
        guard primaryHoldsLease else { return .unavailable }
        let allCaughtUp = replicas.allSatisfy { replica in
            guard replica.reachable, let lag = replica.lagEntries else { return false }
            return lag <= caughtUpLagEntriesMax
        }
        return allCaughtUp ? .healthy : .degraded
    }
}
