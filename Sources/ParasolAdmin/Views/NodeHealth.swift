/// What `GET /health` answers: this node's own view of itself and of every shard replica it holds.
///
/// It carries the raw observations the reliability model needs (elections seen, starts, uptime,
/// snapshot cost) rather than conclusions, so `parasol health` can combine nodes honestly.
/// The JSON schema is written down in Protocols/admin.md; field names are the JSON keys.
public struct NodeHealth: Sendable, Codable, Equatable {
    /// The node id from the cluster file.
    public var node: String
    /// The server's version string.
    public var version: String
    /// Seconds since this process started serving.
    public var uptimeSeconds: Double
    /// How many times a server process started on this node's data directory, this one included.
    /// Kept in the data directory by the server, so it survives restarts; `startCount − 1` is
    /// the number of restarts the reliability model counts.
    public var startCount: Int
    /// Seconds since the first start on this data directory: the window `startCount` covers.
    public var lifetimeSeconds: Double
    /// One entry per shard replica this node holds, in ascending shard order.
    public var shards: [ReplicaHealth]

    public init(
        node: String, version: String, uptimeSeconds: Double, startCount: Int, lifetimeSeconds: Double,
        shards: [ReplicaHealth]
    ) {
        self.node = node
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.startCount = startCount
        self.lifetimeSeconds = lifetimeSeconds
        self.shards = shards
    }

    /// The first shard this node holds that has no known primary, which makes the node unready.
    public var firstShardWithoutPrimary: Int? {
        shards.first(where: { $0.primary == nil })?.shard
    }
}

/// One shard replica on one node, as that node sees it.
public struct ReplicaHealth: Sendable, Codable, Equatable {
    public var shard: Int
    public var role: ReplicaRole
    public var term: UInt64
    /// The highest log index this replica knows to be committed.
    public var commitIndex: UInt64
    /// The highest log index applied to this replica's state machine (≤ `commitIndex`).
    public var appliedIndex: UInt64
    /// The node this replica believes is primary in `term`; nil when it knows none.
    public var primary: String?
    /// Whether this replica holds a primary lease (only a primary can hold one).
    public var lease: LeaseState
    /// Elections this replica saw since the process started that were caused by losing a
    /// primary (not the elections at startup and not requested transfers).
    public var electionsSeen: Int
    /// The newest snapshot on disk for this shard, nil when there is none yet.
    public var lastSnapshot: SnapshotInfo?

    public init(
        shard: Int, role: ReplicaRole, term: UInt64, commitIndex: UInt64, appliedIndex: UInt64,
        primary: String?, lease: LeaseState, electionsSeen: Int, lastSnapshot: SnapshotInfo?
    ) {
        self.shard = shard
        self.role = role
        self.term = term
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
        self.primary = primary
        self.lease = lease
        self.electionsSeen = electionsSeen
        self.lastSnapshot = lastSnapshot
    }
}

/// The part a replica plays in its shard's replication group.
public enum ReplicaRole: String, Sendable, Codable, Equatable, CaseIterable {
    case primary
    case replica
    case candidate
}

/// Whether a primary may serve reads and accept writes without asking its replicas first.
public enum LeaseState: String, Sendable, Codable, Equatable, CaseIterable {
    /// A majority acknowledged this primary within the lease duration.
    case held
    /// This node is primary but the majority's acknowledgements are too old.
    case expired
    /// This node is not primary, so it holds no lease.
    case none
}

/// The newest snapshot of one shard on one node.
public struct SnapshotInfo: Sendable, Codable, Equatable {
    /// The last log index the snapshot includes.
    public var index: UInt64
    /// Seconds since the snapshot was written.
    public var ageSeconds: Double
    /// Size of the snapshot file on disk.
    public var bytes: UInt64
    /// Uncompressed size divided by `bytes` (1.0 when compression did not help).
    public var ratio: Double
    /// Wall-clock seconds writing it took: the cost C of the Young/Daly snapshot interval.
    public var durationSeconds: Double

    public init(index: UInt64, ageSeconds: Double, bytes: UInt64, ratio: Double, durationSeconds: Double) {
        self.index = index
        self.ageSeconds = ageSeconds
        self.bytes = bytes
        self.ratio = ratio
        self.durationSeconds = durationSeconds
    }
}
