import Foundation
import Logging
import NIOCore
import NIOPosix
import ParasolAdmin
import ParasolConfig
import ParasolConsensus
import ParasolStorage
import ParasolTensors
import ParasolWire
import Synchronization

/// Local snapshots and log compaction: every `everyUpdates` commands, every `everySeconds`, or
/// once `compactionBytes` of entries piled up (which bounds the log a replica holds in memory
/// and replays at start), the applied state is written as an LZ4 snapshot; then the consensus
/// log forgets the entries it covers, and the log segments before the oldest kept snapshot go.
extension ShardReplica {
    /// Entry bytes since the last snapshot that trigger one regardless of the count and time
    /// settings: the consensus log holds these entries in memory until they are compacted.
    static let compactionBytes = 256 << 20

    func maybeSnapshot() {
        eventLoop.preconditionInEventLoop()
        let sinceLast = appliedIndex - min(appliedIndex, lastSnapshotIndex)
        guard sinceLast > 0, failure == nil else { return }
        let byCount = snapshotPolicy.everyUpdates > 0 && sinceLast >= UInt64(snapshotPolicy.everyUpdates)
        let byBytes = bytesSinceSnapshot >= Self.compactionBytes
        let byTime = snapshotPolicy.everySeconds > 0
            && NIODeadline.now() - lastSnapshotTime >= .seconds(Int64(snapshotPolicy.everySeconds))
        if byCount || byBytes || byTime {
            takeSnapshot(reason: byCount ? "\(sinceLast) updates" : byBytes ? "\(bytesSinceSnapshot) bytes of log" : "interval")
        }
    }

    /// Copies the state on this loop (fast: memcpy + shuffle), then compresses and writes it on
    /// the I/O pool so pushes keep flowing while the file is written.
    func takeSnapshot(reason: String) {
        eventLoop.preconditionInEventLoop()
        guard !snapshotInFlight else { return }
        let index = appliedIndex
        let term = appliedTerm
        guard index > lastSnapshotIndex else {
            // Nothing new since the last snapshot: that one already covers everything.
            answerSnapshotWaiters(.snapshotTaken(SnapshotTaken(index: lastSnapshotIndex, bytes: UInt64(lastSnapshot?.compressedBytes ?? 0))))
            return
        }
        snapshotInFlight = true
        // Captured here, between two applies, without copying the weights; compressed and written
        // on the I/O thread while pushes go on (a tensor pushed meanwhile is copied on write).
        let image = state.snapshotImage()
        let started = NIODeadline.now()
        let snapshots = self.snapshots
        let shardID = self.shardID
        let keep = snapshotPolicy.keep
        let bytesCovered = bytesSinceSnapshot
        ioPool.submit { poolState in
            let result = Result { () throws -> ParasolStorage.SnapshotInfo in
                guard case .active = poolState else { throw ServerError.shuttingDown }
                let info = try snapshots.write(shard: shardID, index: index, term: term, contentBytes: image.byteCount) { feed in
                    try image.stream(chunkBytes: SnapshotStore.streamPieceBytes, into: feed)
                }
                try snapshots.prune(keep: keep)
                return info
            }
            self.eventLoop.execute {
                self.onSnapshotWritten(
                    result, meta: SnapshotMeta(index: index, term: term), reason: reason, started: started,
                    bytesCovered: bytesCovered)
            }
        }
    }

    private func onSnapshotWritten(
        _ result: Result<ParasolStorage.SnapshotInfo, any Error>, meta: SnapshotMeta, reason: String, started: NIODeadline,
        bytesCovered: Int
    ) {
        eventLoop.preconditionInEventLoop()
        snapshotInFlight = false
        defer { completeDrainIfIdle() }
        lastSnapshotTime = .now()
        switch result {
        case .success(let info):
            let took = Duration.since(started)
            noteSnapshot(info, meta: meta, durationSeconds: took.seconds)
            bytesSinceSnapshot = max(0, bytesSinceSnapshot - bytesCovered)
            metrics.recordSnapshot(duration: took, bytes: info.compressedBytes)
            let millis = Int((took.seconds * 1000).rounded())
            logger.info("shard \(shardID): snapshot at index \(meta.index) (\(reason)): \(info.uncompressedBytes) → \(info.compressedBytes) bytes in \(millis) ms")
            compactLog(through: meta)
            answerSnapshotWaiters(.snapshotTaken(SnapshotTaken(index: meta.index, bytes: UInt64(info.compressedBytes))))
        case .failure(let error):
            logger.error("shard \(shardID): snapshot at index \(meta.index) failed: \(error)")
            answerSnapshotWaiters(.error(ErrorReply(code: .internalError, message: "snapshot of shard \(shardID) failed: \(error)")))
        }
    }

    /// Records `info` as the newest snapshot this replica holds.
    func noteSnapshot(_ info: ParasolStorage.SnapshotInfo, meta: SnapshotMeta, durationSeconds: Double) {
        lastSnapshotIndex = max(lastSnapshotIndex, meta.index)
        lastSnapshot = SnapshotRecord(
            index: meta.index, created: Date(timeIntervalSince1970: Double(info.createdUnixSeconds)),
            compressedBytes: info.compressedBytes, uncompressedBytes: info.uncompressedBytes, durationSeconds: durationSeconds)
        metrics.setSnapshotBytes(info.compressedBytes)
    }

    /// Lets the consensus log forget what `meta` covers, and removes the log segments older than
    /// the oldest kept snapshot (kept so a corrupt newest snapshot can fall back to the previous one).
    func compactLog(through meta: SnapshotMeta) {
        if meta.index > raft.snapshot.index {
            do {
                try raft.compact(through: meta)
            } catch {
                logger.debug("shard \(shardID): log not compacted through \(meta.index): \(error)")
            }
        }
        do {
            if let oldestKept = try snapshots.oldestKeptIndex() {
                try log.removeSegments(coveredThrough: oldestKept)
            }
        } catch {
            logger.error("shard \(shardID): could not remove old log segments: \(error)")
        }
    }

    func answerSnapshotWaiters(_ message: Message) {
        let waiters = snapshotWaiters
        snapshotWaiters = []
        for waiter in waiters { waiter(message) }
    }
}
