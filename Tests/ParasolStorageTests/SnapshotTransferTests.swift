import Foundation
import NIOCore
@testable import ParasolStorage
import Testing

/// Streaming a snapshot from one store to another: export, chunked copy, resume, install, and
/// refusal of damaged or misplaced bytes.
@Suite(.timeLimit(.minutes(2)))
struct SnapshotTransferTests {
    static let seed: UInt64 = 0x5EED_0201

    /// Compressible and random halves, as in `SnapshotStoreTests`, so the file has both block kinds.
    static func content(bytes: Int, seed: UInt64 = seed) -> [UInt8] {
        print("seed \(seed)")
        var generator = SeededGenerator(seed: seed)
        let half = bytes / 2
        return (0..<half).map { UInt8(truncatingIfNeeded: $0 / 16) } + generator.bytes(bytes - half)
    }

    /// A leader store holding one snapshot at index 40, term 3.
    private func leader(_ root: String, contentBytes: Int = 6 << 20) throws -> (SnapshotStore, ExportedSnapshot, [UInt8]) {
        let store = try SnapshotStore(directory: root + "/leader")
        let content = Self.content(bytes: contentBytes)
        _ = try store.write(shard: 2, index: 40, term: 3, content: ByteBuffer(bytes: content))
        let exported = try #require(try store.exportLatest())
        return (store, exported, content)
    }

    /// Copies `exported` into `incoming` from its `receivedBytes` on, in chunks of the given
    /// sizes (cycled), stopping after `maxChunks` chunks if given.
    private func copy(_ exported: ExportedSnapshot, into incoming: IncomingSnapshot, chunkSizes: [Int], maxChunks: Int? = nil) throws {
        var chunks = 0
        while incoming.receivedBytes < exported.dataBytes, maxChunks.map({ chunks < $0 }) ?? true {
            let size = chunkSizes[chunks % chunkSizes.count]
            let chunk = try SnapshotStore.readChunk(of: exported, offset: incoming.receivedBytes, maxBytes: size)
            try incoming.write(ByteBuffer(bytes: chunk), at: incoming.receivedBytes)
            chunks += 1
        }
    }

    private func incomingFiles(_ directory: String) throws -> [String] {
        try fileNames(in: directory, prefix: "incoming-")
    }

    @Test func aChunkedCopyInstallsIdenticalContent() async throws {
        try await withTemporaryDirectory { root in
            let (_, exported, content) = try leader(root)
            #expect(exported.info.index == 40)
            #expect(exported.info.term == 3)
            #expect(exported.dataBytes == UInt64(try fileSize(exported.dataPath)))
            #expect(exported.manifest == (try readFile(exported.info.manifestPath)))

            let follower = try SnapshotStore(directory: root + "/follower")
            let incoming = try follower.incoming(
                index: exported.info.index, term: exported.info.term, manifest: exported.manifest, totalBytes: exported.dataBytes)
            #expect(incoming.receivedBytes == 0)
            try copy(exported, into: incoming, chunkSizes: [1, 4093, 65_537, 1_000_003, 7])
            let (info, installed) = try incoming.install()
            #expect(Array(installed.readableBytesView) == content)
            #expect(info.index == 40 && info.term == 3 && info.shard == 2)
            #expect(info.crc32c == exported.info.crc32c)
            #expect(try incomingFiles(root + "/follower").isEmpty)
            // The follower's files are the leader's files, byte for byte.
            #expect(try readFile(info.path) == (try readFile(exported.dataPath)))
            #expect(try readFile(info.manifestPath) == exported.manifest)

            let loaded = try SnapshotStore(directory: root + "/follower").loadLatest()
            #expect(loaded.rejected.isEmpty)
            let (loadedInfo, loadedContent) = try #require(loaded.snapshot)
            #expect(loadedInfo == info)
            #expect(Array(loadedContent.readableBytesView) == content)
            #expect(try follower.oldestKeptIndex() == 40)
        }
    }

