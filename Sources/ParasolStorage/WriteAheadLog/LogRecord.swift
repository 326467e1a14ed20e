import ParasolConsensus

/// One entry of the write-ahead log: opaque bytes at a position of the log.
///
/// The log never looks inside `payload`; `type` is a byte the caller uses to pick a decoder.
/// `term` and `index` are the Raft coordinates of the entry; a log that is not replicated yet
/// uses term 0 and consecutive indices from 1.
public struct LogRecord: Sendable, Equatable {
    public var term: UInt64
    public var index: UInt64
    public var type: UInt8
    /// The consensus log's own type: a record is made from an entry without copying its bytes
    /// (a 4 MiB push was copied once more for that).
    public var payload: EntryPayload

    public init(term: UInt64, index: UInt64, type: UInt8, payload: EntryPayload) {
        self.term = term
        self.index = index
        self.type = type
        self.payload = payload
    }
}

/// The on-disk layout of a record, little-endian:
///
///     u32 length | u32 crc32c | u64 term | u64 index | u8 type | payload
///
/// `length` counts the bytes after the crc field (term, index, type and payload), which are
/// exactly the bytes the CRC-32C covers, so a reader can check a length against its limit and
/// against the file before it trusts it.
enum LogRecordLayout {
    static let lengthOffset = 0
    static let crcOffset = 4
    static let termOffset = 8
    static let indexOffset = 16
    static let typeOffset = 24
    /// Bytes before the payload.
    static let headerBytes = 25
    /// Bytes covered by `length` and the CRC that are not payload (term, index, type).
    static let coveredHeaderBytes = headerBytes - termOffset

    /// The value of the length field for a payload of `payloadBytes`.
    static func length(payloadBytes: Int) -> Int { coveredHeaderBytes + payloadBytes }

    /// The whole record's size on disk for a payload of `payloadBytes`.
    static func recordBytes(payloadBytes: Int) -> Int { headerBytes + payloadBytes }
}
