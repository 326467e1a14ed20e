import Foundation
import Logging
import ParasolConfig
import ParasolStorage
import ParasolTensors
import ParasolWire

/// A shard's state as rebuilt at start, with the log and snapshot store it continues with.
struct RecoveredShard {
    let state: ShardState
    let log: WriteAheadLog
    let snapshots: SnapshotStore
    let snapshotIndex: UInt64
    /// The snapshot recovery started from, nil when it started from an empty state.
    let snapshot: SnapshotRecord?
}

/// Rebuilds a shard after a restart: the newest snapshot that verifies, then every logged
/// command after it, applied through the same `ShardState.apply` that served them first.
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
        var snapshotIndex: UInt64 = 0
        var snapshotRecord: SnapshotRecord?
        if let (info, content) = loaded.snapshot {
            var buffer = content
            do {
                state = try ShardState.decodeSnapshot(&buffer)
            } catch {
                throw ServerError.recovery(shard: shardID, reason: "snapshot \(info.path) verified but does not decode: \(error)")
            }
            snapshotIndex = state.appliedIndex
            snapshotRecord = SnapshotRecord(
                index: snapshotIndex, created: Date(timeIntervalSince1970: Double(info.createdUnixSeconds)),
                compressedBytes: info.compressedBytes, uncompressedBytes: info.uncompressedBytes,
                durationSeconds: (ContinuousClock.now - loadStarted).seconds)
            logger.info("shard \(shardID): loaded snapshot at index \(snapshotIndex) from \(info.path)")
        }
        let (log, recoveredLog) = try WriteAheadLog.open(
            directory: directory + "/wal", durability: durability == .fsync ? .fsync : .none, onSync: onLogSync)
        if let cut = recoveredLog.truncatedTail {
            logger.warning("shard \(shardID): truncated an unacknowledged torn record at the log's tail: \(cut)")
        }
        var replayed = 0
        try log.replay(after: snapshotIndex) { record in
            guard record.index == state.appliedIndex + 1 else {
                throw ServerError.recovery(
                    shard: shardID,
                    reason: "the log continues at index \(record.index) but the state is at \(state.appliedIndex): entries are missing")
            }
            state.apply(try command(from: record), index: record.index)
            replayed += 1
        }
        if replayed > 0 {
            logger.info("shard \(shardID): replayed \(replayed) logged commands up to index \(state.appliedIndex)")
        }
        return RecoveredShard(
            state: state, log: log, snapshots: snapshots, snapshotIndex: snapshotIndex, snapshot: snapshotRecord)
    }

    /// Decodes a logged command with the same codec that read it off the wire.
    static func command(from record: LogRecord) throws -> ShardCommand {
        guard let type = MessageType(rawValue: record.type) else {
            throw ServerError.recovery(shard: 0, reason: "log record \(record.index) has unknown command type \(record.type)")
        }
        var payload = record.payload
        switch try FrameCodec.decodePayload(type: type, from: &payload) {
        case .createTensor(let create): return .createTensor(create)
        case .pushDense(let push): return .pushDense(push)
        case .pushSparse(let push): return .pushSparse(push)
        default:
            throw ServerError.recovery(shard: 0, reason: "log record \(record.index) holds \(type), which is not a command")
        }
    }
}
