import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// Every refusal carries the right code and a message naming what is wrong, and a refused
/// command advances `appliedIndex` but changes nothing else.
@Suite struct ErrorCaseTests {
    /// Header bytes of the applied index inside a snapshot (after magic, version, flags, shard).
    static let appliedIndexBytes = 12..<20

    /// A state with one tensor of each kind and one recorded push, to refuse commands against.
    private func populated() -> ShardState {
        let state = ShardState(shardID: 4)
        state.applyNext(Commands.create("w", shape: [2, 2], initializer: .uniform(low: 0, high: 1, seed: 1)))
        state.applyNext(Commands.create("e", .sparse, shape: [10, 3], optimizer: .adam(learningRate: 0.1, beta1: 0.9, beta2: 0.99, epsilon: 1e-8)))
        state.applyNext(Commands.pushDense("w", [1, 2, 3, 4], sequence: 1))
        state.applyNext(Commands.pushSparse("e", rows: [2], [1, 1, 1], sequence: 2))
        return state
    }

    private func expectRefused(
        _ command: ShardCommand, _ code: ErrorCode, mentioning fragments: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let state = populated()
        var before = state.snapshotBytes()
        let reply = state.apply(command, index: 100)
        expectError(reply, code, mentioning: fragments, sourceLocation: sourceLocation)
        #expect(state.appliedIndex == 100, sourceLocation: sourceLocation)
        var after = state.snapshotBytes()
        #expect(after[Self.appliedIndexBytes] == [100, 0, 0, 0, 0, 0, 0, 0], sourceLocation: sourceLocation)
        before.removeSubrange(Self.appliedIndexBytes)
        after.removeSubrange(Self.appliedIndexBytes)
        #expect(before == after, "a refused command changed the state", sourceLocation: sourceLocation)
    }

    // MARK: Create

    static let badDefinitions: [(CreateTensor, ErrorCode, [String])] = [
        (make("", shape: [1]), .badRequest, ["name is empty"]),
        (make(String(repeating: "x", count: 1025), shape: [1]), .badRequest, ["1025 bytes", "1024"]),
        (make("z", shape: [3, 0]), .badRequest, ["dimension 1", "'z'", "[3, 0]"]),
        (make("r9", shape: Array(repeating: 1, count: 9)), .badRequest, ["'r9'", "9 dimensions", "at most 8"]),
        (make("big", shape: [1 << 20, 1 << 20]), .tooLarge, ["'big'", "limit"]),
        (make("huge", shape: [UInt64.max, 2]), .tooLarge, ["'huge'"]),
        (make("s1", .sparse, shape: [10]), .badRequest, ["'s1'", "[rowCount, rowDimension]"]),
        (make("s3", .sparse, shape: [10, 2, 2]), .badRequest, ["'s3'"]),
        (make("sd", .sparse, shape: [10, 1 << 29]), .tooLarge, ["'sd'", "row dimension"]),
        (make("nan", shape: [1], optimizer: .sgd(learningRate: .nan)), .badRequest, ["'nan'", "learning rate", "not finite"]),
        (make("inf", shape: [1], optimizer: .momentum(learningRate: .infinity, momentum: 0.9, nesterov: false)), .badRequest, ["learning rate"]),
        (make("mu", shape: [1], optimizer: .momentum(learningRate: 0.1, momentum: 1, nesterov: true)), .badRequest, ["momentum coefficient", "[0, 1)"]),
        (make("b1", shape: [1], optimizer: .adam(learningRate: 0.1, beta1: 1, beta2: 0.9, epsilon: 1e-8)), .badRequest, ["beta1"]),
        (make("b2", shape: [1], optimizer: .adam(learningRate: 0.1, beta1: 0.9, beta2: -0.1, epsilon: 1e-8)), .badRequest, ["beta2"]),
        (make("eps", shape: [1], optimizer: .adam(learningRate: 0.1, beta1: 0.9, beta2: 0.9, epsilon: 0)), .badRequest, ["epsilon"]),
        (make("acc", shape: [1], optimizer: .adagrad(learningRate: 0.1, initialAccumulator: -1, epsilon: 1e-7)), .badRequest, ["initial accumulator"]),
        (make("aeps", shape: [1], optimizer: .adagrad(learningRate: 0.1, initialAccumulator: 0, epsilon: .nan)), .badRequest, ["epsilon"]),
        (make("c", shape: [1], initializer: .constant(.infinity)), .badRequest, ["constant"]),
        (make("u", shape: [1], initializer: .uniform(low: 2, high: 1, seed: 0)), .badRequest, ["uniform", "low ≤ high"]),
        (make("uspan", shape: [1], initializer: .uniform(low: -.greatestFiniteMagnitude, high: .greatestFiniteMagnitude, seed: 0)), .badRequest, ["finite span"]),
        (make("n", shape: [1], initializer: .normal(mean: 0, stddev: -1, seed: 0)), .badRequest, ["stddev", "negative"]),
        (make("nm", shape: [1], initializer: .normal(mean: .nan, stddev: 1, seed: 0)), .badRequest, ["mean"]),
    ]

