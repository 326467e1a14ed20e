import Glibc
import NIOCore
import ParasolWire

/// The consensus state a replica must never forget across a crash: its term, the vote it cast
/// in that term, and how far it knew the log to be committed.
///
/// Kept in its own small file next to the log rather than as log records, because the log's
/// indices are those of the replicated log and the hard state is not a log entry. Rewritten
/// atomically (temp file, fsync, rename, directory fsync) only when the term or the vote
/// changes, which is once per election: never on the push path.
public struct HardStateRecord: Sendable, Equatable {
    public var term: UInt64
    /// The node voted for in `term`; 0 when none.
    public var vote: UInt64
    /// A commit index known at the time of writing (a hint for faster restart, not a promise).
    public var commit: UInt64

    public init(term: UInt64, vote: UInt64, commit: UInt64) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// Reads and writes `HardStateRecord`s in `<directory>/hard-state`.
///
/// Layout (little-endian, 36 bytes): "PRHS", version u8 = 1, three zero bytes, term u64,
/// vote u64, commit u64, CRC-32C u32 of the 32 bytes before it.
public struct HardStateFile: Sendable {
    public static let fileName = "hard-state"
    static let magic: [UInt8] = Array("PRHS".utf8)
    static let version: UInt8 = 1
    static let bytes = 36

    public let directory: String
    public var path: String { directory + "/" + Self.fileName }

    public init(directory: String) throws {
        try FileIO.createDirectory(directory)
        self.directory = directory
    }

    /// The stored record, or nil when the replica has never persisted one (a fresh replica).
    /// A file that exists but does not verify is an error naming the file: the vote it held
    /// may have been sent, so guessing would risk two votes in one term.
    public func load() throws -> HardStateRecord? {
        let fd: Int32
        do {
            fd = try FileIO.openForReading(path)
        } catch {
            if error.errnoCode == ENOENT { return nil }
            throw error
        }
        defer { FileIO.close(fd) }
        var raw = [UInt8](repeating: 0, count: Self.bytes + 1)
        let read = try raw.withUnsafeMutableBytes { try FileIO.read(fd, into: $0, at: 0, path: path) }
        guard read == Self.bytes else {
            throw HardStateError.corrupt(file: path, reason: "it holds \(read) bytes; a hard-state file holds \(Self.bytes)")
        }
        let buffer = ByteBuffer(bytes: raw[0..<Self.bytes])
        guard Array(raw[0..<4]) == Self.magic else { throw HardStateError.corrupt(file: path, reason: "bad magic") }
        guard raw[4] == Self.version else {
            throw HardStateError.corrupt(file: path, reason: "unknown version \(raw[4])")
        }
        let stored = buffer.getInteger(at: 32, endianness: .little, as: UInt32.self)!
        let actual = raw.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<32])) }
        guard stored == actual else {
            throw HardStateError.corrupt(file: path, reason: "CRC-32C mismatch (stored \(stored), computed \(actual))")
        }
        return HardStateRecord(
            term: buffer.getInteger(at: 8, endianness: .little)!,
            vote: buffer.getInteger(at: 16, endianness: .little)!,
            commit: buffer.getInteger(at: 24, endianness: .little)!)
    }

    /// Replaces the stored record durably; returns once it would survive a power loss.
    public func store(_ record: HardStateRecord) throws {
        var buffer = ByteBuffer()
        buffer.writeBytes(Self.magic)
        buffer.writeBytes([Self.version, 0, 0, 0])
        buffer.writeInteger(record.term, endianness: .little)
        buffer.writeInteger(record.vote, endianness: .little)
        buffer.writeInteger(record.commit, endianness: .little)
        let crc = buffer.withUnsafeReadableBytes { CRC32C.checksum($0) }
        buffer.writeInteger(crc, endianness: .little)
        let path = self.path
        try FileIO.writeAtomically(path, inDirectory: directory) { fd, temporaryPath in
            try buffer.withUnsafeReadableBytes { try FileIO.write(fd, $0, path: temporaryPath) }
        }
    }
}

/// A hard-state file that exists but cannot be trusted.
public enum HardStateError: Error, CustomStringConvertible {
    case corrupt(file: String, reason: String)

    public var description: String {
        switch self {
        case .corrupt(let file, let reason): "hard-state file \(file) is damaged: \(reason)"
        }
    }
}
