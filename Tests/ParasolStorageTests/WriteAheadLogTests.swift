import Foundation
import NIOCore
import ParasolConsensus
import ParasolStorage
import Testing

/// Appending, reopening, replaying, rotating and compacting the write-ahead log.
@Suite(.timeLimit(.minutes(2)))
struct WriteAheadLogTests {
    @Test func appendedRecordsReplayInOrderAfterReopen() async throws {
        let seed: UInt64 = 0x5EED_0001
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let payloads = seededPayloads(count: 100, bytesMax: 3000, seed: seed)
            let records = payloads.enumerated().map { logRecord(UInt64($0.offset + 1), $0.element) }
            let (log, recovered) = try WriteAheadLog.open(directory: directory)
            #expect(recovered.recordCount == 0)
            #expect(recovered.lastIndex == nil)
            for record in records {
                try await log.append(record)
            }
            #expect(log.lastIndex == 100)
            try log.close()

            let (reopened, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            #expect(summary.firstIndex == 1)
            #expect(summary.lastIndex == 100)
            #expect(summary.recordCount == 100)
            #expect(summary.segmentCount == 1)
            #expect(summary.truncatedTail == nil)
            var replayed: [LogRecord] = []
            try reopened.replay(after: 0) { replayed.append($0) }
            #expect(replayed == records)
            var tail: [UInt64] = []
            try reopened.replay(after: 60) { tail.append($0.index) }
            #expect(tail == Array(61...100))

            try await reopened.append(logRecord(101, [1, 2, 3]))
            #expect(reopened.lastIndex == 101)
        }
    }

