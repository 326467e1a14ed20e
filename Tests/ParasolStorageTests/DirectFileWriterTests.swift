import Foundation
import Glibc
import Testing

@testable import ParasolStorage

/// The direct-I/O writer must produce exactly the bytes appended, whatever the piece sizes and
/// however the total falls against the 4 KiB alignment and the 4 MiB chunks, on a disk file
/// system (O_DIRECT) and on tmpfs (page-cache fallback).
@Suite struct DirectFileWriterTests {
    static let chunk = DirectFileWriter.chunkBytesMax
    static let lengths = [0, 1, 4095, 4096, 4097, chunk - 1, chunk, chunk + 1, 2 * chunk + 7]

    @Test(arguments: lengths) func writesExactlyTheBytesAppended(length: Int) async throws {
        try await withTemporaryDirectory { directory in
            try roundTrip(length: length, path: directory + "/file")
        }
    }

    /// Snapshots write through a ring of small chunks: the ring wraps many times.
    @Test(arguments: [1, 4 * 8192 + 5, 100_003]) func aRingOfSmallChunksWritesExactlyTheBytesAppended(length: Int) async throws {
        try await withTemporaryDirectory { directory in
            try roundTrip(length: length, path: directory + "/file", chunkBytesMax: 8192, bufferCount: 4)
        }
    }

    @Test func worksWhereTheFileSystemHasNoDirectIO() throws {
        let shm = "/dev/shm"
        guard FileManager.default.fileExists(atPath: shm) else { return }
        let path = shm + "/parasol-direct-writer-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try roundTrip(length: Self.chunk + 12_345, path: path)
    }

    private func roundTrip(length: Int, path: String, chunkBytesMax: Int = DirectFileWriter.chunkBytesMax, bufferCount: Int = 2) throws {
        var generator = SeededGenerator(seed: UInt64(length) &+ 17)
        print("DirectFileWriterTests seed \(UInt64(length) &+ 17)")
        let content = generator.bytes(length)
        let fd = try FileIO.openForWriting(path, truncate: true)
        defer { FileIO.close(fd) }
        let writer = DirectFileWriter(fd: fd, path: path, chunkBytesMax: chunkBytesMax, bufferCount: bufferCount)
        // Pieces of uneven sizes, like an LZ4 frame's header, blocks and end mark.
        var offset = 0
        var pieceBytes = 7
        try content.withUnsafeBytes { bytes in
            while offset < length {
                let take = min(pieceBytes, length - offset)
                try writer.append(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + take]))
                offset += take
                pieceBytes = pieceBytes * 3 + 1_001
            }
        }
        #expect(try writer.finish() == length)
        let written = try #require(FileManager.default.contents(atPath: path))
        #expect(written.count == length)
        #expect(Array(written) == content)
    }
}
