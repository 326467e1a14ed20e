import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// encode → decode → encode gives the same bytes, and a restored state behaves exactly like
/// the original, duplicate table included.
@Suite struct SnapshotRoundTripTests {
    /// Every optimizer and initializer, dense and sparse, chunked pushes, several clients with
    /// gaps in their windows and raised floors.
    static func richState() -> ShardState {
        let state = ShardState(shardID: 11)
        let optimizers: [OptimizerConfig] = [
            .sgd(learningRate: 0.1), .momentum(learningRate: 0.1, momentum: 0.9, nesterov: false),
            .momentum(learningRate: 0.1, momentum: 0.8, nesterov: true),
            .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
            .adagrad(learningRate: 0.1, initialAccumulator: 0.25, epsilon: 1e-7),
        ]
        let initializers: [Initializer] = [
            .zeros, .constant(-0.0), .uniform(low: -2, high: 3, seed: 8), .normal(mean: 1, stddev: 2, seed: 9), .constant(4),
        ]
        var random = TestRandom(seed: 11)
        var sequence: UInt64 = 0
        for (index, optimizer) in optimizers.enumerated() {
            let dense = "dense/\(index)"
            let sparse = "sparse/\(index)"
            state.applyNext(Commands.create(dense, shape: [3, 37], initializer: initializers[index], optimizer: optimizer))
            state.applyNext(Commands.create(sparse, .sparse, shape: [500, 5], initializer: initializers[4 - index], optimizer: optimizer))
            for _ in 0..<3 {
                sequence += 2
                state.applyNext(Commands.pushDense(dense, random.floats(111), client: 1, sequence: sequence, acknowledgedBelow: sequence / 2))
                sequence += 2
                state.applyNext(Commands.pushDense(dense, random.floats(50), offset: 61, client: 2, sequence: sequence))
                let rows = (0..<4).map { _ in UInt64.random(in: 0..<500, using: &random) }
                state.applyNext(Commands.pushSparse(sparse, rows: rows, random.floats(20), client: 3, sequence: sequence))
            }
        }
        return state
    }

    private func decode(_ bytes: [UInt8]) throws -> ShardState {
        var buffer = ByteBuffer(bytes: bytes)
        let state = try ShardState.decodeSnapshot(&buffer)
        #expect(buffer.readableBytes == 0, "decode must consume the whole snapshot")
        return state
    }

    @Test func encodeDecodeEncodeIsIdentical() throws {
        let original = Self.richState()
        let bytes = original.snapshotBytes()
        let restored = try decode(bytes)
        #expect(restored.snapshotBytes() == bytes)
        #expect(restored.shardID == 11)
        #expect(restored.appliedIndex == original.appliedIndex)
        #expect(restored.tensorNames == original.tensorNames)
        #expect(restored.summary == original.summary)
        for name in original.tensorNames {
            #expect(restored.describe(name) == original.describe(name))
        }
        #expect(bytes.count > original.summary.totalBytes)
    }

    @Test func plainSnapshotsDecodeToTheSameState() throws {
        let original = Self.richState()
        let plain = original.snapshotBytes(shuffleFloats: false)
        #expect(plain != original.snapshotBytes())
        let restored = try decode(plain)
        #expect(restored.snapshotBytes() == original.snapshotBytes())
        #expect(restored.snapshotBytes(shuffleFloats: false) == plain)
    }

    /// After a restore, new pushes, retried pushes and reads give exactly what they give on the
    /// state that never went through a snapshot.
    @Test func aRestoredStateBehavesTheSame() throws {
        let original = Self.richState()
        let restored = try decode(original.snapshotBytes())
        var random = TestRandom(seed: 5)
        var followUp: [ShardCommand] = [
            Commands.pushDense("dense/3", random.floats(111), client: 1, sequence: 6),  // retry: duplicate
            Commands.pushDense("dense/3", random.floats(111), client: 1, sequence: 3),  // below floor: duplicate
            Commands.pushSparse("sparse/4", rows: [1, 2], random.floats(10), client: 3, sequence: 60),  // retry of the last push
            Commands.create("dense/0", shape: [3, 37], ifNotExists: true),
            Commands.create("late", .sparse, shape: [9, 2], initializer: .uniform(low: 0, high: 1, seed: 3)),
        ]
        for index in 0..<5 {
            followUp.append(Commands.pushDense("dense/\(index)", random.floats(111), client: 4, sequence: UInt64(index + 1)))
            followUp.append(Commands.pushSparse("sparse/\(index)", rows: [7, 499, 7], random.floats(15), client: 4, sequence: UInt64(index + 10)))
        }
        followUp.append(Commands.pushSparse("late", rows: [8], [1, 1], client: 1, sequence: 1000))
        var replies: [Message] = []
        for command in followUp {
            replies.append(original.applyNext(command))
            #expect(restored.applyNext(command) == replies.last!)
        }
        for reply in replies[0..<3] {
            guard case .pushAck(let ack) = reply, ack.duplicate else {
                Issue.record("a retried push should be a duplicate after the restore, got \(reply)")
                continue
            }
        }
        #expect(restored.snapshotBytes() == original.snapshotBytes())
        for name in original.tensorNames where name.hasPrefix("dense") {
            #expect(restored.denseValues(name) == original.denseValues(name))
        }
        #expect(restored.sparseValues("sparse/2", rows: [0, 7, 499]) == original.sparseValues("sparse/2", rows: [0, 7, 499]))
    }

    @Test func anEmptyStateRoundTrips() throws {
        let empty = ShardState(shardID: 0)
        let bytes = empty.snapshotBytes()
        #expect(bytes.count == 28)
        #expect(try decode(bytes).snapshotBytes() == bytes)
    }
}
