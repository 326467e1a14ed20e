/// Why a snapshot could not be written, or why a snapshot on disk was rejected. Every case
/// names the file, so a rejection logged at start tells the operator what to look at.
public enum SnapshotError: Error, CustomStringConvertible {
    /// The `.lz4` file has no manifest: the write was interrupted before its commit point.
    case manifestMissing(file: String)
    /// The manifest exists but its `.lz4` file does not.
    case snapshotFileMissing(file: String)
    /// The manifest is not valid JSON of the expected shape, or is implausibly large.
    case manifestUnreadable(file: String, reason: String)
    /// The manifest is readable but contradicts its name or this version's format.
    case manifestInvalid(file: String, reason: String)
    /// The `.lz4` file's size differs from the manifest's `compressedBytes` (truncated or extended).
    case compressedSizeMismatch(file: String, manifestBytes: Int, fileBytes: Int)
    /// The `.lz4` file's CRC-32C differs from the manifest's.
    case checksumMismatch(file: String, manifestCRC32C: UInt32, fileCRC32C: UInt32)
    /// liblz4 refused the frame; `name` is its error name (such as `ERROR_contentChecksum_invalid`).
    case lz4(file: String, name: String)
    /// The file ends before the LZ4 frame does.
    case truncatedFrame(file: String)
    /// Bytes follow the end of the LZ4 frame.
    case trailingBytes(file: String)
    /// The content decompressed to a size other than the manifest's `uncompressedBytes`.
    case contentSizeMismatch(file: String, manifestBytes: Int, contentBytes: Int)
    /// The decompressed content's CRC-32C differs from the manifest's `contentCRC32C`.
    case contentChecksumMismatch(file: String, manifestCRC32C: UInt32, contentCRC32C: UInt32)
    /// The content is (or claims to be) larger than the store accepts.
    case contentTooLarge(file: String, bytes: Int, limit: Int)
    /// Reading or writing a snapshot file failed.
    case io(FileSystemError)
    /// `prune` was asked to keep fewer than one snapshot.
    case invalidKeepCount(Int)
    /// No snapshot with this index is in the directory (neither its `.lz4` nor its manifest).
    case notFound(directory: String, index: UInt64)
    /// An incoming chunk does not start where the part file ends; the sender must continue at
    /// `receivedBytes`.
    case chunkOutOfOrder(file: String, offset: UInt64, receivedBytes: UInt64)
    /// An incoming chunk reaches past the size the transfer announced.
    case chunkBeyondEnd(file: String, endBytes: UInt64, totalBytes: UInt64)
    /// `install` was called before every byte of the transfer arrived.
    case transferIncomplete(file: String, receivedBytes: UInt64, totalBytes: UInt64)
    /// The incoming snapshot was already installed, rejected or discarded.
    case transferFinished(file: String)

    public var description: String {
        switch self {
        case .manifestMissing(let file):
            return "snapshot \(file) has no manifest (its write did not finish)"
        case .snapshotFileMissing(let file):
            return "snapshot manifest \(file) has no snapshot file next to it"
        case .manifestUnreadable(let file, let reason):
            return "snapshot manifest \(file) cannot be read: \(reason)"
        case .manifestInvalid(let file, let reason):
            return "snapshot manifest \(file) is invalid: \(reason)"
        case .compressedSizeMismatch(let file, let manifestBytes, let fileBytes):
            return "snapshot \(file) is \(fileBytes) bytes but its manifest says \(manifestBytes) (truncated or overwritten)"
        case .checksumMismatch(let file, let manifestCRC, let fileCRC):
            return "snapshot \(file) has CRC-32C 0x\(String(fileCRC, radix: 16)) but its manifest says 0x\(String(manifestCRC, radix: 16))"
        case .lz4(let file, let name):
            return "snapshot \(file) does not decompress: liblz4 reports \(name)"
        case .truncatedFrame(let file):
            return "snapshot \(file) ends before its LZ4 frame does (truncated)"
        case .trailingBytes(let file):
            return "snapshot \(file) has bytes after the end of its LZ4 frame"
        case .contentSizeMismatch(let file, let manifestBytes, let contentBytes):
            return "snapshot \(file) decompresses to \(contentBytes) bytes but its manifest says \(manifestBytes)"
        case .contentChecksumMismatch(let file, let manifestCRC, let contentCRC):
            return "snapshot \(file) decompresses to content with CRC-32C 0x\(String(contentCRC, radix: 16)) but its manifest says 0x\(String(manifestCRC, radix: 16))"
        case .contentTooLarge(let file, let bytes, let limit):
            return "snapshot \(file) holds \(bytes) bytes of content, above the \(limit)-byte limit"
        case .io(let error):
            return error.description
        case .invalidKeepCount(let keep):
            return "cannot keep \(keep) snapshots: at least one must be kept"
        case .notFound(let directory, let index):
            return "no snapshot at index \(index) in \(directory)"
        case .chunkOutOfOrder(let file, let offset, let receivedBytes):
            return "incoming snapshot \(file) got a chunk at byte offset \(offset) but holds \(receivedBytes) bytes; continue at \(receivedBytes)"
        case .chunkBeyondEnd(let file, let endBytes, let totalBytes):
            return "incoming snapshot \(file) got a chunk ending at byte \(endBytes), past the announced \(totalBytes) bytes"
        case .transferIncomplete(let file, let receivedBytes, let totalBytes):
            return "incoming snapshot \(file) holds \(receivedBytes) of \(totalBytes) bytes and cannot be installed yet"
        case .transferFinished(let file):
            return "incoming snapshot \(file) was already installed, rejected or discarded"
        }
    }
}
