import Foundation
import NIOCore
import ParasolConsensus
import ParasolStorage
import Testing

/// `truncate(from:)`: a follower dropping a conflicting suffix, or its whole log before a
/// snapshot install. Every test reopens the directory, because the files are the promise.
@Suite(.timeLimit(.minutes(2)))
struct LogTruncationTests {
    private func replayAll(_ log: WriteAheadLog) throws -> [LogRecord] {
        var records: [LogRecord] = []
        try log.replay(after: 0) { records.append($0) }
        return records
    }

    private func records(_ indices: ClosedRange<UInt64>, seed: UInt64, bytesMax: Int = 300) -> [LogRecord] {
        let payloads = seededPayloads(count: indices.count, bytesMax: bytesMax, seed: seed)
        return zip(indices, payloads).map { logRecord($0, $1) }
    }

    @Test func truncatingMidSegmentThenAppendingSurvivesReopen() async throws {
        let seed: UInt64 = 0x5EED_0101
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let original = records(1...50, seed: seed)
            let (log, _) = try WriteAheadLog.open(directory: directory)
            try await log.append(original)
            try await log.truncate(from: 31)
            #expect(log.lastIndex == 30)
            #expect(try replayAll(log) == Array(original[0..<30]))
            let replacement = (31...40).map { LogRecord(term: 2, index: $0, type: 9, payload: [UInt8($0)]) }
            try await log.append(replacement)
            try log.close()

            let (reopened, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            #expect(summary.truncatedTail == nil)
            #expect(summary.firstIndex == 1)
            #expect(summary.lastIndex == 40)
            #expect(summary.recordCount == 40)
            #expect(try replayAll(reopened) == Array(original[0..<30]) + replacement)
        }
    }

