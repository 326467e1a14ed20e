import NIOCore

/// A snapshot arriving from another node chunk by chunk, into the part file
/// `incoming-<index, 20 digits>-<term>.part` of the store's directory, next to the manifest it
/// was announced with (`incoming-<index>-<term>.json`).
///
/// The part file makes a transfer resumable: after a dropped stream, or a restart, a new
/// `SnapshotStore.incoming` for the same index, term and manifest continues at `receivedBytes`.
/// Chunks are written with `pwrite` and not synced one by one; `install` syncs once and checks
/// every byte against the manifest's CRC-32C, so bytes a crash damaged are caught there.
///
/// Not thread-safe: one owner (the task handling the stream) uses it at a time.
public final class IncomingSnapshot: @unchecked Sendable {
    // @unchecked: Sendable only so that its owner can hand it to another thread (the server
    // writes chunks on an I/O pool, off the event loop). It is never used from two threads at
    // once; that single-owner rule is the caller's, as documented above.
    /// The names of a transfer's files.
    struct FileNames {
        static let prefix = "incoming-"

        let partName: String
        let manifestName: String
        let partPath: String
        let manifestPath: String

        init(directory: String, index: UInt64, term: UInt64) {
            let base = IndexedFileName(prefix: Self.prefix, suffix: "-\(term)").name(for: index)
            partName = base + ".part"
            manifestName = base + ".json"
            partPath = directory + "/" + partName
            manifestPath = directory + "/" + manifestName
        }
    }

    private enum State {
        case receiving(fd: Int32)
        /// Installed, rejected by `install`, or discarded: the part file is gone.
        case finished
    }

    /// The log index the snapshot covers.
    public let index: UInt64
    /// The term of the entry at `index`.
    public let term: UInt64
    /// The size of the snapshot's `.lz4` file, as announced and as its manifest says.
    public let totalBytes: UInt64
    /// How many bytes the part file holds: the offset the next chunk must start at.
    public private(set) var receivedBytes: UInt64
    /// The part file's path.
    public var path: String { names.partPath }

    private let store: SnapshotStore
    private let names: FileNames
    private let manifest: SnapshotManifest
    private let manifestBytes: [UInt8]
    private var state: State

    init(store: SnapshotStore, names: FileNames, manifest: SnapshotManifest, manifestBytes: [UInt8], totalBytes: UInt64) throws {
        self.store = store
        self.names = names
        self.index = manifest.index
        self.term = manifest.term
        self.manifest = manifest
        self.manifestBytes = manifestBytes
        self.totalBytes = totalBytes
        let fd: Int32
        do {
            fd = try FileIO.openForWriting(names.partPath, truncate: false)
        } catch {
            throw SnapshotError.io(error)
        }
        do {
            let existingBytes = UInt64(try FileIO.fileSize(fd, path: names.partPath))
            // More bytes than the snapshot has cannot be a prefix of it: start over.
            if existingBytes > totalBytes {
                try FileIO.truncate(fd, toBytes: 0, path: names.partPath)
                receivedBytes = 0
            } else {
                receivedBytes = existingBytes
            }
        } catch {
            FileIO.close(fd)
            throw SnapshotError.io(error)
        }
        state = .receiving(fd: fd)
    }

    deinit {
        if case .receiving(let fd) = state { FileIO.close(fd) }
    }

    /// Writes a chunk that starts at `offset`, which must equal `receivedBytes` (otherwise
    /// `SnapshotError.chunkOutOfOrder`: reply with `receivedBytes`), and must not reach past
    /// `totalBytes`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws {
        guard case .receiving(let fd) = state else { throw SnapshotError.transferFinished(file: names.partPath) }
        guard offset == receivedBytes else {
            throw SnapshotError.chunkOutOfOrder(file: names.partPath, offset: offset, receivedBytes: receivedBytes)
        }
        let endBytes = offset + UInt64(bytes.count)
        guard endBytes <= totalBytes else {
            throw SnapshotError.chunkBeyondEnd(file: names.partPath, endBytes: endBytes, totalBytes: totalBytes)
        }
        do {
            try FileIO.write(fd, bytes, at: Int(offset), path: names.partPath)
        } catch {
            throw SnapshotError.io(error)
        }
        receivedBytes = endBytes
    }

    /// Writes the readable bytes of `bytes` at `offset`; see `write(_:at:)`.
    public func write(_ bytes: ByteBuffer, at offset: UInt64) throws {
        try bytes.withUnsafeReadableBytes { try write($0, at: offset) }
    }

    /// Writes `bytes` at `offset`; see `write(_:at:)`.
    public func write(_ bytes: [UInt8], at offset: UInt64) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    /// Once `receivedBytes == totalBytes`: syncs the part file, verifies it against the
    /// manifest (size, CRC-32C of the file, LZ4 frame, content size and CRC-32C; the
    /// manifest itself was checked against index, term and size when the transfer started),
    /// and commits it as the store's snapshot at `index` under the names `write` uses. Returns
    /// its info and decompressed content.
    ///
    /// A failed check deletes the part file, leaves no snapshot installed and throws the
    /// `SnapshotError` naming what did not match; start a new transfer. Either way the object
    /// is finished afterwards.
    public func install() throws -> (SnapshotInfo, ByteBuffer) {
        guard case .receiving(let fd) = state else { throw SnapshotError.transferFinished(file: names.partPath) }
        guard receivedBytes == totalBytes else {
            throw SnapshotError.transferIncomplete(file: names.partPath, receivedBytes: receivedBytes, totalBytes: totalBytes)
        }
        state = .finished
        do {
            defer { FileIO.close(fd) }
            try FileIO.fullSync(fd, path: names.partPath)
        } catch {
            try? FileIO.remove(names.partPath)
            throw SnapshotError.io(error)
        }
        return try store.install(names, manifest: manifest, manifestBytes: manifestBytes)
    }

    /// Deletes the part file and its manifest (the transfer was abandoned, or a newer snapshot
    /// replaces it). Does nothing once finished.
    public func discard() {
        guard case .receiving(let fd) = state else { return }
        state = .finished
        FileIO.close(fd)
        try? FileIO.remove(names.partPath)
        try? FileIO.remove(names.manifestPath)
    }
}