    static func make(
        _ name: String, _ kind: TensorKind = .dense, shape: [UInt64], initializer: Initializer = .zeros,
        optimizer: OptimizerConfig = .sgd(learningRate: 0.1)
    ) -> CreateTensor {
        CreateTensor(name: name, kind: kind, shape: shape, initializer: initializer, optimizer: optimizer, ifNotExists: false)
    }

    @Test(arguments: badDefinitions.indices)
    func nonsenseDefinitionsAreRefused(index: Int) {
        let (create, code, fragments) = Self.badDefinitions[index]
        expectRefused(.createTensor(create), code, mentioning: fragments)
    }

    @Test func anExistingNameIsAlreadyExists() {
        expectRefused(Commands.create("w", shape: [2, 2], initializer: .uniform(low: 0, high: 1, seed: 1)), .alreadyExists, mentioning: ["'w'", "already exists"])
    }

    /// Protocols/wire.md (createTensor): with `ifNotExists`, a different definition is `shapeMismatch`.
    @Test func ifNotExistsWithADifferentDefinitionIsShapeMismatch() {
        expectRefused(Commands.create("w", shape: [4], ifNotExists: true), .shapeMismatch, mentioning: ["'w'", "[2, 2]", "[4]"])
        expectRefused(
            Commands.create("e", .sparse, shape: [10, 3], optimizer: .sgd(learningRate: 0.1), ifNotExists: true), .shapeMismatch,
            mentioning: ["'e'", "adam", "sgd"])
    }

    // MARK: Dense push

    @Test func densePushRefusals() {
        expectRefused(Commands.pushDense("nope", [1], sequence: 9), .unknownTensor, mentioning: ["'nope'", "shard 4"])
        expectRefused(Commands.pushDense("e", [1, 2, 3], sequence: 9), .shapeMismatch, mentioning: ["'e'", "sparse", "dense push"])
        expectRefused(Commands.pushDense("w", [1, 2, 3, 4, 5], sequence: 9), .shapeMismatch, mentioning: ["'w'", "[0, 5)", "4 elements"])
        expectRefused(Commands.pushDense("w", [1, 2], offset: 3, sequence: 9), .shapeMismatch, mentioning: ["[3, 5)"])
        expectRefused(Commands.pushDense("w", [1], offset: UInt64.max, sequence: 9), .shapeMismatch, mentioning: ["'w'", "overflow"])
        expectRefused(Commands.pushDense("w", [], sequence: 9), .shapeMismatch, mentioning: ["'w'", "empty"])
        var ragged = ByteBufferAllocator().buffer(capacity: 6)
        ragged.writeBytes([0, 0, 128, 63, 0, 0])
        expectRefused(
            .pushDense(PushDense(id: PushID(clientID: 1, sequence: 9, acknowledgedBelow: 0), name: "w", offset: 0, gradient: ragged)),
            .shapeMismatch, mentioning: ["6 bytes", "float32"])
    }

