/// A segment file of the log and the records it durably holds.
struct LogSegment: Sendable, Equatable {
    static let fileName = IndexedFileName(prefix: "wal-", suffix: ".log")

    /// The full path of the file.
    var path: String
    /// The index in the file's name, which is the index of its first record.
    var firstIndex: UInt64
    /// The index of its last durable record.
    var lastIndex: UInt64
    /// The size of its durable records; bytes past this are being written.
    var durableBytes: Int
}
