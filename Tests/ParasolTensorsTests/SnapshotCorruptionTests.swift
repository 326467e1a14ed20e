import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// Damaged snapshots are refused with a typed error that names the field, and never crash.
@Suite struct SnapshotCorruptionTests {
    private func decodeError(_ bytes: [UInt8]) -> SnapshotDecodeError? {
        var buffer = ByteBuffer(bytes: bytes)
        do {
            _ = try ShardState.decodeSnapshot(&buffer)
            return nil
        } catch {
            #expect(buffer.readableBytes == bytes.count, "a failed decode must leave the buffer untouched")
            return error
        }
    }

    private func patched(_ bytes: [UInt8], at offset: Int, _ replacement: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy.replaceSubrange(offset..<(offset + replacement.count), with: replacement)
        return copy
    }

    private func expectInvalidValue(
        _ bytes: [UInt8], field: String, reasonMentions fragment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .invalidValue(let actualField, let reason) = decodeError(bytes) else {
            Issue.record("expected invalidValue(\(field)), got \(String(describing: decodeError(bytes)))", sourceLocation: sourceLocation)
            return
        }
        #expect(actualField == field, sourceLocation: sourceLocation)
        #expect(reason.contains(fragment), "\(reason)", sourceLocation: sourceLocation)
    }

    // Offsets into SnapshotLayoutTests.exampleBytes (see the comments there).
    static let example = SnapshotLayoutTests.exampleBytes

    @Test func headerDamage() {
        #expect(decodeError(patched(Self.example, at: 0, [0x58])) == .badMagic(found: Array("XSNP".utf8)))
        #expect(decodeError(patched(Self.example, at: 4, [0x05, 0x00])) == .unsupportedFormatVersion(found: 5, supported: 4))
        #expect(decodeError(patched(Self.example, at: 6, [0x0F, 0x80])) == .unknownFlags(0x8008))
        // Blocks (bit 1) exist from version 3 on, and only with the shuffle (bit 0); bit planes
        // (bit 2) from version 4 on, and only with blocks.
        #expect(decodeError(patched(Self.example, at: 4, [0x02, 0x00])) == .unknownFlags(0x0006))
        #expect(decodeError(patched(Self.example, at: 4, [0x03, 0x00])) == .unknownFlags(0x0004))
        #expect(decodeError(patched(Self.example, at: 6, [0x02, 0x00])) == .unknownFlags(0x0002))
        #expect(decodeError(patched(Self.example, at: 6, [0x05, 0x00])) == .unknownFlags(0x0004))
        #expect(decodeError([]) == .truncated(field: "header magic", neededBytes: 4, remainingBytes: 0))
        #expect(decodeError(Self.example + [0]) == .trailingBytes(count: 1))
    }

