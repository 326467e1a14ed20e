/// Why the write-ahead log refused an append or could not be recovered.
///
/// The corruption cases name the segment file and the byte offset, so an operator can look at
/// the exact bytes (`xxd -s <offset> <file>`) before deciding how to restore the shard.
public enum WriteAheadLogError: Error, CustomStringConvertible {
    /// A damaged record that is not a torn tail: valid records follow it, or it is in a segment
    /// that is not the last. Acknowledged data may be lost, so the log refuses to open.
    case corruptRecord(file: String, offsetBytes: Int, reason: String)
    /// A record whose CRC matches but whose index does not follow the previous record's.
    case nonConsecutiveIndex(file: String, offsetBytes: Int, expected: UInt64, found: UInt64)
    /// A segment whose first record does not carry the index its name promises.
    case segmentNameMismatch(file: String, nameIndex: UInt64, firstRecordIndex: UInt64)
    /// A segment that holds no record but is followed by another segment.
    case emptySegment(file: String)
    /// An append whose index does not follow the last one appended.
    case appendOutOfOrder(expected: UInt64, found: UInt64)
    /// An append whose record is larger than `recordBytesMax`.
    case recordTooLarge(index: UInt64, recordBytes: Int, limit: Int)
    /// The log was closed; nothing more is appended.
    case closed
    /// An earlier write or sync failed. After a failed fdatasync the kernel may have dropped the
    /// dirty pages, so no later append can be promised durable; the log refuses everything.
    case failed(underlying: any Error)
    /// Another `WriteAheadLog` (in this process or another) has the directory open. Two writers
    /// on one log would interleave records and corrupt it.
    case directoryInUse(directory: String)
    /// `open` was given limits that cannot work together.
    case invalidConfiguration(reason: String)

    public var description: String {
        switch self {
        case .corruptRecord(let file, let offset, let reason):
            return "log segment \(file) is corrupt at byte offset \(offset): \(reason)"
        case .nonConsecutiveIndex(let file, let offset, let expected, let found):
            return "log segment \(file) is corrupt at byte offset \(offset): expected index \(expected), found \(found)"
        case .segmentNameMismatch(let file, let nameIndex, let firstRecordIndex):
            return "log segment \(file) is named for index \(nameIndex) but its first record has index \(firstRecordIndex)"
        case .emptySegment(let file):
            return "log segment \(file) holds no record but later segments exist"
        case .appendOutOfOrder(let expected, let found):
            return "append out of order: the log expects index \(expected), got \(found)"
        case .recordTooLarge(let index, let recordBytes, let limit):
            return "log record \(index) is \(recordBytes) bytes, above the \(limit)-byte limit"
        case .closed:
            return "the write-ahead log is closed"
        case .failed(let underlying):
            return "the write-ahead log stopped after a write failure: \(underlying)"
        case .directoryInUse(let directory):
            return "log directory \(directory) is already open by another write-ahead log (lock file \(WriteAheadLog.lockFileName))"
        case .invalidConfiguration(let reason):
            return "invalid write-ahead log configuration: \(reason)"
        }
    }
}
