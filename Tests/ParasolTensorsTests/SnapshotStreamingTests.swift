import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// A snapshot image streamed in pieces of any size gives exactly the bytes of the whole
/// layout, and it keeps the values of the moment it was captured while pushes go on.
@Suite struct SnapshotStreamingTests {
    /// Piece sizes that split every field, float, plane and sparse row at every possible place.
    static let chunkSizes = [1, 2, 3, 5, 7, 64, 1_000, 4_093]

    @Test(arguments: chunkSizes) func streamedPiecesConcatenateToTheLayout(chunkBytes: Int) throws {
        let state = SnapshotRoundTripTests.richState()
        for shuffle in [true, false] {
            let whole = state.snapshotBytes(shuffleFloats: shuffle)
            let image = state.snapshotImage(shuffleFloats: shuffle)
            var streamed: [UInt8] = []
            var pieces = 0
            try image.stream(chunkBytes: chunkBytes) { piece in
                // Every piece but the last is exactly `chunkBytes` (full LZ4 blocks).
                #expect(streamed.count % chunkBytes == 0)
                streamed.append(contentsOf: piece)
                pieces += 1
            }
            #expect(image.byteCount == whole.count)
            #expect(streamed == whole, "chunk \(chunkBytes), shuffle \(shuffle): streamed bytes differ from the layout")
            #expect(pieces == (whole.count + chunkBytes - 1) / chunkBytes)
        }
    }

    @Test func anImageKeepsTheValuesOfItsMoment() throws {
        let state = SnapshotRoundTripTests.richState()
        let before = state.snapshotBytes()
        let image = state.snapshotImage()
        var random = TestRandom(seed: 12)
        print("SnapshotStreamingTests seed 12")
        state.applyNext(Commands.pushDense("dense/3", random.floats(111), client: 9, sequence: 1))
        state.applyNext(Commands.pushSparse("sparse/3", rows: [1, 499, 7], random.floats(15), client: 9, sequence: 2))
        state.applyNext(Commands.create("late", shape: [4]))
        #expect(state.snapshotBytes() != before)
        var streamed: [UInt8] = []
        try image.stream(chunkBytes: 4_096) { streamed.append(contentsOf: $0) }
        #expect(streamed == before)
    }
}
