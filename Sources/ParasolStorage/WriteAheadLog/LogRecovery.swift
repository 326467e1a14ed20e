/// Reads every segment of a log directory at start and decides what it may continue with.
///
/// The rule that separates a torn write from corruption: an append is acknowledged only after
/// its whole batch is written and synced, so a crash can only leave garbage *after* the last
/// acknowledged record of the *last* segment. A bad record followed by a valid one, or a bad
/// record in an earlier segment (which was synced before the next one was created), means bytes
/// that were acknowledged are damaged: that is fatal, and the error names file and offset.
enum LogRecovery {
    struct Outcome {
        var segments: [LogSegment]
        var recordCount: Int
        var truncatedTail: TruncatedTail?
    }

    static func recover(directory: String, recordBytesMax: Int) throws -> Outcome {
        let segmentFiles = try FileIO.listDirectory(directory)
            .compactMap { name in LogSegment.fileName.index(of: name).map { (index: $0, path: directory + "/" + name) } }
            .sorted { $0.index < $1.index }
        var outcome = Outcome(segments: [], recordCount: 0, truncatedTail: nil)
        for (position, file) in segmentFiles.enumerated() {
            let isLast = position == segmentFiles.count - 1
            let expectedIndex = outcome.segments.last.map { $0.lastIndex + 1 }
            let scan = try scanSegment(
                path: file.path, nameIndex: file.index, expectedIndex: expectedIndex, isLast: isLast,
                recordBytesMax: recordBytesMax)
            outcome.recordCount += scan.recordCount
            if let cut = scan.damagedTail {
                let truncated = try truncate(file.path, in: directory, cut: cut, removeIfEmpty: scan.segment == nil)
                if !scan.tailIsBlockPadding { outcome.truncatedTail = truncated }
            }
            if let segment = scan.segment {
                outcome.segments.append(segment)
            } else if isLast {
                if scan.damagedTail == nil {
                    // A segment created by a rotation just before a crash, before its first record.
                    try FileIO.remove(file.path)
                    try FileIO.syncDirectory(directory)
                }
            } else {
                throw WriteAheadLogError.emptySegment(file: file.path)
            }
        }
        return outcome
    }

    private struct SegmentScan {
        var segment: LogSegment?
        var recordCount = 0
        var damagedTail: (offsetBytes: Int, fileBytes: Int, reason: String)?
        /// Only zeros follow the last record, up to the end of its 4 KiB block: the padding a
        /// log that was not closed leaves (`DirectFileWriter` writes whole blocks), which is cut
        /// without being reported as a torn write.
        var tailIsBlockPadding = false
    }

    private static func scanSegment(
        path: String, nameIndex: UInt64, expectedIndex: UInt64?, isLast: Bool, recordBytesMax: Int
    ) throws -> SegmentScan {
        let reader = try LogSegmentReader(path: path, recordBytesMax: recordBytesMax)
        var scan = SegmentScan()
        var nextIndex = expectedIndex ?? nameIndex
        while true {
            switch try reader.next() {
            case .record(let record, let offset, let recordBytes):
                if scan.segment == nil && record.index != nameIndex {
                    throw WriteAheadLogError.segmentNameMismatch(file: path, nameIndex: nameIndex, firstRecordIndex: record.index)
                }
                guard record.index == nextIndex else {
                    throw WriteAheadLogError.nonConsecutiveIndex(
                        file: path, offsetBytes: offset, expected: nextIndex, found: record.index)
                }
                nextIndex += 1
                scan.recordCount += 1
                if scan.segment == nil {
                    scan.segment = LogSegment(path: path, firstIndex: record.index, lastIndex: record.index, durableBytes: 0)
                }
                scan.segment!.lastIndex = record.index
                scan.segment!.durableBytes = offset + recordBytes
            case .endOfSegment:
                return scan
            case .damaged(let offset, let reason):
                guard isLast else {
                    throw WriteAheadLogError.corruptRecord(
                        file: path, offsetBytes: offset,
                        reason: "\(reason); later segments exist, so this is not a torn write")
                }
                if let validOffset = try firstValidRecord(in: path, after: offset, endBytes: reader.endBytes, recordBytesMax: recordBytesMax) {
                    throw WriteAheadLogError.corruptRecord(
                        file: path, offsetBytes: offset,
                        reason: "\(reason); a valid record follows at byte offset \(validOffset), so this is not a torn write")
                }
                scan.damagedTail = (offset, reader.endBytes, reason)
                scan.tailIsBlockPadding = try isBlockPadding(path, from: offset, endBytes: reader.endBytes)
                return scan
            }
        }
    }

    /// The offset of the first position after `offset` where a whole record with a matching CRC
    /// starts, or nil when the rest of the file is zeros or garbage. Most positions fail on the
    /// length check alone, so the scan is cheap; it only runs on the tail after a bad record.
    private static func firstValidRecord(in path: String, after offset: Int, endBytes: Int, recordBytesMax: Int) throws -> Int? {
        let start = offset + 1
        guard start < endBytes else { return nil }
        let fd = try FileIO.openForReading(path)
        defer { FileIO.close(fd) }
        let tail = UnsafeMutableRawBufferPointer.allocate(byteCount: endBytes - start, alignment: 8)
        defer { tail.deallocate() }
        let readBytes = try FileIO.read(fd, into: tail, at: start, path: path)
        let bytes = UnsafeRawBufferPointer(rebasing: tail[0..<readBytes])
        for position in 0..<bytes.count {
            let candidate = UnsafeRawBufferPointer(rebasing: bytes[position...])
            if case .record = LogRecordCodec.decode(candidate, recordBytesMax: recordBytesMax) {
                return start + position
            }
        }
        return nil
    }

    /// Whether the bytes from `offset` to the end are zeros that only fill the last 4 KiB block.
    private static func isBlockPadding(_ path: String, from offset: Int, endBytes: Int) throws -> Bool {
        let block = DirectFileWriter.alignment
        guard endBytes % block == 0, endBytes - offset < block, endBytes > offset else { return false }
        let fd = try FileIO.openForReading(path)
        defer { FileIO.close(fd) }
        let tail = UnsafeMutableRawBufferPointer.allocate(byteCount: endBytes - offset, alignment: 8)
        defer { tail.deallocate() }
        let readBytes = try FileIO.read(fd, into: tail, at: offset, path: path)
        return readBytes == tail.count && tail.allSatisfy { $0 == 0 }
    }

    /// Cuts the segment at `path` where its torn tail starts, or removes it when nothing valid
    /// precedes the tail, and makes the change durable before anything is appended after it.
    private static func truncate(
        _ path: String, in directory: String, cut: (offsetBytes: Int, fileBytes: Int, reason: String), removeIfEmpty: Bool
    ) throws -> TruncatedTail {
        if removeIfEmpty {
            try FileIO.remove(path)
            try FileIO.syncDirectory(directory)
        } else {
            let fd = try FileIO.openForWriting(path, truncate: false)
            defer { FileIO.close(fd) }
            try FileIO.truncate(fd, toBytes: cut.offsetBytes, path: path)
            try FileIO.dataSync(fd, path: path)
        }
        return TruncatedTail(
            file: path, offsetBytes: cut.offsetBytes, bytesCut: cut.fileBytes - cut.offsetBytes,
            reason: cut.reason, segmentRemoved: removeIfEmpty)
    }
}
