import NIOCore
@testable import ParasolTensors
import ParasolWire
import Testing

/// Pins the byte layout documented in Protocols/snapshot.md ("Worked example"): if this test
/// changes, the document (and the format version) must change with it.
@Suite struct SnapshotLayoutTests {
    /// Shard 7; client 9 pushed sequence 3 promising nothing below 2; dense "w" of shape [2],
    /// constant 1, SGD 0.5, pushed [-1, 0.5] → weights [1.5, 0.75].
    static func exampleState() -> ShardState {
        let state = ShardState(shardID: 7)
        state.apply(Commands.create("w", shape: [2], initializer: .constant(1), optimizer: .sgd(learningRate: 0.5)), index: 1)
        state.apply(Commands.pushDense("w", [-1, 0.5], client: 9, sequence: 3, acknowledgedBelow: 2), index: 2)
        return state
    }

    static let exampleBytes: [UInt8] = [
        0x50, 0x53, 0x4E, 0x50,  // magic "PSNP"
        0x04, 0x00,  // format version 4
        0x07, 0x00,  // flags: floats byte-shuffled, in blocks of 2^20 floats (this array is one block),
                     // byte 3 as bit planes (of fewer than 8 floats: stored as is)
        0x07, 0x00, 0x00, 0x00,  // shard id 7
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // applied index 2
        0x01, 0x00, 0x00, 0x00,  // client count 1
        0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // client id 9
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // acknowledgedBelow 2
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // last active index 2 (its push was entry 2)
        0x01, 0x00, 0x00, 0x00,  // sequence count 1
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // sequence 3
        0x01, 0x00, 0x00, 0x00,  // tensor count 1
        0x01, 0x00, 0x77,  // name length 1, "w"
        0x00,  // kind dense
        0x01,  // rank 1
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // shape [2]
        0x01, 0x00, 0x00, 0x80, 0x3F,  // initializer constant 1.0
        0x00, 0x00, 0x00, 0x00, 0x3F,  // optimizer sgd, learning rate 0.5
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // version 1
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // element count 2
        0x00, 0x00, 0x00, 0x00, 0xC0, 0x40, 0x3F, 0x3F,  // weights [1.5, 0.75] shuffled: byte 0s, 1s, 2s, 3s
    ]

    @Test func theWorkedExampleEncodesExactlyAsDocumented() {
        #expect(Self.exampleState().snapshotBytes() == Self.exampleBytes)
    }

    @Test func aSnapshotShuffledOverWholeArraysStillReads() throws {
        // Version 2, bit 0 alone: what snapshots said before blocks. One block or the whole
        // array is the same layout for an array this small; only version and flag differ.
        var older = ByteBuffer(bytes: Self.exampleBytes)
        older.setInteger(UInt16(2), at: 4, endianness: .little)
        older.setInteger(SnapshotFormat.floatsByteShuffledFlag, at: 6, endianness: .little)
        let state = try ShardState.decodeSnapshot(&older)
        #expect(state.snapshotBytes() == Self.exampleBytes)
        // Version 3, bits 0 and 1: blocks without bit planes.
        var version3 = ByteBuffer(bytes: Self.exampleBytes)
        version3.setInteger(UInt16(3), at: 4, endianness: .little)
        version3.setInteger(SnapshotFormat.floatsByteShuffledFlag | SnapshotFormat.floatsShuffledInBlocksFlag, at: 6, endianness: .little)
        #expect(try ShardState.decodeSnapshot(&version3).snapshotBytes() == Self.exampleBytes)
    }

