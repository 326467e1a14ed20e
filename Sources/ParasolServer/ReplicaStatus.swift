import Foundation

/// A consistent picture of one shard replica, read on its event loop so the admin plane never
/// touches loop-confined state from another thread.
struct ReplicaStatus: Sendable {
    let shardID: UInt32
    /// Every command up to this index is logged durably and applied. With one replica per
    /// shard this is also the commit index.
    let appliedIndex: UInt64
    /// When this replica started serving: the time of its `startup` leadership change.
    let servingSince: Date
    let lastSnapshot: SnapshotRecord?
}

/// The newest snapshot of a shard as this process knows it.
struct SnapshotRecord: Sendable {
    let index: UInt64
    let created: Date
    let compressedBytes: Int
    let uncompressedBytes: Int
    /// Seconds writing it took. For a snapshot loaded at recovery this is how long loading it
    /// took (read, verify, decompress, decode): the same bytes through the same disk and LZ4,
    /// so it stands in for the write cost until this process writes a snapshot of its own.
    let durationSeconds: Double
}
