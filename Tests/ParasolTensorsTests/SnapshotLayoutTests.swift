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
        0x03, 0x00,  // format version 3
        0x03, 0x00,  // flags: floats byte-shuffled, in blocks of 2^20 floats (this array is one block)
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
        for (index, check) in [0, 1, block - 1].map({ ($0, weights[$0]) }) {
            for plane in 0..<4 { #expect(stored[plane * block + index] == byte(plane, of: check)) }
        }
        for index in 0..<5 {
            for plane in 0..<4 { #expect(stored[4 * block + plane * 5 + index] == byte(plane, of: weights[block + index])) }
        }
        var buffer = ByteBuffer(bytes: bytes)
        #expect(try ShardState.decodeSnapshot(&buffer).denseValues("big") == weights)

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
