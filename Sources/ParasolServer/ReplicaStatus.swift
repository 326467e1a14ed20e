import Foundation
import ParasolAdmin

/// A consistent picture of one shard replica, read on its event loop so the admin plane never
/// touches loop-confined state from another thread.
struct ReplicaStatus: Sendable {
    let shardID: UInt32
    let role: ReplicaRole
    let term: UInt64
    /// The primary this replica follows (itself when primary), if known.
    let primary: String?
    let lease: LeaseState
    let commitIndex: UInt64
    let appliedIndex: UInt64
    let lastIndex: UInt64
    /// Every replica of the group with its replication progress as this replica knows it
    /// (full knowledge only on the primary).
    let replicas: [ReplicaProgress]
    let electionsSeen: Int
    let leadershipChanges: [LeadershipChange]
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
