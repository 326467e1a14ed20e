/// Everything the node needs the outside world to do, handed out by `RaftNode.ready()` and
/// confirmed by `RaftNode.advance(_:)`.
///
/// The shell handles the fields **in this order**, then calls `advance`:
/// 0. Send `earlyMessages` (they may go before or while step 1 runs).
/// 1. Persist, durably and in this order: `snapshot` (with the bytes it received), `entries`
///    (first truncating any persisted entry at or after `entries.first.index`), then `hardState`.
///    A crash may keep any prefix of that sequence; restart is still safe.
/// 2. Only then send `messages` and start `snapshotTransfers`: votes and acknowledgements
///    promise that what step 1 wrote is durable.
/// 3. Install `snapshot` into the state machine (if any), then apply `committedEntries` in order.
///    The first `appliableBeforePersisting` of them may be applied earlier, before or while
///    step 1 runs.
/// 4. Call `advance(ready)`. Until then `ready()` must not be called again.
public struct Ready: Sendable {
    /// Pairs this value with its `advance`; a mismatch is a precondition failure.
    public let sequence: UInt64
    /// Term, vote and commit to persist; `nil` when unchanged since the previous `Ready`.
    public let hardState: HardState?
    /// Role or leader changed: route clients to `softState.leader` from now on.
    public let softState: SoftState?
    /// A snapshot received from the leader to persist and install: drop every persisted entry,
    /// record the snapshot, and load the state machine from its bytes.
    public let snapshot: SnapshotMeta?
    /// Entries to persist (appending, or overwriting a conflicting suffix).
    public let entries: [LogEntry]
    /// Appends of a leader whose term and vote are already durable, to send before step 1:
    /// the followers then write the entries while the leader does (Raft thesis §10.2.1),
    /// instead of after it. Safe because a leader counts itself toward a commit only for
    /// entries it has persisted (`advance` confirms them); a crash before that loses nothing
    /// committed. They may be dropped, duplicated or reordered on the way.
    public let earlyMessages: [RaftMessage]
    /// Messages to send after step 1. They may be dropped, duplicated or reordered on the way.
    public let messages: [RaftMessage]
    /// "Stream your current snapshot to this follower": send the bytes of the latest persisted
    /// snapshot in chunks; the receiver's shell steps `.snapshot(meta)` once all bytes arrived.
    public let snapshotTransfers: [SnapshotTransfer]
    /// Committed entries to apply to the state machine, in index order, after step 1.
    public let committedEntries: [LogEntry]
    /// How many of `committedEntries` (a prefix) this node persisted in earlier `Ready`s: they
    /// are committed and already durable here, so they may be applied, and their clients
    /// answered, before or while step 1 writes this `Ready`'s entries. A leader counts itself
    /// toward a commit only for what it persisted, so on a leader that is all of them. Applied
    /// only after step 1, a leader's batch waited for the log write of the next batch (the
    /// proposals that arrived meanwhile): every push paid two writes.
    public let appliableBeforePersisting: Int
}

/// The volatile part of a node's state that the shell routes by.
public struct SoftState: Sendable, Equatable {
    public var role: Role
    /// The leader this node follows (itself when leading), if known.
    public var leader: NodeID?

    public init(role: Role, leader: NodeID?) {
        self.role = role
        self.leader = leader
    }
}

/// A replica's role (§5.1), plus the pre-candidate step of the pre-vote extension.
public enum Role: Sendable, Equatable, CustomStringConvertible {
    case follower
    case preCandidate
    case candidate
    case leader

    public var description: String {
        switch self {
        case .follower: "follower"
        case .preCandidate: "pre-candidate"
        case .candidate: "candidate"
        case .leader: "leader"
        }
    }
}

/// A directive to stream the latest snapshot to a follower whose next entries were compacted away.
public struct SnapshotTransfer: Sendable, Equatable {
    public var to: NodeID
    /// The snapshot the leader holds right now; a newer persisted one is equally good to send.
    public var snapshot: SnapshotMeta
    /// The term in which this node led when it asked for the stream. The shell labels every
    /// chunk with it, never with the node's term at send time: by the time the shell acts on
    /// this `Ready` the node may have stepped down into a newer term, and a stream labelled with
    /// that term would claim a leadership this node never had (the follower might even be that
    /// term's leader).
    public var term: Term

    public init(to: NodeID, snapshot: SnapshotMeta, term: Term) {
        self.to = to
        self.snapshot = snapshot
        self.term = term
    }
}

/// Permission to answer one read from the local state machine without a round trip.
///
/// Valid only at the moment it was obtained: query `RaftNode.localReadPermit` again for every
/// read (a tick or a leadership transfer can end the lease). Serve the read once the state
/// machine has applied at least `readIndex`.
public struct LocalReadPermit: Sendable, Equatable {
    /// The leader's commit index: includes every write acknowledged before the read arrived.
    public var readIndex: LogIndex
    /// The leader's tick count (`RaftNode.ticksElapsed`) at which the lease ends.
    public var leaseEndsAtTick: UInt64
}
