import Foundation
import Logging
import NIOCore
import ParasolConfig
import ParasolConsensus
import ParasolStorage
import ParasolTensors
import ParasolWire

/// A shard replica as rebuilt at start: the state machine at its newest verified snapshot, and
/// everything its consensus instance needs to continue (hard state, the log after the snapshot).
struct RecoveredShard {
    let state: ShardState
    let log: WriteAheadLog
    let snapshots: SnapshotStore
    let hardStateFile: HardStateFile
    let persisted: PersistedState
    /// The snapshot recovery started from, nil when it started from an empty state.
    let snapshot: SnapshotRecord?
}

/// Rebuilds a shard replica after a restart: the newest snapshot that verifies, the hard state,
/// and every log entry after the snapshot. Entries are not applied here: the consensus instance
/// hands the committed ones out again, through the same `ShardState.apply` that served them.
enum ShardRecovery {
    static func recover(
        shardID: UInt32, directory: String, durability: Durability, logger: Logger,
        onLogSync: (@Sendable (Duration) -> Void)? = nil
    ) throws -> RecoveredShard {
        let snapshots = try SnapshotStore(directory: directory + "/snapshots")
        let loadStarted = ContinuousClock.now
        let loaded = try snapshots.loadLatest()
        for rejection in loaded.rejected {
            logger.error("shard \(shardID): skipping snapshot \(rejection)")
        }
        var state = ShardState(shardID: shardID)
        var snapshotMeta = SnapshotMeta.empty
        var snapshotRecord: SnapshotRecord?
        if let (info, content) = loaded.snapshot {
            var buffer = content
            do {
                state = try ShardState.decodeSnapshot(&buffer)
            } catch {
                throw ServerError.recovery(shard: shardID, reason: "snapshot \(info.path) verified but does not decode: \(error)")
            }
            snapshotMeta = SnapshotMeta(index: info.index, term: info.term)
            snapshotRecord = SnapshotRecord(
                index: info.index, created: Date(timeIntervalSince1970: Double(info.createdUnixSeconds)),
                compressedBytes: info.compressedBytes, uncompressedBytes: info.uncompressedBytes,
                durationSeconds: (ContinuousClock.now - loadStarted).seconds)
            logger.info("shard \(shardID): loaded snapshot at index \(info.index) (term \(info.term)) from \(info.path)")
        }
        let (log, recoveredLog) = try WriteAheadLog.open(
            directory: directory + "/wal", durability: durability == .fsync ? .fsync : .none, onSync: onLogSync)
        if let cut = recoveredLog.truncatedTail {
            logger.warning("shard \(shardID): truncated an unacknowledged torn record at the log's tail: \(cut)")
        }
        var entries: [LogEntry] = []
        try log.replay(after: snapshotMeta.index) { record in
            guard entries.isEmpty ? record.index == snapshotMeta.index + 1 : true else {
                throw ServerError.recovery(
                    shard: shardID,
                    reason: "the log continues at index \(record.index) but the snapshot ends at \(snapshotMeta.index): entries are missing")
            }
            guard let kind = LogEntry.Kind(rawValue: record.type) else {
                throw ServerError.recovery(shard: shardID, reason: "log record \(record.index) has unknown entry kind \(record.type)")
            }
            entries.append(LogEntry(term: record.term, index: record.index, kind: kind, payload: record.payload))
        }
        let hardStateFile = try HardStateFile(directory: directory)
        let stored = try hardStateFile.load()
        let lastIndex = entries.last?.index ?? snapshotMeta.index
        var hardState = HardState()
        if let stored {
            hardState = HardState(
                term: stored.term, vote: stored.vote == 0 ? nil : NodeID(stored.vote),
                // The commit hint can run ahead of a log written without fsync; never beyond it.
                commit: min(stored.commit, lastIndex))
        }
        if !entries.isEmpty || stored != nil {
            logger.info(
                "shard \(shardID): recovered term \(hardState.term), \(entries.count) log entries after index \(snapshotMeta.index), commit hint \(hardState.commit)")
        }
        return RecoveredShard(
            state: state, log: log, snapshots: snapshots, hardStateFile: hardStateFile,
            persisted: PersistedState(hardState: hardState, snapshot: snapshotMeta, entries: entries),
            snapshot: snapshotRecord)
    }
}
