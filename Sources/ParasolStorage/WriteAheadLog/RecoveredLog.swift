/// What `WriteAheadLog.open` found on disk. The records themselves are read with `replay`, so a
/// long log never has to fit in memory at once.
public struct RecoveredLog: Sendable {
    /// The index of the oldest record kept, or nil when the log is empty.
    public var firstIndex: UInt64?
    /// The index of the newest record, or nil when the log is empty.
    public var lastIndex: UInt64?
    /// How many records the log holds.
    public var recordCount: Int
    /// How many segment files the log holds.
    public var segmentCount: Int
    /// The torn tail cut off the last segment, if there was one. It was never acknowledged
    /// (an append completes only after the whole batch is written and synced), so cutting it
    /// loses nothing a client was promised; the server should still log it.
    public var truncatedTail: TruncatedTail?
}

/// Bytes cut from the end of the last segment because they did not form a valid record and no
/// valid record followed them: what a crash in the middle of a batch write leaves behind.
public struct TruncatedTail: Sendable, Equatable, CustomStringConvertible {
    /// The segment file that was cut.
    public var file: String
    /// Where the first bad record started; the file now ends here.
    public var offsetBytes: Int
    /// How many bytes were cut.
    public var bytesCut: Int
    /// Why the record at `offsetBytes` was rejected.
    public var reason: String
    /// True when nothing valid was left in the segment, so the file was removed.
    public var segmentRemoved: Bool

    public var description: String {
        let removal = segmentRemoved ? "; the segment held nothing else and was removed" : ""
        return "cut \(bytesCut) bytes at byte offset \(offsetBytes) of \(file) (\(reason))\(removal)"
    }
}
