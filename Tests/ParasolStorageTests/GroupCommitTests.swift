import Dispatch
import Foundation
import NIOCore
import ParasolStorage
import Testing

/// Group commit: appends that queue up while the writer is busy share one write and one sync,
/// complete in order, and the in-flight bound neither loses appends nor deadlocks.
@Suite(.timeLimit(.minutes(2)))
struct GroupCommitTests {
    /// Hands out consecutive indices and queues each record under one lock, the way a shard's
    /// event loop serializes its appends, so concurrent tasks never append out of order.
    final class Appender: @unchecked Sendable {
        // @unchecked: `nextIndex` is guarded by `lock`.
        private let lock = NSLock()
        private let log: WriteAheadLog
        private var nextIndex: UInt64

        init(log: WriteAheadLog, firstIndex: UInt64 = 1) {
            self.log = log
            self.nextIndex = firstIndex
        }

        /// Queues the next record; `completion` runs once it is durable.
        func queueNext(payload: [UInt8], completion: @escaping @Sendable (Result<UInt64, any Error>) -> Void) {
            lock.withLock {
                let index = nextIndex
                nextIndex += 1
                log.append([logRecord(index, payload)]) { result in completion(result.map { index }) }
            }
        }

        /// Appends the next record and returns its index once it is durable.
        func appendNext(payload: [UInt8]) async throws -> UInt64 {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UInt64, any Error>) in
                queueNext(payload: payload) { continuation.resume(with: $0) }
            }
        }
    }

    @Test func appendsQueuedWhileTheWriterIsBusyShareOneSync() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            // The first append's completion runs on the writer thread and holds it until every
            // other append is queued, so they can only be written as one batch afterwards.
            let releaseWriter = DispatchSemaphore(value: 0)
            let first = Completions()
            log.append([logRecord(1, [1])]) { result in
                releaseWriter.wait()
                first.record(result)
            }
            let recordCount = 1000
            let appender = Appender(log: log, firstIndex: 2)
            let queued = Counter()
            let later = Completions()
            await withTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for _ in stride(from: task, to: recordCount - 1, by: 8) {
                            appender.queueNext(payload: [0xC0]) { later.record($0.map { _ in }) }
                            if queued.increment() == recordCount - 1 { releaseWriter.signal() }
                        }
                    }
                }
            }
            try await log.append([])
            #expect(first.successes == 1)
            #expect(later.successes == recordCount - 1)
            var replayed: [UInt64] = []
            try log.replay(after: 0) { replayed.append($0.index) }
            #expect(replayed == Array(1...UInt64(recordCount)))
            // One sync for record 1, one for the other 999 (or one for all if the writer had not
            // started yet when they were queued).
            print("\(recordCount) records, \(log.syncCount) fdatasync calls")
            #expect(log.syncCount >= 1)
            #expect(log.syncCount <= 2)
        }
    }

    @Test func concurrentClientsAllBecomeDurableInIndexOrder() async throws {
        let seed: UInt64 = 0x5EED_0003
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            let appender = Appender(log: log)
            let clients = 8
            let recordsPerClient = 250
            let indices = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for client in 0..<clients {
                    group.addTask {
                        var generator = SeededGenerator(seed: seed &+ UInt64(client))
                        var indices: [UInt64] = []
                        for _ in 0..<recordsPerClient {
                            indices.append(try await appender.appendNext(payload: generator.bytes(Int(generator.next() % 256))))
                        }
                        return indices
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let total = clients * recordsPerClient
            #expect(indices.sorted() == Array(1...UInt64(total)))
            // Each client waits for its own append, so a batch holds at most `clients` records.
            print("\(total) records from \(clients) clients, \(log.syncCount) fdatasync calls")
            #expect(log.syncCount >= total / clients)
            #expect(log.syncCount <= total)
            try log.close()

            let (reopened, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            #expect(summary.recordCount == total)
            var expected: UInt64 = 1
            try reopened.replay(after: 0) { record in
                #expect(record.index == expected)
                expected += 1
            }
        }
    }

    @Test func completionsRunInAppendOrder() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            let order = OrderRecorder()
            for index in UInt64(1)...500 {
                log.append([logRecord(index, [UInt8(truncatingIfNeeded: index)])]) { _ in order.append(index) }
            }
            try log.close()
            #expect(order.indices == Array(1...500))
        }
    }

    @Test func anEmptyAppendCompletesAfterEverythingBeforeIt() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            let order = OrderRecorder()
            for index in UInt64(1)...20 {
                log.append([logRecord(index, [1])]) { _ in order.append(index) }
            }
            try await log.append([])
            #expect(order.indices == Array(1...20))
        }
    }

    @Test func aBatchLargerThanTheInFlightBoundIsStillAdmitted() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory, inFlightBytesMax: 100)
            defer { try? log.close() }
            try await log.append([logRecord(1, [UInt8](repeating: 1, count: 1000))])
            for index in UInt64(2)...50 {
                try await log.append(logRecord(index, [UInt8](repeating: 2, count: 90)))
            }
            #expect(log.lastIndex == 50)
        }
    }

    @Test func aCompletionThatAppendsDoesNotWaitForItself() async throws {
        try await withTemporaryDirectory { directory in
            // Record 1 alone fills the in-flight allowance; its completion, on the writer thread,
            // appends record 2. Back-pressure would make the writer wait for itself.
            let (log, _) = try WriteAheadLog.open(directory: directory, inFlightBytesMax: 100)
            defer { try? log.close() }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                log.append([logRecord(1, [UInt8](repeating: 1, count: 90))]) { first in
                    log.append([logRecord(2, [UInt8](repeating: 2, count: 90))]) { second in
                        continuation.resume(with: first.flatMap { second })
                    }
                }
            }
            #expect(log.lastIndex == 2)
        }
    }

    @Test func appendsBeyondTheInFlightBoundWaitAndAllComplete() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory, inFlightBytesMax: 4096)
            let completed = Completions()
            // 2000 appends of ~1 KiB from one thread: most have to wait for room.
            for index in UInt64(1)...2000 {
                log.append([logRecord(index, [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 1000))]) {
                    completed.record($0)
                }
            }
            try log.close()
            #expect(completed.successes == 2000)
            #expect(completed.failures.isEmpty)
        }
    }
}