    /// An array longer than one block: each block's four planes are stored together, block
    /// after block, and whole-array planes (the older layout) of the same floats decode too.
    @Test func floatsLongerThanABlockAreShuffledBlockByBlock() throws {
        let block = SnapshotFormat.shuffleBlockFloats
        let count = block + 5
        let values = (0..<count).map { Float(($0 &* 2_654_435_761) % 20_011) / 1_000 - 10 }
        let state = ShardState(shardID: 1)
        state.apply(Commands.create("big", shape: [UInt64(count)], initializer: .zeros, optimizer: .sgd(learningRate: 1)), index: 1)
        state.apply(Commands.pushDense("big", values.map { -$0 }, client: 1, sequence: 1, acknowledgedBelow: 1), index: 2)
        let weights = state.denseValues("big")
        #expect(weights.count == count)
        let bytes = state.snapshotBytes()
        // The weights are the last 4·count bytes: block 0's planes, then block 1's.
        let stored = Array(bytes.suffix(4 * count))
        func byte(_ plane: Int, of value: Float) -> UInt8 { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt32(plane))) }
        for (index, check) in [0, 1, 9, block - 1].map({ ($0, weights[$0]) }) {
            for plane in 0..<3 { #expect(stored[plane * block + index] == byte(plane, of: check)) }
            // Byte 3 as bit planes: bit k of float i's byte 3 is bit i % 8 of byte i / 8 of plane k.
            for bit in 0..<8 {
                let packed = stored[3 * block + bit * (block / 8) + index / 8]
                #expect((packed >> (index % 8)) & 1 == (byte(3, of: check) >> bit) & 1)
            }
        }
        // The last block holds 5 floats: too few for a group of 8, so byte 3 is stored as is.
        for index in 0..<5 {
            for plane in 0..<4 { #expect(stored[4 * block + plane * 5 + index] == byte(plane, of: weights[block + index])) }
        }
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try ShardState.decodeSnapshot(&buffer).denseValues("big") == weights)

        // Version 3: the same blocks with byte 3 as plain bytes.
        var version3 = bytes
        let blockPlanes = { (range: Range<Int>) in (0..<4).flatMap { plane in weights[range].map { byte(plane, of: $0) } } }
        version3.replaceSubrange((version3.count - 4 * count)..., with: blockPlanes(0..<block) + blockPlanes(block..<count))
        version3[4] = 3
        version3[6] = UInt8(SnapshotFormat.floatsByteShuffledFlag | SnapshotFormat.floatsShuffledInBlocksFlag)
        var version3Buffer = ByteBuffer(bytes: version3)
        #expect(try ShardState.decodeSnapshot(&version3Buffer).denseValues("big") == weights)

        // The same weights as whole-array planes, flag bit 1 cleared.
        var older = bytes
        older.replaceSubrange((older.count - 4 * count)..., with: (0..<4).flatMap { plane in weights.map { byte(plane, of: $0) } })
        older[4] = 2
        older[6] = UInt8(SnapshotFormat.floatsByteShuffledFlag)
        var olderBuffer = ByteBuffer(bytes: older)
        #expect(try ShardState.decodeSnapshot(&olderBuffer).denseValues("big") == weights)
    }

    @Test func plainFloatsAreLittleEndianInOrder() {
        var plain = Self.exampleBytes
        plain[6] = 0x00  // flags: not shuffled
        plain.replaceSubrange((plain.count - 8)..., with: [0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x40, 0x3F])
        #expect(Self.exampleState().snapshotBytes(shuffleFloats: false) == plain)
    }

    /// The bit transpose against a bit-by-bit reference, and its inverse.
    @Test(arguments: [0, 1, 7, 8, 9, 64, 1000, 4099])
    func bitPlanesMatchTheReferenceAndInvert(count: Int) {
        var random = TestRandom(seed: UInt64(count) &+ 77)
        let input = random.floats((count + 3) / 4).flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
        let bytes = Array(input.prefix(count))
        let groups = count / 8
        var reference = [UInt8](repeating: 0, count: count)
        for index in 0..<(groups * 8) {
            for bit in 0..<8 where (bytes[index] >> bit) & 1 == 1 {
                reference[bit * groups + index / 8] |= 1 << (index % 8)
            }
        }
        for index in (groups * 8)..<count { reference[index] = bytes[index] }
        var planes = [UInt8](repeating: 0, count: count)
        var back = [UInt8](repeating: 0, count: count)
        if count > 0 {
            bytes.withUnsafeBytes { source in
                planes.withUnsafeMutableBytes { BitTranspose.transpose(source.baseAddress!, count: count, into: $0.baseAddress!) }
            }
            planes.withUnsafeBytes { source in
                back.withUnsafeMutableBytes { BitTranspose.untranspose(source.baseAddress!, count: count, into: $0.baseAddress!) }
            }
        }
        #expect(planes == reference)
        #expect(back == bytes)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 33, 1000, 4099])
    func shuffleAndUnshuffleAreInverse(count: Int) {
        var random = TestRandom(seed: UInt64(count))
        let values = random.floats(count)
        let shuffled = [UInt8](unsafeUninitializedCapacity: count * 4) { planes, initialized in
            values.withUnsafeBytes { source in
                if count > 0 {
                    ByteShuffle.shuffle(source.baseAddress!, count: count, into: planes.baseAddress!, planeBytes: count, position: 0)
                }
            }
            initialized = count * 4
        }
        for index in 0..<count {
            let bits = values[index].bitPattern
            for byte in 0..<4 {
                #expect(shuffled[byte * count + index] == UInt8(truncatingIfNeeded: bits >> (8 * UInt32(byte))))
            }
        }
        let restored = [Float](unsafeUninitializedCapacity: count) { target, initialized in
            shuffled.withUnsafeBytes { planes in
                if count > 0 {
                    ByteShuffle.unshuffle(planes.baseAddress!, planeBytes: count, position: 0, count: count, into: target.baseAddress!)
                }
            }
            initialized = count
        }
        #expect(restored.map(\.bitPattern) == values.map(\.bitPattern))
    }
}
