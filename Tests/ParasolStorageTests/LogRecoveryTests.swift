import Foundation
import NIOCore
import ParasolStorage
import Testing

/// What `WriteAheadLog.open` does with damaged segments: a torn tail of the last segment is cut
/// (it was never acknowledged); damage anything valid follows is fatal and named precisely.
@Suite(.timeLimit(.minutes(2)))
struct LogRecoveryTests {
    static let seed: UInt64 = 0x5EED_0004

    /// Writes ten records with seeded payloads into a fresh log and returns their payload sizes.
    private func writeTenRecords(_ directory: String, segmentBytesMax: Int = WriteAheadLog.defaultSegmentBytesMax) async throws -> [[UInt8]] {
        print("seed \(Self.seed)")
        let payloads = seededPayloads(count: 10, bytesMax: 400, seed: Self.seed).map { $0 + [0x55] }
        let (log, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: segmentBytesMax)
        for (position, payload) in payloads.enumerated() {
            try await log.append(logRecord(UInt64(position + 1), payload))
        }
        try log.close()
        return payloads
    }

    private func replayedIndices(_ log: WriteAheadLog) throws -> [UInt64] {
        var indices: [UInt64] = []
        try log.replay(after: 0) { indices.append($0.index) }
        return indices
    }

    @Test func aHalfWrittenRecordAtTheTailIsCut() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await writeTenRecords(directory)
            let segment = segmentPath(directory, 1)
            let intactBytes = try fileSize(segment)
            // The first 40 bytes of a record that claims 200: a write torn by a crash.
            var torn = [UInt8](repeating: 0, count: 40)
            torn[0] = 200 - 8
            try appendToFile(segment, torn)

