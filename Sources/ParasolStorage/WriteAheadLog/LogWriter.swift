import Foundation
import Glibc
import NIOCore
import ParasolConsensus

/// The group-commit engine behind `WriteAheadLog`: a queue of appends (and the occasional
/// truncation) and one thread that writes whatever queued up while it was busy, syncs once, and
/// completes every waiter.
///
/// Under load the fdatasync cost (~0.25 ms here) is paid per batch instead of per record. A
/// batch is copied into the reused, aligned buffers of a `DirectFileWriter` and written with
/// `O_DIRECT` when the log is synced: the kernel's copy into fresh page-cache pages capped the
/// log at ~330 MB/s on these VMs, a copy into warm memory costs a fraction of that, and the
/// data has to reach the device before the fdatasync returns anyway. An unsynced log writes
/// the same way through the page cache (no device wait per batch).
final class LogWriter: @unchecked Sendable {
    // @unchecked: every field under "Shared" is read and written only while holding
    // `condition`; every field under "Writer thread" only by the writer thread; the settings
    // are immutable.

    struct Settings: Sendable {
        var directory: String
        var durability: WriteAheadLog.Durability
        var segmentBytesMax: Int
        var recordBytesMax: Int
        var inFlightBytesMax: Int
        /// Told how long each fdatasync took, on the writer thread (for the node's metrics).
        var onSync: (@Sendable (Duration) -> Void)?
    }

    typealias Completion = @Sendable (Result<Void, any Error>) -> Void

    /// One queued operation. Truncations travel in the same queue as appends so that both take
    /// effect in the order they were called.
    private struct PendingOperation {
        enum Kind {
            case append([LogRecord])
            /// Remove every record with index ≥ `fromIndex`.
            case truncate(fromIndex: UInt64)
        }

        var kind: Kind
        /// Record bytes an append holds in flight; 0 for a truncation.
        var recordBytes: Int
        var completion: Completion
    }

    private enum State {
        case running
        /// `close` was called: queued appends are still written, new ones are refused.
        case closing
        /// A write or sync failed; everything queued or appended later fails with this error.
        case failed(any Error)
    }

    /// The segment the writer appends to: open for writing, owned by the writer thread.
    private struct ActiveSegment {
        var fd: Int32
        var segment: LogSegment
        /// Bytes written to the file, synced or not.
        var writtenBytes: Int
        /// True when the file holds records written since its last publication.
        var hasUnpublishedRecords: Bool
    }

    /// Each log writes through 4 buffers of 1 MiB: 4 MiB of memory per shard replica once a large
    /// push went through (a node with many shards holds one log per shard), and with one write in
    /// flight the next megabyte is copied while the previous one is written.
    static let writeChunkBytes = 1 << 20
    static let writeBufferCount = 4

    let settings: Settings

    // MARK: Shared (guarded by `condition`)

    private let condition = NSCondition()
    private var queue: [PendingOperation] = []
    private var inFlightBytes = 0
    /// The index the next appended record must carry; nil while the log is empty. Like
    /// `firstIndex`, it describes the log with every queued operation applied.
    private var nextIndex: UInt64?
    /// The index of the log's first record, queued or written; nil while the log is empty.
    private var firstIndex: UInt64?
    private var state = State.running
    private var writerExited = false
    private var writerThreadID: pthread_t?
    private var segments: [LogSegment]
    private var syncCount = 0

    // MARK: Writer thread

    private var active: ActiveSegment?
    /// Writes the active segment; one for the log's life, so its buffers stay warm. Created
    /// with the first active segment.
    private var segmentWriter: DirectFileWriter?
    /// Bytes appended to `segmentWriter` and not flushed yet.
    private var gatheredBytes = 0

    /// Holds the directory's lock file; closed (releasing the lock) when the writer exits.
    private let lockFD: Int32

    /// Takes over `segments` as recovered (the last one, if any, is continued) and the lock on
    /// the directory, which it releases when its thread exits.
    init(settings: Settings, segments: [LogSegment], lockFD: Int32) throws {
        self.settings = settings
        self.lockFD = lockFD
        self.segments = segments
        self.nextIndex = segments.last.map { $0.lastIndex + 1 }
        self.firstIndex = segments.first?.firstIndex
        if let last = segments.last {
            let fd = try FileIO.openForWriting(last.path, truncate: false)
            do {
                try activate(fd: fd, segment: last)
            } catch {
                FileIO.close(fd)
                throw error
            }
        }
    }

