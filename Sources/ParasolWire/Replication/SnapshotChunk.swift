import NIOCore
import ParasolConsensus

/// One piece of a snapshot file a leader streams to a follower whose log is too far behind for
/// entries to catch it up.
///
/// Chunks travel one at a time, each answered by a `SnapshotChunkAck`, so a transfer holds at
/// most one chunk in flight and resumes where the follower says it stopped after a dropped
/// connection. Every chunk repeats the snapshot's identity and manifest, so a follower can start
/// (or restart) a transfer from any chunk without a separate "begin" message. The frame's shard
/// id is the shard the snapshot belongs to.
public struct SnapshotChunk: Sendable, Equatable {
    /// The leader's node id.
    public var from: UInt64
    /// The follower's node id.
    public var to: UInt64
    /// The leader's term: a follower ignores chunks from a deposed leader.
    public var term: UInt64
    /// The index and term of the last entry the snapshot covers.
    public var snapshot: SnapshotMeta
    /// Byte offset of `data` in the snapshot file.
    public var offset: UInt64
    /// Size of the whole snapshot file; `offset + data.readableBytes` never exceeds it.
    public var totalBytes: UInt64
    /// The snapshot's manifest (JSON), identical in every chunk of one transfer.
    public var manifest: [UInt8]
    /// The chunk's bytes. On decode, a slice of the received frame: no copy.
    public var data: ByteBuffer

    public init(
        from: UInt64, to: UInt64, term: UInt64, snapshot: SnapshotMeta, offset: UInt64, totalBytes: UInt64,
        manifest: [UInt8], data: ByteBuffer
    ) {
        self.from = from
        self.to = to
        self.term = term
        self.snapshot = snapshot
        self.offset = offset
        self.totalBytes = totalBytes
        self.manifest = manifest
        self.data = data
    }
}
