import ParasolConsensus

/// A follower's answer to a `SnapshotChunk`: how much of the snapshot it holds, so the leader
/// sends the next chunk from there (also after a dropped connection), or why it gave up.
public struct SnapshotChunkAck: Sendable, Equatable {
    /// Where the follower's copy of the snapshot stands. The raw values are part of the wire format.
    public enum Status: UInt8, Sendable {
        /// More bytes are wanted, from `nextOffset` on.
        case receiving = 0
        /// Every byte arrived, the snapshot verified and the follower installed it.
        case installed = 1
        /// The follower will not take this snapshot; `reason` says why.
        case rejected = 2
    }

    /// The follower's node id.
    public var from: UInt64
    /// The leader's node id.
    public var to: UInt64
    /// The follower's term: a higher term tells the leader it has been deposed.
    public var term: UInt64
    /// The snapshot this answers for (a follower may still hold bytes of an older one).
    public var snapshot: SnapshotMeta
    /// The follower holds the bytes `[0, nextOffset)` of the snapshot file; the leader continues there.
    public var nextOffset: UInt64
    public var status: Status
    /// Why the snapshot was rejected; empty otherwise.
    public var reason: String

    public init(from: UInt64, to: UInt64, term: UInt64, snapshot: SnapshotMeta, nextOffset: UInt64, status: Status, reason: String) {
        self.from = from
        self.to = to
        self.term = term
        self.snapshot = snapshot
        self.nextOffset = nextOffset
        self.status = status
        self.reason = reason
    }
}