    @Test func aDroppedStreamResumesWhereItStopped() async throws {
        try await withTemporaryDirectory { root in
            let (_, exported, content) = try leader(root)
            let followerDirectory = root + "/follower"
            var follower: SnapshotStore? = try SnapshotStore(directory: followerDirectory)
            var first: IncomingSnapshot? = try follower!.incoming(
                index: 40, term: 3, manifest: exported.manifest, totalBytes: exported.dataBytes)
            try copy(exported, into: first!, chunkSizes: [100_003], maxChunks: 5)
            let stoppedAt = first!.receivedBytes
            #expect(stoppedAt == 500_015)
            // The connection drops and the process restarts: both objects are gone.
            first = nil
            follower = nil

            let restarted = try SnapshotStore(directory: followerDirectory)
            let resumed = try restarted.incoming(index: 40, term: 3, manifest: exported.manifest, totalBytes: exported.dataBytes)
            #expect(resumed.receivedBytes == stoppedAt)
            #expect(throws: SnapshotError.self) {
                try resumed.write([1, 2, 3], at: 0)
            }
            try copy(exported, into: resumed, chunkSizes: [262_144])
            let (_, installed) = try resumed.install()
            #expect(Array(installed.readableBytesView) == content)
        }
    }

    @Test func aNewTransferRemovesThePartFilesOfAnotherOne() async throws {
        try await withTemporaryDirectory { root in
            let (leaderStore, exported, _) = try leader(root, contentBytes: 1 << 20)
            let follower = try SnapshotStore(directory: root + "/follower")
            let old = try follower.incoming(index: 40, term: 3, manifest: exported.manifest, totalBytes: exported.dataBytes)
            try copy(exported, into: old, chunkSizes: [1000], maxChunks: 2)
            #expect(try incomingFiles(root + "/follower").count == 2)

            _ = try leaderStore.write(shard: 2, index: 90, term: 4, content: ByteBuffer(bytes: Self.content(bytes: 1 << 20, seed: 9)))
            let newer = try #require(try leaderStore.exportLatest())
            #expect(newer.info.index == 90)
            let fresh = try follower.incoming(index: 90, term: 4, manifest: newer.manifest, totalBytes: newer.dataBytes)
            #expect(fresh.receivedBytes == 0)
            #expect(try incomingFiles(root + "/follower").allSatisfy { $0.hasPrefix("incoming-00000000000000000090-4.") })
            fresh.discard()
            #expect(try incomingFiles(root + "/follower").isEmpty)
            #expect(try leaderStore.export(index: 40).info.index == 40)
            #expect {
                try leaderStore.export(index: 41)
            } throws: { error in
                guard case SnapshotError.notFound(_, 41) = error else { return false }
                return true
            }
        }
    }

    @Test func aChunkAtTheWrongOffsetIsRefused() async throws {
        try await withTemporaryDirectory { root in
            let (_, exported, _) = try leader(root, contentBytes: 1 << 20)
            let follower = try SnapshotStore(directory: root + "/follower")
            let incoming = try follower.incoming(index: 40, term: 3, manifest: exported.manifest, totalBytes: exported.dataBytes)
            try incoming.write(try SnapshotStore.readChunk(of: exported, offset: 0, maxBytes: 1000), at: 0)
            #expect {
                try incoming.write([0xAB], at: 999)
            } throws: { error in
                guard case SnapshotError.chunkOutOfOrder(_, 999, 1000) = error else { return false }
                return "\(error)".contains("continue at 1000")
            }
            #expect(throws: SnapshotError.self) { try incoming.write([0xAB], at: 1001) }
            #expect(incoming.receivedBytes == 1000)
            #expect {
                try incoming.write([UInt8](repeating: 0, count: Int(exported.dataBytes)), at: 1000)
            } throws: { error in
                guard case SnapshotError.chunkBeyondEnd = error else { return false }
                return true
            }
            #expect {
                try incoming.install()
            } throws: { error in
                guard case SnapshotError.transferIncomplete(_, 1000, exported.dataBytes) = error else { return false }
                return true
            }
        }
    }

    @Test func aFlippedDataByteFailsInstallAndInstallsNothing() async throws {
        try await withTemporaryDirectory { root in
            let (_, exported, _) = try leader(root)
            let followerDirectory = root + "/follower"
            let follower = try SnapshotStore(directory: followerDirectory)
            let incoming = try follower.incoming(index: 40, term: 3, manifest: exported.manifest, totalBytes: exported.dataBytes)
            var flippedAt: UInt64?
            while incoming.receivedBytes < exported.dataBytes {
                var chunk = try SnapshotStore.readChunk(of: exported, offset: incoming.receivedBytes, maxBytes: 300_007)
                if flippedAt == nil && incoming.receivedBytes > 1_000_000 {
                    chunk[17] ^= 0x01
                    flippedAt = incoming.receivedBytes + 17
                }
                try incoming.write(chunk, at: incoming.receivedBytes)
            }
            #expect(flippedAt != nil)
            #expect {
                try incoming.install()
            } throws: { error in
                guard case SnapshotError.checksumMismatch(let file, let manifestCRC, _) = error else { return false }
                return file.hasSuffix(".part") && manifestCRC == exported.info.crc32c
            }
            #expect(try incomingFiles(followerDirectory).isEmpty)
            #expect(try fileNames(in: followerDirectory, prefix: "snap-").isEmpty)
            #expect(try follower.loadLatest().snapshot == nil)
            #expect(throws: SnapshotError.self) { try incoming.install() }
        }
    }

    @Test func aManifestThatDoesNotMatchItsDataFailsInstall() async throws {
        try await withTemporaryDirectory { root in
            let (_, exported, _) = try leader(root, contentBytes: 1 << 20)
            let followerDirectory = root + "/follower"
            let follower = try SnapshotStore(directory: followerDirectory)
            // Still valid JSON naming the right index, term and size, but another CRC.
            var json = try #require(try JSONSerialization.jsonObject(with: Data(exported.manifest)) as? [String: Any])
            json["crc32c"] = Int(exported.info.crc32c ^ 0x0000_0100)
            let damaged = [UInt8](try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
            let incoming = try follower.incoming(index: 40, term: 3, manifest: damaged, totalBytes: exported.dataBytes)
            try copy(exported, into: incoming, chunkSizes: [65_536])
            #expect {
                try incoming.install()
            } throws: { error in
                guard case SnapshotError.checksumMismatch = error else { return false }
                return "\(error)".contains("0x\(String(exported.info.crc32c ^ 0x100, radix: 16))")
            }
            #expect(try incomingFiles(followerDirectory).isEmpty)
            #expect(try fileNames(in: followerDirectory, prefix: "snap-").isEmpty)
        }
    }

    @Test func aDamagedOrMismatchedManifestIsRefusedBeforeAnyByte() async throws {
        try await withTemporaryDirectory { root in
            let (_, exported, _) = try leader(root, contentBytes: 1 << 20)
            let followerDirectory = root + "/follower"
            let follower = try SnapshotStore(directory: followerDirectory)
            var flipped = exported.manifest
            flipped[flipped.count / 2] ^= 0xFF
            #expect {
                try follower.incoming(index: 40, term: 3, manifest: flipped, totalBytes: exported.dataBytes)
            } throws: { error in
                guard case SnapshotError.manifestUnreadable = error else { return false }
                return true
            }
            let mismatches: [(index: UInt64, term: UInt64, totalBytes: UInt64, says: String)] = [
                (41, 3, exported.dataBytes, "index"),
                (40, 4, exported.dataBytes, "term"),
                (40, 3, exported.dataBytes + 1, "bytes"),
            ]
            for mismatch in mismatches {
                #expect {
                    try follower.incoming(
                        index: mismatch.index, term: mismatch.term, manifest: exported.manifest, totalBytes: mismatch.totalBytes)
                } throws: { error in
                    guard case SnapshotError.manifestInvalid = error else { return false }
                    return "\(error)".contains(mismatch.says)
                }
            }
            #expect(try incomingFiles(followerDirectory).isEmpty)
            #expect(try fileNames(in: followerDirectory, prefix: "snap-").isEmpty)
        }
    }

    @Test func installingOverAnExistingSnapshotAtTheSameIndexReplacesIt() async throws {
        try await withTemporaryDirectory { root in
            let (_, exported, content) = try leader(root, contentBytes: 1 << 20)
            let follower = try SnapshotStore(directory: root + "/follower")
            _ = try follower.write(shard: 2, index: 40, term: 3, content: ByteBuffer(bytes: [1, 2, 3]))
            let incoming = try follower.incoming(index: 40, term: 3, manifest: exported.manifest, totalBytes: exported.dataBytes)
            try copy(exported, into: incoming, chunkSizes: [300_000])
            _ = try incoming.install()
            let loaded = try SnapshotStore(directory: root + "/follower").loadLatest()
            #expect(loaded.rejected.isEmpty)
            #expect(Array(try #require(loaded.snapshot).content.readableBytesView) == content)
        }
    }

    @Test func exportSkipsADamagedNewerSnapshot() async throws {
        try await withTemporaryDirectory { root in
            let store = try SnapshotStore(directory: root + "/leader")
            _ = try store.write(shard: 1, index: 10, term: 1, content: ByteBuffer(bytes: Self.content(bytes: 100_000)))
            let newer = try store.write(shard: 1, index: 20, term: 1, content: ByteBuffer(bytes: Self.content(bytes: 100_000, seed: 7)))
            try flipByte(newer.path, at: newer.compressedBytes / 2)
            let fresh = try SnapshotStore(directory: root + "/leader")
            #expect(try fresh.exportLatest()?.info.index == 10)
            #expect(throws: SnapshotError.self) { try fresh.export(index: 20) }
            #expect(try SnapshotStore(directory: root + "/empty").exportLatest() == nil)
        }
    }
}