    // MARK: Sparse push

    @Test func sparsePushRefusals() {
        expectRefused(Commands.pushSparse("nope", rows: [1], [1, 1, 1], sequence: 9), .unknownTensor, mentioning: ["'nope'"])
        expectRefused(Commands.pushSparse("w", rows: [0], [1], sequence: 9), .shapeMismatch, mentioning: ["'w'", "dense", "sparse push"])
        expectRefused(Commands.pushSparse("e", rows: [], [], sequence: 9), .shapeMismatch, mentioning: ["'e'", "no rows"])
        expectRefused(Commands.pushSparse("e", rows: [1, 2], [1, 1, 1], sequence: 9), .shapeMismatch, mentioning: ["'e'", "12 gradient bytes", "2 rows of dimension 3"])
        expectRefused(Commands.pushSparse("e", rows: [1, 10], Array(repeating: 1, count: 6), sequence: 9), .shapeMismatch, mentioning: ["row id 10", "'e'", "10 rows"])
    }

    // MARK: Reads

    @Test func pullAndDescribeRefusals() {
        let state = populated()
        let allocator = ByteBufferAllocator()
        expectError(state.pullDense(PullDense(name: "nope", offset: 0, count: 0, minVersion: 0), allocator: allocator), .unknownTensor, mentioning: ["'nope'"])
        expectError(state.pullDense(PullDense(name: "e", offset: 0, count: 0, minVersion: 0), allocator: allocator), .shapeMismatch, mentioning: ["'e'", "sparse"])
        expectError(state.pullDense(PullDense(name: "w", offset: 2, count: 3, minVersion: 0), allocator: allocator), .shapeMismatch, mentioning: ["'w'", "[2, 5)", "4 elements"])
        expectError(state.pullDense(PullDense(name: "w", offset: 5, count: 0, minVersion: 0), allocator: allocator), .shapeMismatch, mentioning: ["'w'", "element 5"])
        expectError(state.pullDense(PullDense(name: "w", offset: 0, count: 0, minVersion: 2), allocator: allocator), .unavailable, mentioning: ["version 1", "version 2"])
        expectError(state.pullSparse(PullSparse(name: "nope", rowIDs: [0], minVersion: 0), allocator: allocator), .unknownTensor, mentioning: ["'nope'"])
        expectError(state.pullSparse(PullSparse(name: "w", rowIDs: [0], minVersion: 0), allocator: allocator), .shapeMismatch, mentioning: ["'w'", "dense"])
        expectError(state.pullSparse(PullSparse(name: "e", rowIDs: [3, 11], minVersion: 0), allocator: allocator), .shapeMismatch, mentioning: ["row id 11"])
        expectError(state.pullSparse(PullSparse(name: "e", rowIDs: [0], minVersion: 7), allocator: allocator), .unavailable, mentioning: ["version 1", "version 7"])
        expectError(state.describe("nope"), .unknownTensor, mentioning: ["'nope'", "shard 4"])
    }

    @Test func anOversizedSparsePullIsTooLarge() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("e", .sparse, shape: [10, 1 << 20]))
        let rows = [UInt64](repeating: 0, count: (ShardLimits.pullBytesMax / (4 << 20)) + 1)
        expectError(state.pullSparse(PullSparse(name: "e", rowIDs: rows, minVersion: 0), allocator: ByteBufferAllocator()), .tooLarge, mentioning: ["'e'"])
    }

    /// Indices come from the log and only grow; a repeated or lower index is a bug in the
    /// caller, so `apply` stops the process rather than corrupt the state.
    @Test func anIndexThatDoesNotGrowIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            let state = ShardState(shardID: 0)
            state.apply(.createTensor(CreateTensor(
                name: "w", kind: .dense, shape: [1], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: false)), index: 5)
            state.apply(.createTensor(CreateTensor(
                name: "v", kind: .dense, shape: [1], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: false)), index: 5)
        }
    }
}
