import Glibc
import NIOCore

/// The durable, ordered record of every state change of a shard: a directory of segment files
/// `wal-<first index, 20 digits>.log`, appended by one writer thread with group commit.
///
/// Guarantees:
/// - An append completes (successfully) only after its records and every record appended
///   before them are written, and with `.fsync` durability synced to the device. Completions
///   run in append order, on the writer thread: keep them short (hop to your own executor).
/// - Indices are consecutive: an append whose first index does not follow the last one fails
///   with `appendOutOfOrder` and changes nothing. An empty log accepts any first index.
/// - `truncate(from:)` is queued like an append and takes effect between the appends called
///   before and after it; after `truncate(from: i)` the next append must carry `i` (any index
///   when the log became empty). A crash during a truncation leaves a prefix of the old log.
/// - After a write or sync error the log refuses everything (`WriteAheadLogError.failed`):
///   after a failed fdatasync the kernel may have dropped the dirty pages, so nothing later
///   could honestly be called durable. Restart and recover from the files.
/// - Bounded: appends hold at most `inFlightBytesMax` record bytes in the queue and the writer.
///   Beyond that `append` **blocks the calling thread** until the writer has drained enough
///   (back-pressure, not an error: a refusal would leave a hole at that index). The wait is
///   typically one batch write and sync. The writer thread itself never waits, so a completion
///   that appends cannot deadlock. A single append larger than the bound is admitted once
///   nothing else is in flight.
public final class WriteAheadLog: Sendable {
    /// When an append counts as done.
    public enum Durability: Sendable {
        /// After fdatasync of the batch: survives power loss and kernel crashes.
        case fsync
        /// After the write only, for benchmarks. The data is in the kernel's page cache, so it
        /// survives a kill -9 of the process, but **acknowledged appends are lost on power loss
        /// or a kernel crash**, and such a crash can leave damage that `open` refuses (an earlier
        /// segment that was never synced).
        case none
    }

    /// Rotate segments at this size: small enough that removing covered segments after a
    /// snapshot frees space soon, large enough that rotation (a sync and a directory sync) is rare.
    public static let defaultSegmentBytesMax = 64 << 20
    /// Far above the wire's 256 MiB frame limit: a length beyond it is damage, not data.
    public static let defaultRecordBytesMax = 1 << 30
    /// Four 64 MiB pushes: enough to keep the disk busy, bounded so a slow disk slows clients
    /// down instead of filling memory.
    public static let defaultInFlightBytesMax = 256 << 20

    /// The file in the log directory that the open log holds an exclusive `flock` on.
    public static let lockFileName = "wal.lock"

    /// The directory holding the segment files.
    public let directory: String
    private let writer: LogWriter

    private init(directory: String, writer: LogWriter) {
        self.directory = directory
        self.writer = writer
    }

    deinit {
        _ = writer.stop(waitForExit: false)
    }

    /// Opens (creating if needed) the log in `directory`: locks it against a second writer,
    /// checks every segment, cuts a torn tail off the last one, and starts the writer. Replay
    /// the records with `replay(after:_:)`.
    ///
    /// Throws `WriteAheadLogError` naming the file and byte offset when a record that may have
    /// been acknowledged is damaged, or when indices are not consecutive.
    public static func open(
        directory: String,
        durability: Durability = .fsync,
        segmentBytesMax: Int = defaultSegmentBytesMax,
        recordBytesMax: Int = defaultRecordBytesMax,
        inFlightBytesMax: Int = defaultInFlightBytesMax,
        onSync: (@Sendable (Duration) -> Void)? = nil
    ) throws -> (WriteAheadLog, RecoveredLog) {
        guard recordBytesMax >= LogRecordLayout.headerBytes,
              recordBytesMax - LogRecordLayout.termOffset <= Int(UInt32.max)
        else {
            throw WriteAheadLogError.invalidConfiguration(
                reason: "recordBytesMax \(recordBytesMax) must be between \(LogRecordLayout.headerBytes) and 4 GiB")
        }
        guard segmentBytesMax > 0, inFlightBytesMax > 0 else {
            throw WriteAheadLogError.invalidConfiguration(
                reason: "segmentBytesMax (\(segmentBytesMax)) and inFlightBytesMax (\(inFlightBytesMax)) must be positive")
        }
        try FileIO.createDirectory(directory)
        guard let lockFD = try lockDirectory(directory) else {
            throw WriteAheadLogError.directoryInUse(directory: directory)
        }
        let recovered: LogRecovery.Outcome
        let writer: LogWriter
        do {
            recovered = try LogRecovery.recover(directory: directory, recordBytesMax: recordBytesMax)
            let settings = LogWriter.Settings(
                directory: directory, durability: durability, segmentBytesMax: segmentBytesMax,
                recordBytesMax: recordBytesMax, inFlightBytesMax: inFlightBytesMax, onSync: onSync)
            writer = try LogWriter(settings: settings, segments: recovered.segments, lockFD: lockFD)
        } catch {
            FileIO.close(lockFD)
            throw error
        }
        writer.start()
        let summary = RecoveredLog(
            firstIndex: recovered.segments.first?.firstIndex,
            lastIndex: recovered.segments.last?.lastIndex,
            recordCount: recovered.recordCount,
            segmentCount: recovered.segments.count,
            truncatedTail: recovered.truncatedTail)
        return (WriteAheadLog(directory: directory, writer: writer), summary)
    }

