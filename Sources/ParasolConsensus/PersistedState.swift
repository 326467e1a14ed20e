/// The part of a node's state that must survive a crash for Raft to stay safe (§5.1 Figure 2):
/// the current term, the vote cast in it, and how far the node knows the log is committed.
public struct HardState: Sendable, Equatable {
    public var term: Term
    /// The candidate this node voted for in `term`; `nil` when it has not voted.
    public var vote: NodeID?
    /// Highest index known committed. Persisting it is an optimisation (faster restart),
    /// not a safety requirement: after a restart the node may learn it again.
    public var commit: LogIndex

    public init(term: Term = 0, vote: NodeID? = nil, commit: LogIndex = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// Where a snapshot of the applied state machine ends: it replaces every entry up to `index`.
public struct SnapshotMeta: Sendable, Equatable, Hashable {
    /// Last log index the snapshot contains (0 = no snapshot).
    public var index: LogIndex
    /// Term of the entry at `index`; needed to check log matching right after the snapshot.
    public var term: Term

    public init(index: LogIndex, term: Term) {
        self.index = index
        self.term = term
    }

    /// The empty prefix every log starts from.
    public static let empty = SnapshotMeta(index: 0, term: 0)
}

/// Everything a node is rebuilt from after a restart: what the application persisted from
/// `Ready.hardState`, `Ready.snapshot` (or its own `compact(through:)` snapshots) and `Ready.entries`.
public struct PersistedState: Sendable, Equatable {
    public var hardState: HardState
    /// The latest snapshot persisted (`.empty` when none).
    public var snapshot: SnapshotMeta
    /// The persisted entries after `snapshot.index`, contiguous and in index order.
    public var entries: [LogEntry]

    public init(hardState: HardState = HardState(), snapshot: SnapshotMeta = .empty, entries: [LogEntry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }

    /// A replica that has never run.
    public static let fresh = PersistedState()
}
