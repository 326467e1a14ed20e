import Foundation
import NIOCore

/// A snapshot as the bytes a peer needs to rebuild it: the manifest file and the `.lz4` file,
/// sent exactly as they are on disk so the receiver verifies what the sender verified.
public struct ExportedSnapshot: Sendable {
    /// What the manifest says, and where the files are on the sending node.
    public var info: SnapshotInfo
    /// The bytes of the `.json` manifest file.
    public var manifest: [UInt8]
    /// The `.lz4` file to stream with `SnapshotStore.readChunk(of:offset:maxBytes:)`.
    public var dataPath: String
    /// Its size, equal to the manifest's `compressedBytes`.
    public var dataBytes: UInt64
}

/// Moving a snapshot between nodes: the leader exports a snapshot and reads its file in chunks;
/// the follower writes the chunks into an `IncomingSnapshot` and installs it.
extension SnapshotStore {
    /// The newest snapshot whose manifest is valid and whose file's CRC-32C matches it, or nil
    /// when there is none. Damaged newer ones are skipped (`loadLatest` reports them).
    public func exportLatest() throws -> ExportedSnapshot? {
        lock.lock()
        defer { lock.unlock() }
        for index in try files.indices().reversed() {
            if let exported = try? exportLocked(index: index) { return exported }
        }
        return nil
    }

    /// The snapshot at `index`; throws `SnapshotError.notFound` when there is none, or the
    /// error that names what is wrong with it.
    public func export(index: UInt64) throws -> ExportedSnapshot {
        lock.lock()
        defer { lock.unlock() }
        return try exportLocked(index: index)
    }

    private func exportLocked(index: UInt64) throws(SnapshotError) -> ExportedSnapshot {
        let path = files.snapshotPath(of: index)
        let manifestPath = files.manifestPath(of: index)
        guard FileManager.default.fileExists(atPath: path) || FileManager.default.fileExists(atPath: manifestPath) else {
            throw .notFound(directory: directory, index: index)
        }
        // Decode the bytes that are sent, so `info` describes exactly them.
        let manifestBytes = try files.readManifestBytes(manifestPath)
        let manifest = try files.decodeManifest(manifestBytes, manifestPath: manifestPath, index: index)
        let (checked, fd) = try files.openChecked(index: index)
        FileIO.close(fd)
        guard checked == manifest else {
            throw .manifestInvalid(file: manifestPath, reason: "changed while it was being exported")
        }
        guard isGood(index: index) else {
            throw .checksumMismatch(file: path, manifestCRC32C: manifest.crc32c, fileCRC32C: try fileCRC(path))
        }
        return ExportedSnapshot(
            info: manifest.info(path: path, manifestPath: manifestPath), manifest: Array(manifestBytes),
            dataPath: path, dataBytes: UInt64(manifest.compressedBytes))
    }

    private func fileCRC(_ path: String) throws(SnapshotError) -> UInt32 {
        do throws(FileSystemError) {
            let fd = try FileIO.openForReading(path)
            defer { FileIO.close(fd) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readChunkBytes, alignment: 16)
            defer { buffer.deallocate() }
            return try SnapshotDirectory.checksum(ofFileAt: fd, path: path, buffer: buffer)
        } catch {
            throw .io(error)
        }
    }