    @Test func truncatingAcrossSegmentsRemovesTheLaterOnes() async throws {
        let seed: UInt64 = 0x5EED_0102
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let original = records(1...200, seed: seed)
            let (log, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 2000)
            for record in original { try await log.append(record) }
            let segmentsBefore = log.segmentPaths.count
            #expect(segmentsBefore > 5)
            try await log.truncate(from: 57)
            #expect(log.lastIndex == 56)
            #expect(log.segmentPaths.count < segmentsBefore)
            #expect(try fileNames(in: directory, prefix: "wal-").count == log.segmentPaths.count)
            let tail = records(57...120, seed: seed + 1)
            for record in tail { try await log.append(record) }
            try log.close()

            let (reopened, summary) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 2000)
            defer { try? reopened.close() }
            #expect(summary.lastIndex == 120)
            #expect(summary.recordCount == 120)
            #expect(try replayAll(reopened) == Array(original[0..<56]) + tail)
        }
    }

    @Test func truncatingAtASegmentBoundaryContinuesThePreviousSegment() async throws {
        let seed: UInt64 = 0x5EED_0103
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let original = records(1...100, seed: seed)
            let (log, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 2000)
            for record in original { try await log.append(record) }
            let secondSegment = try #require(log.segmentPaths.dropFirst().first)
            let boundary = UInt64(secondSegment.split(separator: "-").last!.prefix(20))!
            try await log.truncate(from: boundary)
            #expect(log.lastIndex == boundary - 1)
            #expect(log.segmentPaths.count == 1)
            try await log.append(logRecord(boundary, [1, 2, 3]))
            try log.close()

            let (reopened, summary) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 2000)
            defer { try? reopened.close() }
            #expect(summary.lastIndex == boundary)
            #expect(try replayAll(reopened) == Array(original[0..<Int(boundary - 1)]) + [logRecord(boundary, [1, 2, 3])])
        }
    }

    @Test func truncatingToEmptyAcceptsAnyNextIndex() async throws {
        let seed: UInt64 = 0x5EED_0104
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 2000)
            for record in records(1...80, seed: seed) { try await log.append(record) }
            try await log.truncate(from: 0)
            #expect(log.lastIndex == nil)
            #expect(log.segmentPaths.isEmpty)
            #expect(try fileNames(in: directory, prefix: "wal-").isEmpty)
            // A snapshot at 10 000 was installed: the log restarts right after it.
            let restarted = records(10_001...10_020, seed: seed + 1)
            try await log.append(restarted)
            try log.close()

            let (reopened, summary) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 2000)
            defer { try? reopened.close() }
            #expect(summary.firstIndex == 10_001)
            #expect(summary.lastIndex == 10_020)
            #expect(try replayAll(reopened) == restarted)
        }
    }

    @Test func truncatingAtTheFirstIndexEmptiesTheLog() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            try await log.append(records(5...9, seed: 1))
            try await log.truncate(from: 5)
            #expect(log.lastIndex == nil)
            try await log.append(logRecord(3, [3]))
            #expect(log.lastIndex == 3)
        }
    }

    @Test func anAppendThatDoesNotContinueAtTheCutIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            try await log.append(records(1...20, seed: 2))
            try await log.truncate(from: 11)
            await #expect {
                try await log.append(logRecord(21, [1]))
            } throws: { error in
                guard case WriteAheadLogError.appendOutOfOrder(let expected, let found) = error else { return false }
                return expected == 11 && found == 21
            }
            await #expect(throws: WriteAheadLogError.self) {
                try await log.append(logRecord(12, [1]))
            }
            try await log.append(logRecord(11, [1]))
            #expect(log.lastIndex == 11)
        }
    }

    /// The log's first index must be known at enqueue time even while the records that set it
    /// are still being written, or a cut inside them would wrongly empty the log.
    @Test func truncatingInsideRecordsStillInFlightKeepsTheirPrefix() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            let completions = Completions()
            log.append(records(5...10, seed: 4)) { completions.record($0) }
            log.truncate(from: 7) { completions.record($0) }
            await #expect(throws: WriteAheadLogError.self) {
                try await log.append(logRecord(100, [1]))
            }
            try await log.append(logRecord(7, [7]))
            #expect(completions.successes == 2)
            #expect(try replayAll(log).map(\.index) == [5, 6, 7])
        }
    }

    @Test func truncatingBeyondTheEndChangesNothing() async throws {
        try await withTemporaryDirectory { directory in
            let original = records(1...10, seed: 3)
            let (log, _) = try WriteAheadLog.open(directory: directory)
            try await log.append(original)
            try await log.truncate(from: 11)
            try await log.truncate(from: 500)
            #expect(log.lastIndex == 10)
            try await log.append(logRecord(11, [11]))
            try log.close()

            let (reopened, _) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            #expect(try replayAll(reopened) == original + [logRecord(11, [11])])
            // An empty log has nothing to cut either.
            try await withTemporaryDirectory { empty in
                let (emptyLog, _) = try WriteAheadLog.open(directory: empty)
                defer { try? emptyLog.close() }
                try await emptyLog.truncate(from: 7)
                try await emptyLog.append(logRecord(42, [42]))
                #expect(emptyLog.lastIndex == 42)
            }
        }
    }

    /// Appends and truncations queued back to back from one caller (the way a follower's event
    /// loop would) while other batches are in flight take effect in call order: the first
    /// truncation lands in the middle of records still being written.
    @Test func truncationsInterleavedWithQueuedAppendsKeepCallOrder() async throws {
        let seed: UInt64 = 0x5EED_0105
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 4000)
            let order = OrderRecorder()
            let completions = Completions()
            let first = records(1...300, seed: seed)
            let second = records(151...400, seed: seed + 1).map { LogRecord(term: 2, index: $0.index, type: 2, payload: $0.payload) }
            let third = records(201...260, seed: seed + 2).map { LogRecord(term: 3, index: $0.index, type: 3, payload: $0.payload) }
            // Small appends so the writer takes them over several batches.
            for chunk in stride(from: 0, to: first.count, by: 7) {
                let slice = Array(first[chunk..<min(chunk + 7, first.count)])
                log.append(slice) { completions.record($0); order.append(slice.last!.index) }
            }
            log.truncate(from: 151) { completions.record($0); order.append(0) }
            for chunk in stride(from: 0, to: second.count, by: 5) {
                let slice = Array(second[chunk..<min(chunk + 5, second.count)])
                log.append(slice) { completions.record($0); order.append(slice.last!.index) }
            }
            log.truncate(from: 201) { completions.record($0); order.append(0) }
            try await log.append(third)
            #expect(completions.failures.isEmpty)
            var expectedOrder: [UInt64] = stride(from: 0, to: first.count, by: 7).map { first[min($0 + 6, first.count - 1)].index }
            expectedOrder.append(0)
            expectedOrder += stride(from: 0, to: second.count, by: 5).map { second[min($0 + 4, second.count - 1)].index }
            expectedOrder.append(0)
            #expect(order.indices == expectedOrder)
            let expected = Array(first[0..<150]) + Array(second[0..<50]) + third
            #expect(try replayAll(log) == expected)
            try log.close()

            let (reopened, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 4000)
            defer { try? reopened.close() }
            #expect(try replayAll(reopened) == expected)
        }
    }

    @Test func truncationIsRefusedAfterClose() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            try await log.append(logRecord(1, [1]))
            try log.close()
            await #expect(throws: WriteAheadLogError.self) {
                try await log.truncate(from: 1)
            }
        }
    }
}