            let (log, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            let cut = try #require(summary.truncatedTail)
            print("recovery: \(cut)")
            #expect(cut.file == segment)
            #expect(cut.offsetBytes == intactBytes)
            #expect(cut.bytesCut == 40)
            #expect(cut.segmentRemoved == false)
            #expect(try fileSize(segment) == intactBytes)
            #expect(summary.lastIndex == 10)
            #expect(try replayedIndices(log) == Array(1...10))
            try await log.append(logRecord(11, [11]))
            #expect(log.lastIndex == 11)
        }
    }

    @Test func zerosAfterTheLastRecordAreCut() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await writeTenRecords(directory)
            let segment = segmentPath(directory, 1)
            let intactBytes = try fileSize(segment)
            try appendToFile(segment, [UInt8](repeating: 0, count: 4096))

            let (log, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            let cut = try #require(summary.truncatedTail)
            #expect(cut.offsetBytes == intactBytes)
            #expect(cut.bytesCut == 4096)
            #expect(summary.recordCount == 10)
        }
    }

    @Test func aFewTrailingBytesAreCut() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await writeTenRecords(directory)
            let segment = segmentPath(directory, 1)
            try appendToFile(segment, [0x11, 0x00])
            let (log, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            #expect(summary.truncatedTail?.bytesCut == 2)
            #expect(summary.lastIndex == 10)
        }
    }

    @Test func aDamagedLastRecordIsCut() async throws {
        try await withTemporaryDirectory { directory in
            let payloads = try await writeTenRecords(directory)
            let segment = segmentPath(directory, 1)
            let lastOffset = recordOffset(9, payloadSizes: payloads.map(\.count))
            try flipByte(segment, at: lastOffset + 25 + payloads[9].count / 2)

            let (log, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            let cut = try #require(summary.truncatedTail)
            print("recovery: \(cut)")
            #expect(cut.offsetBytes == lastOffset)
            #expect(cut.reason.contains("CRC"))
            #expect(summary.lastIndex == 9)
            #expect(try replayedIndices(log) == Array(1...9))
            try await log.append(logRecord(10, [10]))
        }
    }

    @Test func aTornFirstRecordOfTheLastSegmentRemovesTheSegment() async throws {
        try await withTemporaryDirectory { directory in
            // 1000-byte segments hold at most two of these records.
            _ = try await writeTenRecords(directory, segmentBytesMax: 1000)
            let (probe, before) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 1000)
            let lastSegment = try #require(probe.segmentPaths.last)
            try probe.close()
            // Keep only 10 bytes of the last segment's first record.
            let bytes = try readFile(lastSegment)
            try writeFile(lastSegment, Array(bytes.prefix(10)))

            let (log, summary) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 1000)
            defer { try? log.close() }
            let cut = try #require(summary.truncatedTail)
            #expect(cut.segmentRemoved)
            #expect(!FileManager.default.fileExists(atPath: lastSegment))
            #expect(summary.segmentCount == before.segmentCount - 1)
            let lastKept = try #require(summary.lastIndex)
            try await log.append(logRecord(lastKept + 1, [1]))
        }
    }

    @Test func anEmptyLastSegmentIsRemovedQuietly() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await writeTenRecords(directory)
            // A rotation created the next segment, then the process died before writing to it.
            try writeFile(segmentPath(directory, 11), [])
            let (log, summary) = try WriteAheadLog.open(directory: directory)
            defer { try? log.close() }
            #expect(summary.truncatedTail == nil)
            #expect(summary.lastIndex == 10)
            #expect(!FileManager.default.fileExists(atPath: segmentPath(directory, 11)))
            try await log.append(logRecord(11, [11]))
            #expect(log.segmentPaths == [segmentPath(directory, 1)])
        }
    }

    @Test func damageFollowedByValidRecordsIsFatalAndNamesFileAndOffset() async throws {
        try await withTemporaryDirectory { directory in
            let payloads = try await writeTenRecords(directory)
            let segment = segmentPath(directory, 1)
            let fifthOffset = recordOffset(4, payloadSizes: payloads.map(\.count))
            try flipByte(segment, at: fifthOffset + 25)
            let sizeBefore = try fileSize(segment)

            #expect {
                _ = try WriteAheadLog.open(directory: directory)
            } throws: { error in
                print("recovery refused: \(error)")
                guard case .corruptRecord(let file, let offset, let reason) = error as? WriteAheadLogError else { return false }
                let nextOffset = recordOffset(5, payloadSizes: payloads.map(\.count))
                return file == segment && offset == fifthOffset && reason.contains("byte offset \(nextOffset)")
                    && "\(error)".contains(segment) && "\(error)".contains("\(fifthOffset)")
            }
            // Nothing was cut: the evidence stays for whoever restores the shard.
            #expect(try fileSize(segment) == sizeBefore)
        }
    }

    @Test func aDamagedLengthFieldFollowedByValidRecordsIsFatal() async throws {
        try await withTemporaryDirectory { directory in
            let payloads = try await writeTenRecords(directory)
            let segment = segmentPath(directory, 1)
            let thirdOffset = recordOffset(2, payloadSizes: payloads.map(\.count))
            try flipByte(segment, at: thirdOffset + 3)
            #expect {
                _ = try WriteAheadLog.open(directory: directory)
            } throws: { error in
                guard case .corruptRecord(let file, let offset, _) = error as? WriteAheadLogError else { return false }
                return file == segment && offset == thirdOffset
            }
        }
    }

    @Test func damageInASegmentThatIsNotTheLastIsFatal() async throws {
        try await withTemporaryDirectory { directory in
            let payloads = try await writeTenRecords(directory, segmentBytesMax: 1000)
            let (probe, _) = try WriteAheadLog.open(directory: directory, segmentBytesMax: 1000)
            let firstSegment = try #require(probe.segmentPaths.first)
            try probe.close()
            // Damage the last record of the first segment: it is at the segment's tail, but
            // later segments exist, so it was synced and acknowledged.
            let firstSegmentBytes = try fileSize(firstSegment)
            var offsets: [Int] = []
            var offset = 0
            for payload in payloads where offset < firstSegmentBytes {
                offsets.append(offset)
                offset += 25 + payload.count
            }
            let lastOffset = try #require(offsets.last)
            try flipByte(firstSegment, at: lastOffset + 25)

            #expect {
                _ = try WriteAheadLog.open(directory: directory, segmentBytesMax: 1000)
            } throws: { error in
                print("recovery refused: \(error)")
                guard case .corruptRecord(let file, let offset, let reason) = error as? WriteAheadLogError else { return false }
                return file == firstSegment && offset == lastOffset && reason.contains("later segments")
            }
        }
    }

    @Test func aGapInTheIndicesIsFatal() async throws {
        try await withTemporaryDirectory { directory in
            // Records 1–3 in one log, 5–6 in another, glued into one segment: valid CRCs, index 4 missing.
            let other = directory + "/other"
            let (first, _) = try WriteAheadLog.open(directory: directory)
            try await first.append([logRecord(1, [1]), logRecord(2, [2]), logRecord(3, [3])])
            try first.close()
            let (second, _) = try WriteAheadLog.open(directory: other)
            try await second.append([logRecord(5, [5]), logRecord(6, [6])])
            try second.close()
            let segment = segmentPath(directory, 1)
            let gapOffset = try fileSize(segment)
            try appendToFile(segment, try readFile(segmentPath(other, 5)))

            #expect {
                _ = try WriteAheadLog.open(directory: directory)
            } throws: { error in
                print("recovery refused: \(error)")
                guard case .nonConsecutiveIndex(let file, let offset, let expected, let found) = error as? WriteAheadLogError
                else { return false }
                return file == segment && offset == gapOffset && expected == 4 && found == 5
            }
        }
    }

    @Test func aSegmentWhoseNameDisagreesWithItsFirstRecordIsFatal() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await writeTenRecords(directory)
            try FileManager.default.moveItem(atPath: segmentPath(directory, 1), toPath: segmentPath(directory, 3))
            #expect {
                _ = try WriteAheadLog.open(directory: directory)
            } throws: { error in
                guard case .segmentNameMismatch(_, let nameIndex, let firstRecordIndex) = error as? WriteAheadLogError
                else { return false }
                return nameIndex == 3 && firstRecordIndex == 1
            }
        }
    }
}