    /// Up to `maxBytes` of the exported `.lz4` file from `offset`, fewer only at its end (empty
    /// at or past it). Reads with `pread`; safe from any thread. Throws when the file is gone
    /// (a `prune` removed it: export again) or shorter than exported.
    public static func readChunk(of exported: ExportedSnapshot, offset: UInt64, maxBytes: Int) throws -> [UInt8] {
        precondition(maxBytes >= 0, "readChunk needs a non-negative maxBytes, got \(maxBytes)")
        guard offset < exported.dataBytes else { return [] }
        let count = Int(min(UInt64(maxBytes), exported.dataBytes - offset))
        var readBytes = 0
        let bytes: [UInt8]
        do throws(FileSystemError) {
            let fd = try FileIO.openForReading(exported.dataPath)
            defer { FileIO.close(fd) }
            bytes = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized throws(FileSystemError) in
                readBytes = try FileIO.read(fd, into: UnsafeMutableRawBufferPointer(buffer), at: Int(offset), path: exported.dataPath)
                initialized = readBytes
            }
        } catch {
            throw SnapshotError.io(error)
        }
        guard readBytes == count else {
            throw SnapshotError.compressedSizeMismatch(
                file: exported.dataPath, manifestBytes: Int(exported.dataBytes), fileBytes: Int(offset) + readBytes)
        }
        return bytes
    }

    /// Starts receiving the snapshot at `index`/`term`, or resumes receiving it: a part file
    /// left by an earlier stream for the same index, term and manifest (even before a restart)
    /// is continued at its `receivedBytes`. `manifest` and `totalBytes` are what the sender's
    /// `ExportedSnapshot` holds; they are checked against each other and `index`/`term` here,
    /// before any byte is accepted. Files of any other transfer are deleted: a store receives
    /// one snapshot at a time.
    public func incoming(index: UInt64, term: UInt64, manifest: [UInt8], totalBytes: UInt64) throws -> IncomingSnapshot {
        lock.lock()
        defer { lock.unlock() }
        let names = IncomingSnapshot.FileNames(directory: directory, index: index, term: term)
        let decoded = try files.decodeManifest(Data(manifest), manifestPath: names.manifestPath, index: index)
        guard decoded.term == term else {
            throw SnapshotError.manifestInvalid(
                file: names.manifestPath, reason: "names term \(decoded.term) but the transfer is for term \(term)")
        }
        guard decoded.compressedBytes >= 0, UInt64(decoded.compressedBytes) == totalBytes else {
            throw SnapshotError.manifestInvalid(
                file: names.manifestPath,
                reason: "says the snapshot file is \(decoded.compressedBytes) bytes but the transfer announces \(totalBytes)")
        }
        do {
            for name in try FileIO.listDirectory(directory)
            where name.hasPrefix(IncomingSnapshot.FileNames.prefix) && name != names.partName && name != names.manifestName {
                try FileIO.remove(directory + "/" + name)
            }
            // The manifest of a resumed transfer must be the one its bytes were sent for; a
            // sender that rewrote its snapshot at the same index starts over from byte 0.
            let stored = try? files.readManifestBytes(names.manifestPath)
            if stored != Data(manifest) {
                try FileIO.remove(names.partPath)
                try FileIO.writeAtomically(names.manifestPath, inDirectory: directory) { fd, temporaryPath in
                    try manifest.withUnsafeBytes { try FileIO.write(fd, $0, path: temporaryPath) }
                }
            }
        } catch let error as FileSystemError {
            throw SnapshotError.io(error)
        }
        return try IncomingSnapshot(store: self, names: names, manifest: decoded, manifestBytes: manifest, totalBytes: totalBytes)
    }

    /// Verifies the completely received part file (synced by the caller) and commits it as the
    /// snapshot at its index, like `write` does: the `.lz4` renamed into place and the directory
    /// synced, then the manifest written atomically as the commit point. A snapshot already at
    /// that index is uncommitted (its manifest removed) first, so a crash never pairs the old
    /// manifest with the new file. A part file that fails a check is deleted with its manifest.
    func install(_ names: IncomingSnapshot.FileNames, manifest: SnapshotManifest, manifestBytes: [UInt8]) throws -> (SnapshotInfo, ByteBuffer) {
        lock.lock()
        defer { lock.unlock() }
        let content: ByteBuffer
        do {
            content = try verifiedPart(names, manifest: manifest)
        } catch {
            try? FileIO.remove(names.partPath)
            try? FileIO.remove(names.manifestPath)
            throw error
        }
        let path = files.snapshotPath(of: manifest.index)
        let manifestPath = files.manifestPath(of: manifest.index)
        do {
            if FileManager.default.fileExists(atPath: manifestPath) {
                try FileIO.remove(manifestPath)
                try FileIO.syncDirectory(directory)
            }
            verifiedPaths.remove(path)
            try FileIO.rename(names.partPath, to: path)
            try FileIO.syncDirectory(directory)
            try FileIO.writeAtomically(manifestPath, inDirectory: directory) { fd, temporaryPath in
                try manifestBytes.withUnsafeBytes { try FileIO.write(fd, $0, path: temporaryPath) }
            }
            try FileIO.remove(names.manifestPath)
        } catch let error as FileSystemError {
            throw SnapshotError.io(error)
        }
        verifiedPaths.insert(path)
        return (manifest.info(path: path, manifestPath: manifestPath), content)
    }

    private func verifiedPart(_ names: IncomingSnapshot.FileNames, manifest: SnapshotManifest) throws(SnapshotError) -> ByteBuffer {
        let fd: Int32
        let fileBytes: Int
        do throws(FileSystemError) {
            fd = try FileIO.openForReading(names.partPath)
        } catch {
            throw .io(error)
        }
        defer { FileIO.close(fd) }
        do throws(FileSystemError) {
            fileBytes = try FileIO.fileSize(fd, path: names.partPath)
        } catch {
            throw .io(error)
        }
        guard fileBytes == manifest.compressedBytes else {
            throw .compressedSizeMismatch(file: names.partPath, manifestBytes: manifest.compressedBytes, fileBytes: fileBytes)
        }
        return try verifiedContent(ofFileAt: fd, path: names.partPath, manifest: manifest)
    }
}
