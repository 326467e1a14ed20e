import NIOCore
import ParasolTensors
import ParasolWire
import Testing

@Suite struct DenseTensorTests {
    let allocator = ByteBufferAllocator()

    @Test func createPushPullAndVersionGrowth() {
        let state = ShardState(shardID: 2)
        #expect(state.applyNext(Commands.create("w", shape: [2, 3], initializer: .constant(1))) == .tensorCreated(TensorCreated(version: 0, created: true)))
        #expect(state.denseValues("w") == [1, 1, 1, 1, 1, 1])
        expectAck(state.applyNext(Commands.pushDense("w", [1, 2, 3, 4, 5, 6], sequence: 1)), version: 1)
        #expect(state.denseValues("w") == [0.5, 0, -0.5, -1, -1.5, -2])
        expectAck(state.applyNext(Commands.pushDense("w", [2, 2], offset: 4, sequence: 2)), version: 2)
        #expect(state.denseValues("w") == [0.5, 0, -0.5, -1, -2.5, -3])
        #expect(state.describe("w") == .tensorInfo(TensorInfo(
            name: "w", kind: .dense, shape: [2, 3], version: 2, optimizer: .sgd(learningRate: 0.5))))
        #expect(state.appliedIndex == 3)
    }

    @Test func pullRangesAndToTheEnd() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("w", shape: [10], initializer: .constant(0)))
        state.applyNext(Commands.pushDense("w", (0..<10).map { -2 * Float($0) }, sequence: 1))
        let middle = state.pullDense(PullDense(name: "w", offset: 3, count: 4, minVersion: 1), allocator: allocator)
        guard case .denseData(let data) = middle else {
            Issue.record("expected dense data, got \(middle)")
            return
        }
        #expect(data.version == 1 && data.offset == 3)
        #expect(FloatBuffers.floats(data.values) == [3, 4, 5, 6])
        let tail = state.pullDense(PullDense(name: "w", offset: 7, count: 0, minVersion: 0), allocator: allocator)
        guard case .denseData(let tailData) = tail else {
            Issue.record("expected dense data, got \(tail)")
            return
        }
        #expect(FloatBuffers.floats(tailData.values) == [7, 8, 9])
        let empty = state.pullDense(PullDense(name: "w", offset: 10, count: 0, minVersion: 0), allocator: allocator)
        #expect(empty == .denseData(DenseData(version: 1, offset: 10, values: allocator.buffer(capacity: 0))))
    }

    @Test func minVersionIsHonoured() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("w", shape: [1]))
        state.applyNext(Commands.pushDense("w", [1], sequence: 1))
        let ok = state.pullDense(PullDense(name: "w", offset: 0, count: 0, minVersion: 1), allocator: allocator)
        guard case .denseData = ok else {
            Issue.record("expected data at version 1, got \(ok)")
            return
        }
        expectError(
            state.pullDense(PullDense(name: "w", offset: 0, count: 0, minVersion: 5), allocator: allocator), .unavailable,
            mentioning: ["'w'", "version 1", "version 5"])
    }

    @Test func ifNotExistsWithTheSameDefinitionSucceeds() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("w", shape: [4], ifNotExists: true))
        state.applyNext(Commands.pushDense("w", [1, 1, 1, 1], sequence: 1))
        #expect(state.applyNext(Commands.create("w", shape: [4], ifNotExists: true)) == .tensorCreated(TensorCreated(version: 1, created: false)))
        #expect(state.denseValues("w") == [-0.5, -0.5, -0.5, -0.5])
    }

    /// Protocols/wire.md: an empty dense shape is a scalar of one element.
    @Test func anEmptyShapeIsAScalar() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("s", shape: [], initializer: .constant(3)))
        expectAck(state.applyNext(Commands.pushDense("s", [2], sequence: 1)), version: 1)
        #expect(state.denseValues("s") == [2])
        expectError(state.applyNext(Commands.pushDense("s", [1, 1], sequence: 2)), .shapeMismatch, mentioning: ["1 elements"])
    }

    @Test func summaryCountsWeightsAndSlots() {
        let state = ShardState(shardID: 9)
        state.applyNext(Commands.create("sgd", shape: [10]))
        state.applyNext(Commands.create("adam", shape: [5], optimizer: .adam(learningRate: 0.1, beta1: 0.9, beta2: 0.99, epsilon: 1e-8)))
        state.applyNext(Commands.create("e", .sparse, shape: [100, 4], optimizer: .adagrad(learningRate: 0.1, initialAccumulator: 0, epsilon: 1e-7)))
        state.applyNext(Commands.pushSparse("e", rows: [1, 2, 1], Array(repeating: 1, count: 12), sequence: 1))
        let summary = state.summary
        #expect(summary.shardID == 9 && summary.appliedIndex == 4)
        #expect(summary.tensorCount == 3)
        #expect(summary.materializedRowCount == 2)
        #expect(summary.weightBytes == (10 + 5 + 8) * 4)
        #expect(summary.optimizerSlotBytes == 5 * 2 * 4 + 8 + 8 * 4)
        #expect(summary.clientCount == 1)
        #expect(summary.totalBytes == summary.weightBytes + summary.optimizerSlotBytes)
        #expect(state.tensorNames == ["adam", "e", "sgd"])
    }
}
