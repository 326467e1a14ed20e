import Foundation
import NIOCore
import ParasolStorage
import Testing

/// The log writes whole 4 KiB blocks (direct I/O): a segment continued after a reopen must
/// rewrite its partial last block without losing the records already in it, and the zeros an
/// unclosed log leaves after its last record must be cut on recovery without being mistaken for
/// a torn write.
@Suite(.timeLimit(.minutes(2)))
struct LogBlockPaddingTests {
    @Test(arguments: [WriteAheadLog.Durability.fsync, .none])
    func aContinuedSegmentKeepsTheRecordsOfItsPartialLastBlock(durability: WriteAheadLog.Durability) async throws {
        let seed: UInt64 = 0x5EED_0B10
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let payloads = seededPayloads(count: 60, bytesMax: 1500, seed: seed)
            let records = payloads.enumerated().map { logRecord(UInt64($0.offset + 1), $0.element) }
            // Three sessions on the same segment, each ending inside a block.
            for session in 0..<3 {
                let (log, summary) = try WriteAheadLog.open(directory: directory, durability: durability)
                #expect(summary.truncatedTail == nil)
                for record in records[(session * 20)..<(session * 20 + 20)] {
                    try await log.append(record)
                }
                try log.close()
            }
            let (reopened, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? reopened.close() }
            #expect(summary.segmentCount == 1)
            var replayed: [LogRecord] = []
            try reopened.replay(after: 0) { replayed.append($0) }
            #expect(replayed == records)
        }
    }

    @Test func theZerosAnUnclosedLogLeavesAreCutWithoutReportingATornWrite() async throws {
        let seed: UInt64 = 0x5EED_0B11
        print("seed \(seed)")
        try await withTemporaryDirectory { directory in
            let payloads = seededPayloads(count: 30, bytesMax: 700, seed: seed)
            let records = payloads.enumerated().map { logRecord(UInt64($0.offset + 1), $0.element) }
            let (log, _) = try WriteAheadLog.open(directory: directory)
            for record in records { try await log.append(record) }
            // The files as a kill -9 would leave them: synced, the last block padded, not closed.
            let crashed = directory + "/crashed"
            try FileManager.default.createDirectory(atPath: crashed, withIntermediateDirectories: false)
            for path in log.segmentPaths {
                try FileManager.default.copyItem(atPath: path, toPath: crashed + "/" + (path as NSString).lastPathComponent)
            }
            try log.close()
            let padded = try fileSize(crashed + "/" + (log.segmentPaths.last! as NSString).lastPathComponent)
            #expect(padded % 4096 == 0)

            let (recovered, summary) = try WriteAheadLog.open(directory: crashed)
            #expect(summary.truncatedTail == nil)
            #expect(summary.lastIndex == 30)
            try await recovered.append(logRecord(31, [7, 7, 7]))
            try recovered.close()
            let (reopened, _) = try WriteAheadLog.open(directory: crashed)
            defer { try? reopened.close() }
            var replayed: [LogRecord] = []
            try reopened.replay(after: 0) { replayed.append($0) }
            #expect(replayed == records + [logRecord(31, [7, 7, 7])])
        }
    }
}