    /// Starts the writer thread; call once.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "parasol-wal-writer"
        thread.start()
    }

    // MARK: Appending (any thread)

    func append(_ records: [LogRecord], completion: @escaping Completion) {
        let recordBytes = records.reduce(0) { $0 + LogRecordLayout.recordBytes(payloadBytes: $1.payload.count) }
        condition.lock()
        let onWriterThread = writerThreadID.map { pthread_equal($0, pthread_self()) != 0 } ?? false
        // Back-pressure: wait while the writer holds too much. A batch larger than the whole
        // allowance is admitted once nothing else is in flight, and the writer thread itself
        // (a completion that appends) never waits for itself.
        while case .running = state, !onWriterThread, inFlightBytes > 0, inFlightBytes + recordBytes > settings.inFlightBytesMax {
            condition.wait()
        }
        if let refusal = refusalLocked(records) {
            condition.unlock()
            completion(.failure(refusal))
            return
        }
        if let first = records.first, firstIndex == nil { firstIndex = first.index }
        if let last = records.last { nextIndex = last.index + 1 }
        inFlightBytes += recordBytes
        queue.append(PendingOperation(kind: .append(records), recordBytes: recordBytes, completion: completion))
        condition.broadcast()
        condition.unlock()
    }

    /// Queues the removal of every record with index ≥ `index`. The next append must carry
    /// `index`, or any index when nothing is left; an `index` past the next one changes nothing
    /// (its completion still waits for what was queued before it). Never waits for in-flight
    /// bytes: it adds none.
    func truncate(from index: UInt64, completion: @escaping Completion) {
        condition.lock()
        let refusal: WriteAheadLogError?
        switch state {
        case .running: refusal = nil
        case .closing: refusal = .closed
        case .failed(let error): refusal = .failed(underlying: error)
        }
        if let refusal {
            condition.unlock()
            completion(.failure(refusal))
            return
        }
        if let first = firstIndex, let next = nextIndex, index < next {
            if index <= first {
                firstIndex = nil
                nextIndex = nil
            } else {
                nextIndex = index
            }
        }
        queue.append(PendingOperation(kind: .truncate(fromIndex: index), recordBytes: 0, completion: completion))
        condition.broadcast()
        condition.unlock()
    }

    /// Why `records` cannot be queued now, or nil when they can.
    private func refusalLocked(_ records: [LogRecord]) -> WriteAheadLogError? {
        switch state {
        case .running: break
        case .closing: return .closed
        case .failed(let error): return .failed(underlying: error)
        }
        var expected = nextIndex
        for record in records {
            let recordBytes = LogRecordLayout.recordBytes(payloadBytes: record.payload.count)
            guard recordBytes <= settings.recordBytesMax else {
                return .recordTooLarge(index: record.index, recordBytes: recordBytes, limit: settings.recordBytesMax)
            }
            if let expected, record.index != expected {
                return .appendOutOfOrder(expected: expected, found: record.index)
            }
            expected = record.index + 1
        }
        return nil
    }

    // MARK: Views for the log (any thread)

    var durableSegments: [LogSegment] {
        condition.lock()
        defer { condition.unlock() }
        return segments
    }

    var fdatasyncCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return syncCount
    }

    /// Takes the segments whose records all have index ≤ `index` out of the list, never the last
    /// one (the writer appends to it), and returns them for deletion.
    func detachSegments(coveredThrough index: UInt64) -> [LogSegment] {
        condition.lock()
        defer { condition.unlock() }
        let removable = segments.dropLast().prefix { $0.lastIndex <= index }
        segments.removeFirst(removable.count)
        // The last segment stays, so this never empties the log; it only moves its start.
        if let first = segments.first, let queuedFirst = firstIndex, first.firstIndex > queuedFirst {
            firstIndex = first.firstIndex
        }
        return Array(removable)
    }

    /// Refuses new appends, lets the writer finish what is queued, and waits for its thread to
    /// exit. Returns the failure that stopped the log, if one did.
    func stop(waitForExit: Bool) -> (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        if case .running = state { state = .closing }
        condition.broadcast()
        // Closing from a completion (on the writer thread) cannot wait for that thread to exit.
        let onWriterThread = writerThreadID.map { pthread_equal($0, pthread_self()) != 0 } ?? false
        while waitForExit && !onWriterThread && !writerExited {
            condition.wait()
        }
        if case .failed(let error) = state { return error }
        return nil
    }

    // MARK: The writer thread

    private func run() {
        condition.lock()
        writerThreadID = pthread_self()
        condition.unlock()
        while let batch = nextBatch() {
            let result = Result { try perform(batch) }
            let batchBytes = batch.reduce(0) { $0 + $1.recordBytes }
            condition.lock()
            inFlightBytes -= batchBytes
            switch result {
            case .success:
                publishActiveLocked()
            case .failure(let error):
                state = .failed(error)
            }
            condition.broadcast()
            condition.unlock()
            for pending in batch {
                pending.completion(result)
            }
        }
        if case .closing = currentState(), active != nil {
            // A clean stop leaves no padding after the last record for recovery to cut.
            _ = try? segmentWriter?.finish()
        }
        closeActive()
        FileIO.close(lockFD)
        condition.lock()
        writerExited = true
        condition.broadcast()
        condition.unlock()
    }

    private func currentState() -> State {
        condition.lock()
        defer { condition.unlock() }
        return state
    }

    /// Waits for appends and takes all of them; fails them right away if the log has failed.
    /// Returns nil once the log is closing (or failed) and nothing is left.
    private func nextBatch() -> [PendingOperation]? {
        condition.lock()
        while true {
            if case .running = state, queue.isEmpty {
                condition.wait()
                continue
            }
            guard !queue.isEmpty else {
                condition.unlock()
                return nil
            }
            let batch = queue
            queue = []
            guard case .failed(let error) = state else {
                condition.unlock()
                return batch
            }
            inFlightBytes -= batch.reduce(0) { $0 + $1.recordBytes }
            condition.broadcast()
            condition.unlock()
            for pending in batch {
                pending.completion(.failure(WriteAheadLogError.failed(underlying: error)))
            }
            condition.lock()
        }
    }

    /// Writes and syncs every record of `batch`, rotating segments on the way, and applies its
    /// truncations in order with the appends around them.
    private func perform(_ batch: [PendingOperation]) throws {
        for pending in batch {
            let records: [LogRecord]
            switch pending.kind {
            case .append(let appended):
                records = appended
            case .truncate(let index):
                try truncateDurably(from: index)
                continue
            }
            for record in records {
                let payloadBytes = record.payload.count
                let recordBytes = LogRecordLayout.recordBytes(payloadBytes: payloadBytes)
                if needsNewSegment(forRecordBytes: recordBytes) {
                    try finishActiveSegment()
                    try startSegment(firstIndex: record.index)
                }
                let writer = segmentWriter!
                try withUnsafeTemporaryAllocation(byteCount: LogRecordLayout.headerBytes, alignment: 8) { header in
                    LogRecordCodec.encodeHeader(of: record, into: header.baseAddress!)
                    try writer.append(UnsafeRawBufferPointer(header))
                }
                try record.payload.withUnsafeBytes { try writer.append($0) }
                gatheredBytes += recordBytes
                active!.segment.lastIndex = record.index
                active!.hasUnpublishedRecords = true
            }
        }
        try writeGathered()
        try syncActive()
    }

    private func needsNewSegment(forRecordBytes recordBytes: Int) -> Bool {
        guard let active else { return true }
        let segmentBytes = active.writtenBytes + gatheredBytes
        // A segment always takes at least one record, however large.
        return segmentBytes > 0 && segmentBytes + recordBytes > settings.segmentBytesMax
    }

    private func writeGathered() throws {
        guard gatheredBytes > 0, let writer = segmentWriter, active != nil else { return }
        active!.writtenBytes = try writer.flush()
        gatheredBytes = 0
    }

    private func syncActive() throws {
        guard let active, active.hasUnpublishedRecords, settings.durability == .fsync else { return }
        try dataSync(active.fd, path: active.segment.path)
    }

    /// fdatasync of a segment file, timed for `onSync` and counted in `syncCount`.
    private func dataSync(_ fd: Int32, path: String) throws {
        let started = ContinuousClock.now
        try FileIO.dataSync(fd, path: path)
        settings.onSync?(ContinuousClock.now - started)
        condition.lock()
        syncCount += 1
        condition.unlock()
    }

    /// Writes, syncs and publishes what the active segment holds, then closes it. The next
    /// segment is created only after this, so damage can only ever be torn in the last segment.
    private func finishActiveSegment() throws {
        guard active != nil else { return }
        gatheredBytes = 0
        active!.writtenBytes = try segmentWriter!.finish()
        try syncActive()
        condition.lock()
        publishActiveLocked()
        condition.unlock()
        closeActive()
    }

    private func startSegment(firstIndex: UInt64) throws {
        let path = settings.directory + "/" + LogSegment.fileName.name(for: firstIndex)
        let fd = try FileIO.createNew(path)
        if settings.durability == .fsync {
            do {
                try FileIO.syncDirectory(settings.directory)
            } catch {
                FileIO.close(fd)
                throw error
            }
        }
        let segment = LogSegment(path: path, firstIndex: firstIndex, lastIndex: firstIndex, durableBytes: 0)
        do {
            try activate(fd: fd, segment: segment)
        } catch {
            FileIO.close(fd)
            throw error
        }
    }

    /// Makes the segment open at `fd` the one appends continue, after its first `durableBytes`.
    private func activate(fd: Int32, segment: LogSegment) throws {
        if let segmentWriter {
            try segmentWriter.continueFile(fd: fd, path: segment.path, length: segment.durableBytes)
        } else {
            let writer = DirectFileWriter(
                fd: fd, path: segment.path, directIO: settings.durability == .fsync,
                chunkBytesMax: Self.writeChunkBytes, bufferCount: Self.writeBufferCount)
            try writer.continueFile(fd: fd, path: segment.path, length: segment.durableBytes)
            segmentWriter = writer
        }
        active = ActiveSegment(fd: fd, segment: segment, writtenBytes: segment.durableBytes, hasUnpublishedRecords: false)
    }

    // MARK: Truncation (writer thread)

    /// Removes every record with index ≥ `index` from the files, after writing and syncing what
    /// was gathered before it, and continues appending to the segment that is last afterwards.
    ///
    /// Crash safety: whole segments are deleted newest first, each deletion made durable before
    /// the next, then the segment holding `index` is cut. Every state a crash can leave is a
    /// consecutive prefix of the old log that recovery accepts; the completion, which runs
    /// only after all of it, is what promises the cut.
    private func truncateDurably(from index: UInt64) throws {
        try writeGathered()
        try syncActive()
        condition.lock()
        publishActiveLocked()
        let doomed = segments.filter { $0.firstIndex >= index }
        let cut = segments.last { $0.firstIndex < index && $0.lastIndex >= index }
        // Hide what goes away from `replay` and `lastIndex` before the files change.
        segments.removeAll { $0.firstIndex >= index }
        condition.unlock()

        for segment in doomed.reversed() {
            if active?.segment.path == segment.path { closeActive() }
            try FileIO.remove(segment.path)
            if settings.durability == .fsync { try FileIO.syncDirectory(settings.directory) }
        }
        if let cut {
            let offsetBytes = try offsetOfRecord(index, in: cut)
            condition.lock()
            if let position = segments.firstIndex(where: { $0.path == cut.path }) {
                segments[position].lastIndex = index - 1
                segments[position].durableBytes = offsetBytes
            }
            condition.unlock()
            if active?.segment.path != cut.path { closeActive() }
            let fd = try active?.fd ?? FileIO.openForWriting(cut.path, truncate: false)
            try FileIO.truncate(fd, toBytes: offsetBytes, path: cut.path)
            if settings.durability == .fsync { try dataSync(fd, path: cut.path) }
            var shortened = cut
            shortened.lastIndex = index - 1
            shortened.durableBytes = offsetBytes
            // The writer reads back the partial block the cut left at the new end.
            try activate(fd: fd, segment: shortened)
        }
        try continueLastSegment()
    }

    /// Makes the last remaining segment the active one (as `init` does after recovery), so the
    /// next append continues it; with no segment left the next append starts a new one.
    private func continueLastSegment() throws {
        condition.lock()
        let last = segments.last
        condition.unlock()
        guard let last else {
            closeActive()
            return
        }
        guard active?.segment.path != last.path else { return }
        closeActive()
        let fd = try FileIO.openForWriting(last.path, truncate: false)
        do {
            try activate(fd: fd, segment: last)
        } catch {
            FileIO.close(fd)
            throw error
        }
    }

    private func closeActive() {
        if let active { FileIO.close(active.fd) }
        active = nil
    }

    /// The byte offset where record `index` starts in `segment`, found by reading the segment
    /// from its start: truncation is rare, so no index of offsets is kept.
    private func offsetOfRecord(_ index: UInt64, in segment: LogSegment) throws -> Int {
        let reader = try LogSegmentReader(path: segment.path, endBytes: segment.durableBytes, recordBytesMax: settings.recordBytesMax)
        while true {
            switch try reader.next() {
            case .record(let record, let offset, _):
                if record.index == index { return offset }
            case .endOfSegment:
                throw WriteAheadLogError.corruptRecord(
                    file: segment.path, offsetBytes: segment.durableBytes,
                    reason: "record \(index), where a truncation starts, is not in the segment that should hold it")
            case .damaged(let offset, let reason):
                throw WriteAheadLogError.corruptRecord(
                    file: segment.path, offsetBytes: offset, reason: "\(reason) (found while looking for record \(index) to truncate at)")
            }
        }
    }

    /// Makes what the active segment holds visible to `replay` and `removeSegments`.
    private func publishActiveLocked() {
        guard var active, active.hasUnpublishedRecords else { return }
        active.segment.durableBytes = active.writtenBytes
        if segments.last?.path == active.segment.path {
            segments[segments.count - 1] = active.segment
        } else {
            segments.append(active.segment)
        }
        active.hasUnpublishedRecords = false
        self.active = active
    }

}