    @Test func payloadsAcrossBlockAndChunkBoundariesRoundTripInOneBatch() async throws {
        let seed: UInt64 = 0x5EED_0006
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            // Small payloads that straddle 4 KiB blocks, and two that span the writer's 4 MiB
            // staging chunks, all in one batch.
            var payloads = seededPayloads(count: 200, bytesMax: 20_000, seed: seed)
            payloads.insert(seededPayloads(count: 1, bytesMax: 0, seed: seed)[0] + [UInt8](repeating: 0x5A, count: (4 << 20) + 3), at: 50)
            payloads.insert([UInt8](repeating: 0xA5, count: 9 << 20), at: 120)
            let records = payloads.enumerated().map { position, payload in
                LogRecord(term: 7, index: UInt64(position + 1), type: 1, payload: EntryPayload(payload))
            }
            let (log, _) = try WriteAheadLog.open(directory: directory)
            try await log.append(records)
            try log.close()

            let (reopened, _) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            var replayed: [LogRecord] = []
            try reopened.replay(after: 0) { replayed.append($0) }
            #expect(replayed == records)
        }
    }

    @Test func replayPassesTheCallersErrorThrough() async throws {
        struct Stop: Error {}
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            try await log.append([logRecord(1, [1]), logRecord(2, [2])])
            var seen: [UInt64] = []
            #expect(throws: Stop.self) {
                try log.replay(after: 0) { record in
                    seen.append(record.index)
                    throw Stop()
                }
            }
            #expect(seen == [1])
        }
    }

    @Test func anAppendOutOfOrderIsRefusedAndChangesNothing() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            try await log.append([logRecord(1, [1]), logRecord(2, [2]), logRecord(3, [3])])
            await #expect {
                try await log.append(logRecord(5, [5]))
            } throws: { error in
                guard case .appendOutOfOrder(let expected, let found) = error as? WriteAheadLogError else { return false }
                return expected == 4 && found == 5
            }
            await #expect {
                try await log.append([logRecord(4, [4]), logRecord(6, [6])])
            } throws: { error in
                guard case .appendOutOfOrder(let expected, let found) = error as? WriteAheadLogError else { return false }
                return expected == 5 && found == 6
            }
            try await log.append(logRecord(4, [4]))
            #expect(log.lastIndex == 4)
        }
    }

    @Test func anEmptyLogStartsAtTheFirstIndexAppended() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            try await log.append([logRecord(42, [4, 2]), logRecord(43, [4, 3])])
            try log.close()
            #expect(try fileNames(in: directory, prefix: "wal-") == ["wal-00000000000000000042.log"])
            let (reopened, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            #expect(summary.firstIndex == 42)
            #expect(summary.lastIndex == 43)
        }
    }

    @Test func aRecordAboveTheLimitIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory, recordBytesMax: 100)
            defer { try? log.close() }
            await #expect {
                try await log.append(logRecord(1, [UInt8](repeating: 7, count: 76)))
            } throws: { error in
                guard case .recordTooLarge(let index, let recordBytes, let limit) = error as? WriteAheadLogError else { return false }
                return index == 1 && recordBytes == 101 && limit == 100
            }
            try await log.append(logRecord(1, [UInt8](repeating: 7, count: 75)))
            #expect(log.lastIndex == 1)
        }
    }

    @Test func appendsAfterCloseFail() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            try await log.append(logRecord(1, [1]))
            try log.close()
            await #expect {
                try await log.append(logRecord(2, [2]))
            } throws: { error in
                guard case .closed = error as? WriteAheadLogError else { return false }
                return true
            }
        }
    }

    @Test func closeWritesWhatIsQueued() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            let completed = Completions()
            for index in UInt64(1)...50 {
                log.append([logRecord(index, [UInt8(index)])]) { completed.record($0) }
            }
            try log.close()
            #expect(completed.successes == 50)
            let (reopened, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            #expect(summary.lastIndex == 50)
        }
    }

    @Test func aSecondWriterOnTheSameDirectoryIsRefused() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory)
            #expect {
                _ = try WriteAheadLog.open(directory: directory)
            } throws: { error in
                guard case .directoryInUse(let lockedDirectory) = error as? WriteAheadLogError else { return false }
                return lockedDirectory == directory
            }
            try log.close()
            let (reopened, _) = try WriteAheadLog.open(directory: directory)
            try reopened.close()
        }
    }

    @Test func withoutFsyncNothingIsSyncedButRecordsAreWritten() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory, durability: .none)
            for index in UInt64(1)...20 {
                try await log.append(logRecord(index, [UInt8(index)]))
            }
            #expect(log.syncCount == 0)
            try log.close()
            let (reopened, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            #expect(summary.recordCount == 20)
        }
    }

    @Test func segmentsRotateAtTheSizeLimitAndCoveredOnesAreRemoved() async throws {
        try await withTemporaryDirectory { directory in
            // 200-byte payloads make 225-byte records: four fit in 1000 bytes, the fifth rotates.
            let payload = [UInt8](repeating: 0xAB, count: 200)
            let (log, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 1000)
            for index in UInt64(1)...20 {
                try await log.append(logRecord(index, payload))
            }
            let expectedFirstIndices: [UInt64] = [1, 5, 9, 13, 17]
            #expect(log.segmentPaths == expectedFirstIndices.map { segmentPath(directory, $0) })
            // Finished segments are cut to their records; the one being appended to may end in
            // zeros up to the next 4 KiB block (direct I/O writes whole blocks) until the log closes.
            for path in log.segmentPaths.dropLast() {
                #expect(try fileSize(path) == 900)
            }
            #expect(try [900, 4096].contains(fileSize(log.segmentPaths.last!)))

            #expect(try log.removeSegments(coveredThrough: 10) == 2)
            #expect(log.segmentPaths == [9, 13, 17].map { segmentPath(directory, $0) })
            #expect(try fileNames(in: directory, prefix: "wal-").count == 3)
            // The segment being appended to stays even when the snapshot covers all of it.
            #expect(try log.removeSegments(coveredThrough: 100) == 2)
            #expect(log.segmentPaths == [segmentPath(directory, 17)])
            try log.close()
            // A clean close leaves no padding for recovery to cut.
            #expect(try fileSize(segmentPath(directory, 17)) == 900)

            let (reopened, summary) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 1000)
            defer { try? reopened.close() }
            #expect(summary.truncatedTail == nil)
            #expect(summary.firstIndex == 17)
            #expect(summary.lastIndex == 20)
            var replayed: [UInt64] = []
            try reopened.replay(after: 0) { replayed.append($0.index) }
            #expect(replayed == [17, 18, 19, 20])
            try await reopened.append(logRecord(21, payload))
            #expect(reopened.segmentPaths == [17, 21].map { segmentPath(directory, $0) })
        }
    }

    @Test func oneBatchRotatesInTheMiddleAndReplaysAcrossSegments() async throws {
        let seed: UInt64 = 0x5EED_0002
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let payloads = seededPayloads(count: 300, bytesMax: 500, seed: seed)
            let records = payloads.enumerated().map { logRecord(UInt64($0.offset + 1), $0.element) }
            let (log, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 4096)
            try await log.append(records)
            #expect(log.syncCount == log.segmentPaths.count)
            #expect(log.segmentPaths.count > 10)
            try log.close()

            let (reopened, summary) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 4096)
            defer { try? reopened.close() }
            #expect(summary.recordCount == 300)
            var replayed: [LogRecord] = []
            try reopened.replay(after: 0) { replayed.append($0) }
            #expect(replayed == records)
            for path in reopened.segmentPaths.dropLast() {
                #expect(try fileSize(path) <= 4096)
            }
        }
    }

    @Test func aRecordLargerThanASegmentGetsASegmentOfItsOwn() async throws {
        try await withTemporaryDirectory { directory in
            let (log, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 100)
            try await log.append([
                logRecord(1, [1]), logRecord(2, [UInt8](repeating: 2, count: 500)), logRecord(3, [3]),
            ])
            #expect(log.segmentPaths == [1, 2, 3].map { segmentPath(directory, $0) })
            try log.close()
            let (reopened, summary) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 100)
            defer { try? reopened.close() }
            #expect(summary.recordCount == 3)
        }
    }
}
