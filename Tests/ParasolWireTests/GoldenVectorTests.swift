import Foundation
import NIOCore
import ParasolWire
import Testing

/// The committed files in Protocols/vectors are the truth. Set PARASOL_WRITE_VECTORS=1 to
/// rewrite them (and their README) from the frames in `GoldenVector.all`, then review the diff.
@Suite struct GoldenVectorTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ParasolWireTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("Protocols")
        .appendingPathComponent("vectors")
    static let rewriting = ProcessInfo.processInfo.environment["PARASOL_WRITE_VECTORS"] == "1"
    static let rewriteHint = "if the change is deliberate, rerun with PARASOL_WRITE_VECTORS=1 and review the diff"

    @Test func vectorsCoverEveryMessageTypeWithDistinctFiles() {
        #expect(GoldenVector.all.count >= 10)
        #expect(Set(GoldenVector.all.map(\.file)).count == GoldenVector.all.count)
        #expect(Set(GoldenVector.all.map(\.frame.message.type.rawValue)) == Set(MessageType.allCases.map(\.rawValue)))
    }

    @Test(arguments: GoldenVector.all)
    func codecProducesAndAcceptsTheCommittedBytes(_ vector: GoldenVector) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(vector.frame, into: &buffer)
        let encoded = Array(buffer.readableBytesView)
        #expect(encoded == ReferenceLayout.encode(vector.frame).bytes, "codec and reference layout disagree on \(vector.file)")

        let url = Self.directory.appendingPathComponent(vector.file)
        if Self.rewriting {
            try Data(encoded).write(to: url)
        }
        let committed = try [UInt8](Data(contentsOf: url))
        #expect(committed == encoded, "\(vector.file) no longer matches the encoder; \(Self.rewriteHint)")

        var file = ByteBufferAllocator().buffer(capacity: committed.count)
        file.writeBytes(committed)
        #expect(try FrameCodec.decode(&file, frameBytesMax: 1 << 20) == vector.frame)
        #expect(file.readableBytes == 0)
        #expect(DecoderDriver.oneByteAtATime(committed) == .decoded([vector.frame], bufferedBytes: 0))
    }

    @Test func readmeDescribesEveryVectorFieldByField() throws {
        let url = Self.directory.appendingPathComponent("README.md")
        let rendered = VectorsReadme.render(GoldenVector.all)
        if Self.rewriting {
            try rendered.write(to: url, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(committed == rendered, "Protocols/vectors/README.md is stale; \(Self.rewriteHint)")
    }

    @Test(.disabled(if: rewriting, "the README is being rewritten next door, through a temporary file"))
    func folderHoldsNothingButTheVectorsAndTheirReadme() throws {
        // Missing files fail the tests above; this one catches leftovers of renamed vectors.
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.directory.path))
        #expect(present.subtracting(GoldenVector.all.map(\.file) + ["README.md"]).isEmpty)
    }

    @Test func allVectorsStreamedBackToBackDecodeInOrder() {
        let stream = GoldenVector.all.flatMap { ReferenceLayout.encode($0.frame).bytes }
        let expected = DecoderDriver.Outcome.decoded(GoldenVector.all.map(\.frame), bufferedBytes: 0)
        #expect(DecoderDriver.allAtOnce(stream) == expected)
        #expect(DecoderDriver.oneByteAtATime(stream) == expected)
        let seed: UInt64 = 0x5EED_0002
        print("allVectorsStreamedBackToBackDecodeInOrder seed: \(seed)")
        var random = SeededRandom(seed: seed)
        for _ in 0..<20 {
            #expect(DecoderDriver.randomChunks(stream, using: &random) == expected, "seed \(seed)")
        }
    }
}
