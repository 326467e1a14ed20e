import Foundation
import NIOCore
@testable import ParasolStorage
import Testing

/// Writing, loading, rejecting and pruning snapshots, and interoperating with the `lz4` CLI.
@Suite(.timeLimit(.minutes(2)))
struct SnapshotStoreTests {
    static let seed: UInt64 = 0x5EED_0005
    static let lz4 = "/usr/bin/lz4"

    /// Content spanning several 4 MiB blocks: a compressible half (a repeating ramp) and a
    /// random half (stored raw by LZ4), so both block kinds are exercised.
    static func content(bytes: Int, seed: UInt64 = seed) -> [UInt8] {
        print("seed \(seed)")
        var generator = SeededGenerator(seed: seed)
        let half = bytes / 2
        return (0..<half).map { UInt8(truncatingIfNeeded: $0 / 16) } + generator.bytes(bytes - half)
    }

    private func snapshotPath(_ directory: String, _ index: UInt64) -> String {
        let digits = String(index)
        return directory + "/snap-" + String(repeating: "0", count: 20 - digits.count) + digits + ".lz4"
    }

    private func manifestPath(_ directory: String, _ index: UInt64) -> String {
        String(snapshotPath(directory, index).dropLast(4)) + ".json"
    }

    private func readManifest(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(readFile(path))) as? [String: Any])
    }

    private func writeManifest(_ path: String, _ manifest: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
    }

    /// Rewrites the manifest's size and CRC to match the `.lz4` file as it is now, so that only
    /// the checks inside the LZ4 frame can notice damage.
    private func makeManifestAgree(_ directory: String, _ index: UInt64) throws {
        let bytes = try readFile(snapshotPath(directory, index))
        var manifest = try readManifest(manifestPath(directory, index))
        manifest["crc32c"] = referenceCRC32C(bytes)
        manifest["compressedBytes"] = bytes.count
        try writeManifest(manifestPath(directory, index), manifest)
    }

    // MARK: Round trips

    @Test func aSnapshotRoundTripsWithItsManifest() async throws {
        try await withTemporaryDirectory { root in
            let directory = root + "/snapshots"
            let content = Self.content(bytes: 10 << 20)
            let store = try SnapshotStore(directory: directory)
            let written = try store.write(shard: 3, index: 100, term: 2, content: ByteBuffer(bytes: content))
            #expect(written.path == snapshotPath(directory, 100))
            #expect(written.manifestPath == manifestPath(directory, 100))
            #expect(written.uncompressedBytes == content.count)
            #expect(written.compressedBytes == (try fileSize(written.path)))
            #expect(written.compressedBytes < content.count)
            #expect(written.crc32c == referenceCRC32C(try readFile(written.path)))
            #expect(written.filter == "byteshuffle4")

            let manifest = try readManifest(written.manifestPath)
            #expect(Set(manifest.keys) == [
                "format", "shard", "index", "term", "uncompressedBytes", "compressedBytes", "filter", "crc32c",
                "contentCRC32C", "createdUnixSeconds",
            ])
            #expect(manifest["format"] as? Int == 1)
            #expect(manifest["shard"] as? Int == 3)
            #expect(manifest["index"] as? Int == 100)
            #expect(manifest["crc32c"] as? Int == Int(written.crc32c))
            #expect(manifest["contentCRC32C"] as? Int == Int(referenceCRC32C(content)))

            // A fresh store, as after a restart.
            let loaded = try SnapshotStore(directory: directory).loadLatest()
            #expect(loaded.rejected.isEmpty)
            let (info, loadedContent) = try #require(loaded.snapshot)
            #expect(info == written)
            #expect(Array(loadedContent.readableBytesView) == content)
        }
    }

    @Test func emptyContentRoundTrips() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            _ = try store.write(shard: 0, index: 1, term: 0, content: ByteBuffer())
            let loaded = try store.loadLatest()
            #expect(loaded.rejected.isEmpty)
            #expect(loaded.snapshot?.content.readableBytes == 0)
        }
    }

    @Test func anEmptyDirectoryLoadsNothing() async throws {
        try await withTemporaryDirectory { directory in
            let loaded = try SnapshotStore(directory: directory).loadLatest()
            #expect(loaded.snapshot == nil)
            #expect(loaded.rejected.isEmpty)
        }
    }

    @Test func theNewestSnapshotIsLoaded() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            for index: UInt64 in [5, 30, 12] {
                _ = try store.write(shard: 0, index: index, term: 1, content: ByteBuffer(bytes: [UInt8(index)]))
            }
            let loaded = try store.loadLatest()
            #expect(loaded.snapshot?.info.index == 30)
            #expect(loaded.snapshot.map { Array($0.content.readableBytesView) } == [30])
        }
    }

    // MARK: The lz4 command-line tool

    @Test func ourFileDecompressesWithTheLZ4Tool() async throws {
        try await withTemporaryDirectory { directory in
            let content = Self.content(bytes: 9 << 20)
            let info = try SnapshotStore(directory: directory).write(
                shard: 1, index: 7, term: 1, content: ByteBuffer(bytes: content))
            let output = directory + "/decompressed.bin"
            #expect(try run(Self.lz4, ["-t", info.path]) == 0)
            #expect(try run(Self.lz4, ["-d", "-f", "-q", info.path, output]) == 0)
            #expect(try readFile(output) == content)
        }
    }

    @Test func aFileFromTheLZ4ToolLoads() async throws {
        try await withTemporaryDirectory { directory in
            let content = Self.content(bytes: 9 << 20, seed: Self.seed + 1)
            let raw = directory + "/content.bin"
            try writeFile(raw, content)
            let compressed = snapshotPath(directory, 9)
            #expect(try run(Self.lz4, ["-z", "-f", "-q", raw, compressed]) == 0)
            try FileManager.default.removeItem(atPath: raw)
            let compressedBytes = try readFile(compressed)
            // The manifest an operator (or a restore tool) writes next to a frame made elsewhere.
            try writeManifest(manifestPath(directory, 9), [
                "format": 1, "shard": 4, "index": 9, "term": 3, "uncompressedBytes": content.count,
                "compressedBytes": compressedBytes.count, "filter": "none",
                "crc32c": referenceCRC32C(compressedBytes), "createdUnixSeconds": 1_700_000_000,
            ])

            let loaded = try SnapshotStore(directory: directory).loadLatest()
            #expect(loaded.rejected.isEmpty)
            let (info, loadedContent) = try #require(loaded.snapshot)
            #expect(info.shard == 4)
            #expect(info.term == 3)
            #expect(info.filter == "none")
            #expect(Array(loadedContent.readableBytesView) == content)
        }
    }

    @Test func aManifestWithoutAContentCRCFallsBackToTheFramesContentChecksum() async throws {
        try await withTemporaryDirectory { directory in
            // Written the way snapshots were before manifests kept a content CRC: a frame with
            // LZ4's content checksum (the CLI's default). Random bytes are stored raw, so the
            // flipped byte reaches the output and only that checksum can notice it.
            var generator = SeededGenerator(seed: Self.seed + 5)
            let raw = directory + "/content.bin"
            try writeFile(raw, generator.bytes(1 << 20))
            let compressed = snapshotPath(directory, 9)
            #expect(try run(Self.lz4, ["-z", "-f", "-q", raw, compressed]) == 0)
            try flipByte(compressed, at: 1 << 19)
            let compressedBytes = try readFile(compressed)
            try writeManifest(manifestPath(directory, 9), [
                "format": 1, "shard": 4, "index": 9, "term": 3, "uncompressedBytes": 1 << 20,
                "compressedBytes": compressedBytes.count, "filter": "none",
                "crc32c": referenceCRC32C(compressedBytes), "createdUnixSeconds": 1_700_000_000,
            ])

            let rejection = try #require(try SnapshotStore(directory: directory).loadLatest().rejected.first)
            guard case .lz4(_, let name) = rejection.error else {
                Issue.record("expected .lz4, got \(rejection.error)")
                return
            }
            #expect(name.contains("contentChecksum"))
        }
    }

    @Test func decompressionGrowsItsOutputWhenTheFrameDeclaresNoSize() async throws {
        try await withTemporaryDirectory { directory in
            let content = Self.content(bytes: 5 << 20, seed: Self.seed + 2)
            let raw = directory + "/content.bin"
            try writeFile(raw, content)
            let compressed = directory + "/content.bin.lz4"
            #expect(try run(Self.lz4, ["-z", "-f", "-q", raw, compressed]) == 0)
            let frame = try readFile(compressed)

            let decompressor = try LZ4FrameDecompressor()
            let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
            defer { input.deallocate() }
            var offset = 0
            let output = try decompressor.decompress(input: input, expectedBytes: nil, bytesMax: 64 << 20) { target in
                let count = min(target.count, frame.count - offset)
                target.copyBytes(from: frame[offset..<offset + count])
                offset += count
                return count
            }
            #expect(Array(output.readableBytesView) == content)

            // The same frame against a limit below its content is refused, not grown past it.
            offset = 0
            #expect(throws: LZ4FrameDecompressor.Failure.tooLarge(bytes: (1 << 20) + 1)) {
                _ = try decompressor.decompress(input: input, expectedBytes: nil, bytesMax: 1 << 20) { target in
                    let count = min(target.count, frame.count - offset)
                    target.copyBytes(from: frame[offset..<offset + count])
                    offset += count
                    return count
                }
            }
        }
    }

    // MARK: Damage

    @Test func aFlippedByteMakesTheStoreFallBackToThePreviousSnapshot() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let older = Self.content(bytes: 1 << 20, seed: Self.seed + 3)
            _ = try store.write(shard: 0, index: 10, term: 1, content: ByteBuffer(bytes: older))
            let newer = try store.write(shard: 0, index: 20, term: 1, content: ByteBuffer(bytes: Self.content(bytes: 1 << 20)))
            try flipByte(newer.path, at: newer.compressedBytes / 2)

            let loaded = try SnapshotStore(directory: directory).loadLatest()
            let (info, content) = try #require(loaded.snapshot)
            #expect(info.index == 10)
            #expect(Array(content.readableBytesView) == older)
            #expect(loaded.rejected.count == 1)
            let rejection = try #require(loaded.rejected.first)
            print("rejected: \(rejection)")
            #expect(rejection.index == 20)
            #expect("\(rejection)".contains(newer.path))
            guard case .checksumMismatch(let file, _, _) = rejection.error else {
                Issue.record("expected .checksumMismatch, got \(rejection.error)")
                return
            }
            #expect(file == newer.path)
        }
    }

    @Test func theContentChecksumCatchesDamageTheManifestAgreesWith() async throws {
        try await withTemporaryDirectory { directory in
            // Random content is stored raw, so the flipped byte reaches the output and only the
            // manifest's CRC-32C of the content can notice it.
            var generator = SeededGenerator(seed: Self.seed + 4)
            let store = try SnapshotStore(directory: directory)
            let info = try store.write(shard: 0, index: 10, term: 1, content: ByteBuffer(bytes: generator.bytes(1 << 20)))
            try flipByte(info.path, at: info.compressedBytes / 2)
            try makeManifestAgree(directory, 10)

            let loaded = try SnapshotStore(directory: directory).loadLatest()
            #expect(loaded.snapshot == nil)
            let rejection = try #require(loaded.rejected.first)
            print("rejected: \(rejection)")
            guard case .contentChecksumMismatch(let file, let manifestCRC, let contentCRC) = rejection.error else {
                Issue.record("expected .contentChecksumMismatch, got \(rejection.error)")
                return
            }
            #expect(file == info.path)
            #expect(manifestCRC == info.contentCRC32C && contentCRC != manifestCRC)
        }
    }

    @Test func aTruncatedFileIsRejected() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            _ = try store.write(shard: 0, index: 10, term: 1, content: ByteBuffer(bytes: [1, 2, 3]))
            let newer = try store.write(shard: 0, index: 20, term: 1, content: ByteBuffer(bytes: Self.content(bytes: 6 << 20)))
            try writeFile(newer.path, Array(try readFile(newer.path).prefix(newer.compressedBytes / 2)))

            let loaded = try SnapshotStore(directory: directory).loadLatest()
            #expect(loaded.snapshot?.info.index == 10)
            let rejection = try #require(loaded.rejected.first)
            guard case .compressedSizeMismatch(let file, let manifestBytes, let fileBytes) = rejection.error else {
                Issue.record("expected .compressedSizeMismatch, got \(rejection.error)")
                return
            }
            #expect(file == newer.path)
            #expect(manifestBytes == newer.compressedBytes)
            #expect(fileBytes == newer.compressedBytes / 2)

            // Even with a manifest that matches the short file, the frame itself is incomplete.
            try makeManifestAgree(directory, 20)
            let again = try SnapshotStore(directory: directory).loadLatest()
            #expect(again.snapshot?.info.index == 10)
            guard case .truncatedFrame(let truncatedFile) = again.rejected.first?.error else {
                Issue.record("expected .truncatedFrame, got \(String(describing: again.rejected.first))")
                return
            }
            #expect(truncatedFile == newer.path)
        }
    }

    @Test func aSnapshotWithoutItsManifestIsRejected() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            _ = try store.write(shard: 0, index: 10, term: 1, content: ByteBuffer(bytes: [1]))
            let newer = try store.write(shard: 0, index: 20, term: 1, content: ByteBuffer(bytes: [2]))
            try FileManager.default.removeItem(atPath: newer.manifestPath)

            let loaded = try store.loadLatest()
            #expect(loaded.snapshot?.info.index == 10)
            guard case .manifestMissing(let file) = loaded.rejected.first?.error else {
                Issue.record("expected .manifestMissing, got \(String(describing: loaded.rejected.first))")
                return
            }
            #expect(file == newer.path)
        }
    }

    @Test func aManifestThatIsNotJSONIsRejected() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            let info = try store.write(shard: 0, index: 10, term: 1, content: ByteBuffer(bytes: [1]))
            try writeFile(info.manifestPath, Array("{\"format\": 1, \"shard\":".utf8))
            let loaded = try store.loadLatest()
            #expect(loaded.snapshot == nil)
            guard case .manifestUnreadable(let file, _) = loaded.rejected.first?.error else {
                Issue.record("expected .manifestUnreadable, got \(String(describing: loaded.rejected.first))")
                return
            }
            #expect(file == info.manifestPath)
        }
    }

    @Test func aManifestNamedForAnotherIndexIsRejected() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            _ = try store.write(shard: 0, index: 10, term: 1, content: ByteBuffer(bytes: [1]))
            try FileManager.default.copyItem(atPath: snapshotPath(directory, 10), toPath: snapshotPath(directory, 11))
            try FileManager.default.copyItem(atPath: manifestPath(directory, 10), toPath: manifestPath(directory, 11))
            let loaded = try store.loadLatest()
            #expect(loaded.snapshot?.info.index == 10)
            guard case .manifestInvalid = loaded.rejected.first?.error else {
                Issue.record("expected .manifestInvalid, got \(String(describing: loaded.rejected.first))")
                return
            }
        }
    }

    // MARK: Retention

    @Test func pruneKeepsTheNewestGoodSnapshotsAndDeletesTheRest() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SnapshotStore(directory: directory)
            for index: UInt64 in [10, 20, 30, 40] {
                _ = try store.write(shard: 0, index: index, term: 1, content: ByteBuffer(bytes: [UInt8(index), 1, 2, 3]))
            }
            try flipByte(snapshotPath(directory, 40), at: 10)

            // A fresh store has verified nothing yet, so it checks every candidate's CRC.
            let fresh = try SnapshotStore(directory: directory)
            let removed = try fresh.prune(keep: 2)
            #expect(Set(removed) == Set([10, 40].flatMap { [snapshotPath(directory, $0), manifestPath(directory, $0)] }))
            #expect(try fileNames(in: directory, prefix: "snap-") == [
                "snap-00000000000000000020.json", "snap-00000000000000000020.lz4",
                "snap-00000000000000000030.json", "snap-00000000000000000030.lz4",
            ])
            #expect(try fresh.oldestKeptIndex() == 20)
            #expect(try fresh.loadLatest().snapshot?.info.index == 30)

            #expect {
                try fresh.prune(keep: 0)
            } throws: { error in
                guard case .invalidKeepCount(0) = error as? SnapshotError else { return false }
                return true
            }
        }
    }

    @Test func leftoversOfAnInterruptedWriteAreRemovedAtOpen() async throws {
        try await withTemporaryDirectory { directory in
            let leftover = snapshotPath(directory, 50) + ".tmp"
            try writeFile(leftover, [1, 2, 3])
            _ = try SnapshotStore(directory: directory)
            #expect(!FileManager.default.fileExists(atPath: leftover))
        }
    }
}
