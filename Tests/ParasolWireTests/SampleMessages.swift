import NIOCore
import ParasolWire

/// Hand-picked messages: at least one of every `Message` case and every initializer and
/// optimizer case, with values that make mistakes visible (distinct, non-zero, odd lengths).
enum SampleMessages {
    static let all: [Message] = [
        .hello(Hello(minVersion: 1, maxVersion: 3, clientID: 0x0123_4567_89AB_CDEF, token: "s3cret")),
        .hello(Hello(minVersion: 1, maxVersion: 1, clientID: 0, token: "")),
        .createTensor(CreateTensor(
            name: "mlp/w1", kind: .dense, shape: [784, 128], initializer: .normal(mean: 0, stddev: 0.05, seed: 7),
            optimizer: .adam(learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8), ifNotExists: true)),
        .createTensor(CreateTensor(
            name: "emb", kind: .sparse, shape: [1_000_000, 16], initializer: .uniform(low: -0.01, high: 0.01, seed: 42),
            optimizer: .adagrad(learningRate: 0.1, initialAccumulator: 0.1, epsilon: 1e-10), ifNotExists: false)),
        .createTensor(CreateTensor(
            name: "b", kind: .dense, shape: [10], initializer: .constant(0.1),
            optimizer: .momentum(learningRate: 0.01, momentum: 0.9, nesterov: true), ifNotExists: true)),
        .createTensor(CreateTensor(
            name: "scalar", kind: .dense, shape: [], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: false)),
        .pushDense(PushDense(
            id: PushID(clientID: 42, sequence: 7, acknowledgedBelow: 5), name: "mlp/w1", offset: 8,
            gradient: ByteBuffer(floats: [0.5, -1, 0.25, 2]))),
        .pushDense(PushDense(id: PushID(clientID: 1, sequence: 1, acknowledgedBelow: 1), name: "w", offset: 0, gradient: ByteBuffer())),
        .pullDense(PullDense(name: "mlp/w1", offset: 0, count: 0, minVersion: 12)),
        .pushSparse(PushSparse(
            id: PushID(clientID: 42, sequence: 8, acknowledgedBelow: 7), name: "emb", rowIDs: [3, 999_999],
            gradients: ByteBuffer(floats: [1, 2, 3, 4, 5, 6, 7, 8]))),
        .pullSparse(PullSparse(name: "emb", rowIDs: [3, 999_999, 3], minVersion: 4)),
        .describeTensor(DescribeTensor(name: "mlp/w1")),
        .shardMapRequest,
        .snapshotRequest,
        .helloReply(HelloReply(version: 1, nodeID: "n1", maxFrameBytes: 256 << 20)),
        .tensorCreated(TensorCreated(version: 1, created: true)),
        .tensorCreated(TensorCreated(version: 9, created: false)),
        .pushAck(PushAck(version: 12, duplicate: false)),
        .pushAck(PushAck(version: 12, duplicate: true)),
        .denseData(DenseData(version: 12, offset: 8, values: ByteBuffer(floats: [0.5, -1, 0.25, 2]))),
        .sparseData(SparseData(version: 4, rowDimension: 2, rows: ByteBuffer(floats: [1, 2, 3, 4, 1, 2]))),
        .tensorInfo(TensorInfo(
            name: "b", kind: .dense, shape: [10], version: 3,
            optimizer: .momentum(learningRate: 0.01, momentum: 0.9, nesterov: false))),
        .shardMap(ShardMap(epoch: 3, shards: [
            ShardMap.Entry(shardID: 0, primaryNodeID: "n1", primaryAddress: "127.0.0.1:7100"),
            ShardMap.Entry(shardID: 1, primaryNodeID: "", primaryAddress: ""),
        ])),
        .shardMap(ShardMap(epoch: 0, shards: [])),
        .snapshotTaken(SnapshotTaken(index: 1234, bytes: 56789)),
    ] + ErrorCode.allCases.map { code in
        .error(ErrorReply(code: code, message: "sample \(code)", leaderHint: code == .notLeader ? "n2" : ""))
    } + replication
}
