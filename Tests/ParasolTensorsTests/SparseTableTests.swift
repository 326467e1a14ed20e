import NIOCore
import ParasolTensors
import ParasolWire
import Testing

@Suite struct SparseTableTests {
    @Test func pushAndPullRowsInRequestOrder() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("e", .sparse, shape: [1 << 40, 3], initializer: .constant(1), optimizer: .sgd(learningRate: 1)))
        expectAck(state.applyNext(Commands.pushSparse("e", rows: [7, 1 << 39], [1, 2, 3, 4, 5, 6], sequence: 1)), version: 1)
        #expect(state.sparseValues("e", rows: [1 << 39, 3, 7]) == [-3, -4, -5, 1, 1, 1, 0, -1, -2])
        let reply = state.pullSparse(PullSparse(name: "e", rowIDs: [7], minVersion: 0), allocator: ByteBufferAllocator())
        guard case .sparseData(let data) = reply else {
            Issue.record("expected sparse data, got \(reply)")
            return
        }
        #expect(data.version == 1 && data.rowDimension == 3)
    }

    @Test func aRowListedTwiceIsUpdatedTwiceInOrder() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("e", .sparse, shape: [10, 2], optimizer: .momentum(learningRate: 1, momentum: 0.5, nesterov: false)))
        state.applyNext(Commands.pushSparse("e", rows: [4, 4], [1, 1, 2, 2], sequence: 1))
        // v = 1, w = -1; then v = 0.5 + 2 = 2.5, w = -3.5
        #expect(state.sparseValues("e", rows: [4]) == [-3.5, -3.5])
    }

    /// Pulls are reads: pulling untouched rows materializes nothing, so replicas that served
    /// different pulls still hold identical state.
    @Test func pullsDoNotChangeTheState() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("e", .sparse, shape: [100, 8], initializer: .normal(mean: 0, stddev: 1, seed: 3)))
        state.applyNext(Commands.pushSparse("e", rows: [1], Array(repeating: 1, count: 8), sequence: 1))
        let before = state.snapshotBytes()
        _ = state.sparseValues("e", rows: Array(0..<100))
        #expect(state.snapshotBytes() == before)
        #expect(state.summary.materializedRowCount == 1)
    }

    @Test func versionsAreCountedPerTensor() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("a", .sparse, shape: [4, 1]))
        state.applyNext(Commands.create("b", shape: [1]))
        expectAck(state.applyNext(Commands.pushSparse("a", rows: [0], [1], sequence: 1)), version: 1)
        expectAck(state.applyNext(Commands.pushSparse("a", rows: [1], [1], sequence: 2)), version: 2)
        expectAck(state.applyNext(Commands.pushDense("b", [1], sequence: 3)), version: 1)
        expectError(
            state.pullSparse(PullSparse(name: "a", rowIDs: [0], minVersion: 3), allocator: ByteBufferAllocator()), .unavailable,
            mentioning: ["'a'", "version 2", "version 3"])
    }
}