    @Test func clientTableDamage() {
        #expect(decodeError(patched(Self.example, at: 20, [0xFF, 0xFF, 0xFF, 0xFF]))
            == .overLimit(field: "client count", count: 0xFFFF_FFFF, limit: UInt64(ShardLimits.clientsMax)))
        #expect(decodeError(patched(Self.example, at: 48, [0x01, 0x00, 0x01, 0x00]))
            == .overLimit(field: "client 9 sequence count", count: 65537, limit: UInt64(ShardLimits.clientWindowMax)))
        expectInvalidValue(patched(Self.example, at: 52, [0x01]), field: "client 9 sequences", reasonMentions: "below the floor 2")
        expectInvalidValue(patched(Self.example, at: 40, [0x03]), field: "client 9 last active index", reasonMentions: "beyond the applied index 2")
    }

    @Test func tensorDamage() {
        #expect(decodeError(patched(Self.example, at: 60, [0x01, 0x00, 0x01, 0x00]))
            == .overLimit(field: "tensor count", count: 65537, limit: UInt64(ShardLimits.tensorsMax)))
        #expect(decodeError(patched(Self.example, at: 64, [0xD0, 0x07]))
            == .overLimit(field: "tensor 0 name length", count: 2000, limit: UInt64(ShardLimits.tensorNameBytesMax)))
        #expect(decodeError(patched(Self.example, at: 66, [0xFF])) == .invalidUTF8(field: "tensor 0 name"))
        #expect(decodeError(patched(Self.example, at: 67, [0x07])) == .unknownTag(field: "tensor 'w' kind", value: 7))
        #expect(decodeError(patched(Self.example, at: 68, [0x09]))
            == .overLimit(field: "tensor 'w' rank", count: 9, limit: UInt64(ShardLimits.rankMax)))
        #expect(decodeError(patched(Self.example, at: 77, [0x09])) == .unknownTag(field: "tensor 'w' initializer", value: 9))
        #expect(decodeError(patched(Self.example, at: 82, [0x09])) == .unknownTag(field: "tensor 'w' optimizer", value: 9))
        guard case .invalidTensorDefinition(let name, let reason) = decodeError(patched(Self.example, at: 83, [0x00, 0x00, 0xC0, 0x7F])) else {
            Issue.record("a NaN learning rate must be an invalid definition")
            return
        }
        #expect(name == "w" && reason.contains("learning rate"))
        expectInvalidValue(patched(Self.example, at: 69, [0x03]), field: "tensor 'w' element count", reasonMentions: "shape [3]")
        #expect(decodeError(patched(Self.example, at: 95, [0x03]))
            == .invalidValue(field: "tensor 'w' element count", reason: "3 elements recorded, but shape [2] has 2"))
    }

    /// Shard 1; sparse "e" of shape [10, 1], zeros, Nesterov momentum; rows 7 and 2 pushed.
    /// Layout offsets: nesterov flag 95, row ids 112 and 120 (ascending: 2, 7), 144 bytes in all.
    static func sparseExample() -> [UInt8] {
        let state = ShardState(shardID: 1)
        state.applyNext(Commands.create("e", .sparse, shape: [10, 1], optimizer: .momentum(learningRate: 1, momentum: 0.5, nesterov: true)))
        state.applyNext(Commands.pushSparse("e", rows: [7, 2], [1, 1], sequence: 1))
        return state.snapshotBytes()
    }

    @Test func sparseTableDamage() {
        let bytes = Self.sparseExample()
        #expect(bytes.count == 144)
        #expect(Array(bytes[112..<128]) == [2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0])
        expectInvalidValue(patched(bytes, at: 95, [0x02]), field: "tensor 'e' optimizer nesterov", reasonMentions: "neither 0 nor 1")
        expectInvalidValue(patched(bytes, at: 120, [0x01]), field: "sparse table 'e' row ids", reasonMentions: "ascend strictly")
        expectInvalidValue(patched(bytes, at: 120, [0x0A]), field: "sparse table 'e' row ids", reasonMentions: "not below the row count 10")
        #expect(decodeError(patched(bytes, at: 104, [0, 0, 0, 0, 0, 1]))
            == .overLimit(field: "sparse table 'e' materialized row count", count: 1 << 40, limit: UInt64(ShardLimits.tensorElementsMax)))
    }

    /// Every proper prefix of a valid snapshot is reported as truncated, never as anything else.
    @Test func everyTruncationIsReportedAsTruncated() {
        let bytes = SnapshotRoundTripTests.richState().snapshotBytes()
        let cuts = Array(0..<200) + stride(from: 200, to: bytes.count, by: 97).map { $0 } + [bytes.count - 1]
        for cut in cuts {
            guard case .truncated = decodeError(Array(bytes[0..<cut])) else {
                Issue.record("prefix of \(cut) of \(bytes.count) bytes: \(String(describing: decodeError(Array(bytes[0..<cut]))))")
                continue
            }
        }
    }

    private static func caseName(_ error: SnapshotDecodeError) -> String {
        switch error {
        case .badMagic: "badMagic"
        case .unsupportedFormatVersion: "unsupportedFormatVersion"
        case .unknownFlags: "unknownFlags"
        case .truncated: "truncated"
        case .overLimit: "overLimit"
        case .unknownTag: "unknownTag"
        case .invalidUTF8: "invalidUTF8"
        case .invalidTensorDefinition: "invalidTensorDefinition"
        case .invalidValue: "invalidValue"
        case .trailingBytes: "trailingBytes"
        }
    }

    /// Seeded random damage: bit flips, overwritten words, cuts, insertions and deletions. The
    /// decoder must throw or, when it accepts the bytes, they must be canonical: re-encoding the
    /// decoded state gives them back exactly.
    @Test func seededMutationsNeverCrashAndAcceptOnlyCanonicalBytes() throws {
        let seed: UInt64 = 0x5EED_0F_F022
        var random = TestRandom(seed: seed)
        let original = SnapshotRoundTripTests.richState().snapshotBytes()
        var accepted = 0
        var refusedKinds: Set<String> = []
        for round in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 1: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 2:
                    let end = min(bytes.count, position + 4)
                    bytes.replaceSubrange(position..<end, with: repeatElement(UInt8(0xFF), count: end - position))
                case 3: bytes.removeSubrange(position...)
                case 4: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                default: bytes.remove(at: position)
                }
                if bytes.isEmpty { break }
            }
            var buffer = ByteBuffer(bytes: bytes)
            do {
                let state = try ShardState.decodeSnapshot(&buffer)
                accepted += 1
                let shuffled = bytes[6] & 1 == 1
                #expect(state.snapshotBytes(shuffleFloats: shuffled) == bytes, "seed \(seed) round \(round): accepted bytes are not canonical")
            } catch {
                refusedKinds.insert(Self.caseName(error))
            }
        }
        #expect(accepted > 0 && accepted < 400, "seed \(seed): \(accepted) of 400 mutations accepted")
        #expect(refusedKinds.count > 3, "seed \(seed): refusals should cover several kinds, got \(refusedKinds)")
    }
}