    /// Takes the directory's lock, waiting up to a second for a holder that is going away: a
    /// process being spawned at the moment another log on this lock file closed keeps a copy of
    /// that descriptor (and so the lock) until it execs, even with close-on-exec. A real second
    /// writer holds the lock for good and is still refused.
    private static func lockDirectory(_ directory: String) throws -> Int32? {
        for attempt in 0..<20 {
            if let fd = try FileIO.lockExclusively(directory + "/" + lockFileName) { return fd }
            if attempt < 19 { usleep(50_000) }
        }
        return nil
    }

    // MARK: Appending

    /// Queues `records` (consecutive indices following the last appended) and calls `completion`
    /// once they are durable, or with the error that prevented it. Lets a NIO caller wait for
    /// the disk without an async hop. An empty array completes once everything appended before
    /// it is durable. May block while the queue is full (see the type's documentation).
    public func append(_ records: [LogRecord], completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        writer.append(records, completion: completion)
    }

    /// Appends `records` and returns once they are durable.
    public func append(_ records: [LogRecord]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writer.append(records) { continuation.resume(with: $0) }
        }
    }

    /// Appends one record and returns once it is durable.
    public func append(_ record: LogRecord) async throws {
        try await append([record])
    }

    // MARK: Truncating

    /// Removes every record whose index is ≥ `index`, in order with appends: appends queued
    /// before it are written first, and the next append must carry `index`, or any index when
    /// nothing is left. `truncate(from: 0)` (or any index ≤ the first record's) empties the log;
    /// an index past the last record + 1 changes nothing. `completion` runs on the writer thread
    /// once the cut is durable: files removed and cut, synced as `Durability` says.
    ///
    /// Raft needs it when a follower's uncommitted suffix conflicts with a new leader's log, and
    /// when an installed snapshot replaces the whole log. Committed records must never be cut;
    /// the log cannot tell which are, so that is the caller's invariant.
    public func truncate(from index: UInt64, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        writer.truncate(from: index, completion: completion)
    }

    /// Removes every record whose index is ≥ `index` and returns once that is durable; see
    /// `truncate(from:completion:)`.
    public func truncate(from index: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writer.truncate(from: index) { continuation.resume(with: $0) }
        }
    }

    // MARK: Reading

    /// Calls `body` with every durable record whose index is greater than `index`, in order.
    /// Segments entirely at or below `index` are not read. Meant for start-up, before appending;
    /// do not run it concurrently with `removeSegments` or `truncate`.
    public func replay(after index: UInt64, _ body: (LogRecord) throws -> Void) throws {
        var expected: UInt64?
        for segment in writer.durableSegments where segment.lastIndex > index {
            let reader = try LogSegmentReader(
                path: segment.path, endBytes: segment.durableBytes, recordBytesMax: writer.settings.recordBytesMax)
            readSegment: while true {
                switch try reader.next() {
                case .record(let record, let offset, _):
                    if let expected, record.index != expected {
                        throw WriteAheadLogError.nonConsecutiveIndex(
                            file: segment.path, offsetBytes: offset, expected: expected, found: record.index)
                    }
                    expected = record.index + 1
                    if record.index > index { try body(record) }
                case .endOfSegment:
                    break readSegment
                case .damaged(let offset, let reason):
                    throw WriteAheadLogError.corruptRecord(
                        file: segment.path, offsetBytes: offset, reason: "\(reason) (the record was valid when the log was opened)")
                }
            }
        }
    }

    /// The index of the newest durable record, or nil while the log is empty.
    public var lastIndex: UInt64? {
        writer.durableSegments.last?.lastIndex
    }

    /// How many fdatasync calls the writer has made on segment files. With group commit this is
    /// far below the number of records appended; exposed for tests and metrics.
    public var syncCount: Int {
        writer.fdatasyncCount
    }

    /// The durable segment files, oldest first.
    public var segmentPaths: [String] {
        writer.durableSegments.map(\.path)
    }

    // MARK: Compaction and shutdown

    /// Deletes the segments whose every record has index ≤ `index`, oldest first, after a
    /// snapshot made them unnecessary. The segment being appended to is never deleted.
    /// Returns how many segments were deleted.
    @discardableResult
    public func removeSegments(coveredThrough index: UInt64) throws -> Int {
        let removable = writer.detachSegments(coveredThrough: index)
        for segment in removable {
            try FileIO.remove(segment.path)
            // One sync per removal, so a crash cannot bring back an older segment without the
            // newer ones and leave a gap in the indices.
            if writer.settings.durability == .fsync {
                try FileIO.syncDirectory(directory)
            }
        }
        return removable.count
    }

    /// Writes what is queued, stops the writer and closes the files. Later appends fail with
    /// `WriteAheadLogError.closed`. Throws the failure that stopped the log, if one did.
    public func close() throws {
        if let failure = writer.stop(waitForExit: true) {
            throw WriteAheadLogError.failed(underlying: failure)
        }
    }
}
