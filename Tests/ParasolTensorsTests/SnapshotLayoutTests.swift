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
        0x02, 0x00,  // format version 2
        0x01, 0x00,  // flags: floats byte-shuffled
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
