import Foundation
import ParasolWire

/// The files of a snapshot directory: their names, and the checks that need no decompression
/// (manifest shape, file size, CRC-32C of the file).
struct SnapshotDirectory: Sendable {
    static let snapshotFileName = IndexedFileName(prefix: "snap-", suffix: ".lz4")
    static let manifestFileName = IndexedFileName(prefix: "snap-", suffix: ".json")
    /// A manifest is a few hundred bytes; a larger one is not read.
    static let manifestBytesMax = 64 << 10

    let path: String
    /// A manifest claiming more content than this is rejected before anything is allocated.
    let contentBytesMax: Int

    /// The indices that have a snapshot file or a manifest, oldest first.
    func indices() throws(SnapshotError) -> [UInt64] {
        let names: [String]
        do throws(FileSystemError) {
            names = try FileIO.listDirectory(path)
        } catch {
            throw .io(error)
        }
        let indices = names.compactMap { Self.snapshotFileName.index(of: $0) ?? Self.manifestFileName.index(of: $0) }
        return Set(indices).sorted()
    }

    /// Reads and checks the manifest of `index`, then opens its `.lz4` file and checks its size.
    /// The caller closes the returned descriptor.
    func openChecked(index: UInt64) throws(SnapshotError) -> (SnapshotManifest, Int32) {
        let path = snapshotPath(of: index)
        let manifestPath = manifestPath(of: index)
        guard FileManager.default.fileExists(atPath: manifestPath) else { throw .manifestMissing(file: path) }
        guard FileManager.default.fileExists(atPath: path) else { throw .snapshotFileMissing(file: manifestPath) }
        let manifest = try readManifest(manifestPath, index: index)
        let fd: Int32
        let fileBytes: Int
        do throws(FileSystemError) {
            fd = try FileIO.openForReading(path)
        } catch {
            throw .io(error)
        }
        do throws(FileSystemError) {
            fileBytes = try FileIO.fileSize(fd, path: path)
        } catch {
            FileIO.close(fd)
            throw .io(error)
        }
        guard fileBytes == manifest.compressedBytes else {
            FileIO.close(fd)
            throw .compressedSizeMismatch(file: path, manifestBytes: manifest.compressedBytes, fileBytes: fileBytes)
        }
        return (manifest, fd)
    }

    private func readManifest(_ manifestPath: String, index: UInt64) throws(SnapshotError) -> SnapshotManifest {
        try decodeManifest(try readManifestBytes(manifestPath), manifestPath: manifestPath, index: index)
    }

    /// The bytes of the manifest at `manifestPath`, refusing one above `manifestBytesMax`.
    func readManifestBytes(_ manifestPath: String) throws(SnapshotError) -> Data {
        var fileBytes = 0
        var data = Data()
        do throws(FileSystemError) {
            let fd = try FileIO.openForReading(manifestPath)
            defer { FileIO.close(fd) }
            fileBytes = try FileIO.fileSize(fd, path: manifestPath)
            if fileBytes <= Self.manifestBytesMax {
                let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: fileBytes, alignment: 1)
                defer { bytes.deallocate() }
                let readBytes = try FileIO.read(fd, into: bytes, at: 0, path: manifestPath)
                data = Data(UnsafeRawBufferPointer(rebasing: bytes[0..<readBytes]))
            }
        } catch {
            throw .io(error)
        }
        guard fileBytes <= Self.manifestBytesMax else {
            throw .manifestUnreadable(file: manifestPath, reason: "\(fileBytes) bytes, above the \(Self.manifestBytesMax)-byte limit")
        }
        return data
    }

    /// Decodes and checks manifest bytes: shape, format, that they name `index`, plausible
    /// sizes. `manifestPath` is the file the bytes came from (or will go to), for the errors.
    func decodeManifest(_ data: Data, manifestPath: String, index: UInt64) throws(SnapshotError) -> SnapshotManifest {
        guard data.count <= Self.manifestBytesMax else {
            throw .manifestUnreadable(file: manifestPath, reason: "\(data.count) bytes, above the \(Self.manifestBytesMax)-byte limit")
        }
        let manifest: SnapshotManifest
        do {
            manifest = try JSONDecoder().decode(SnapshotManifest.self, from: data)
        } catch {
            throw .manifestUnreadable(file: manifestPath, reason: "\(error)")
        }
        guard manifest.format == SnapshotManifest.currentFormat else {
            throw .manifestInvalid(
                file: manifestPath, reason: "format \(manifest.format), this version reads format \(SnapshotManifest.currentFormat)")
        }
        guard manifest.index == index else {
            throw .manifestInvalid(file: manifestPath, reason: "says index \(manifest.index) but is named for index \(index)")
        }
        guard manifest.uncompressedBytes >= 0, manifest.compressedBytes >= 0 else {
            throw .manifestInvalid(file: manifestPath, reason: "a size is negative")
        }
        guard manifest.uncompressedBytes <= contentBytesMax else {
            throw .contentTooLarge(file: manifestPath, bytes: manifest.uncompressedBytes, limit: contentBytesMax)
        }
        return manifest
    }

    func snapshotPath(of index: UInt64) -> String {
        path + "/" + Self.snapshotFileName.name(for: index)
    }

    func manifestPath(of index: UInt64) -> String {
        path + "/" + Self.manifestFileName.name(for: index)
    }

    /// The CRC-32C of the whole file open at `fd`, read through `buffer`.
    static func checksum(ofFileAt fd: Int32, path: String, buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> UInt32 {
        var crc: UInt32 = 0
        var offset = 0
        while true {
            let readBytes = try FileIO.read(fd, into: buffer, at: offset, path: path)
            guard readBytes > 0 else { return crc }
            crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[0..<readBytes]), seed: crc)
            offset += readBytes
        }
    }
}
