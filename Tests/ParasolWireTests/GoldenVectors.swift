import NIOCore
import ParasolWire

/// The representative frames committed as Protocols/vectors/<file>: the bytes any client or
/// server implementation must produce for these values and accept back.
struct GoldenVector: Sendable, CustomStringConvertible {
    var file: String
    var summary: String
    var frame: Frame

    var description: String { file }

    static let all: [GoldenVector] = dataPlane + replication

    /// The messages between workers and servers.
    static let dataPlane: [GoldenVector] = [
        GoldenVector(
            file: "hello.bin", summary: "A worker opens a session: versions 1…1, its client id and the cluster token.",
            frame: Frame(requestID: 1, shardID: 0, message: .hello(Hello(minVersion: 1, maxVersion: 1, clientID: 0x0123_4567_89AB_CDEF, token: "s3cret")))),
        GoldenVector(
            file: "hello_reply.bin", summary: "The server accepts: chosen version 1, its node id, a 256 MiB frame limit.",
            frame: Frame(requestID: 1, shardID: 0, message: .helloReply(HelloReply(version: 1, nodeID: "n1", maxFrameBytes: 256 << 20)))),
        GoldenVector(
            file: "create_tensor_dense.bin", summary: "Create a 784×128 dense tensor, normal-initialized, trained with Adam.",
            frame: Frame(requestID: 2, shardID: 1, message: .createTensor(CreateTensor(
                name: "mlp/w1", kind: .dense, shape: [784, 128], initializer: .normal(mean: 0, stddev: 0.05, seed: 7),
                optimizer: .adam(learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8), ifNotExists: true)))),
        GoldenVector(
            file: "create_tensor_sparse.bin", summary: "Create a sparse embedding table of 1,000,000 rows × 16, uniform-initialized, trained with Adagrad.",
            frame: Frame(requestID: 3, shardID: 0, message: .createTensor(CreateTensor(
                name: "emb", kind: .sparse, shape: [1_000_000, 16], initializer: .uniform(low: -0.01, high: 0.01, seed: 42),
                optimizer: .adagrad(learningRate: 0.1, initialAccumulator: 0.1, epsilon: 1e-10), ifNotExists: false)))),
        GoldenVector(
            file: "create_tensor_bias.bin", summary: "Create a bias vector of 10 elements set to 0.1, trained with plain SGD.",
            frame: Frame(requestID: 4, shardID: 1, message: .createTensor(CreateTensor(
                name: "mlp/b1", kind: .dense, shape: [10], initializer: .constant(0.1), optimizer: .sgd(learningRate: 0.5), ifNotExists: true)))),
        GoldenVector(
            file: "tensor_created.bin", summary: "The reply to create_tensor_dense.bin: version 1, newly created.",
            frame: Frame(requestID: 2, shardID: 1, message: .tensorCreated(TensorCreated(version: 1, created: true)))),
        GoldenVector(
            file: "push_dense.bin", summary: "Push a gradient for elements 8..<12 of mlp/w1 (push 7 of client 42, all below 5 acknowledged); note the 2 padding bytes.",
            frame: Frame(requestID: 5, shardID: 1, message: .pushDense(PushDense(
                id: PushID(clientID: 42, sequence: 7, acknowledgedBelow: 5), name: "mlp/w1", offset: 8,
                gradient: ByteBuffer(floats: [0.5, -1, 0.25, 2]))))),
        GoldenVector(
            file: "push_ack.bin", summary: "The reply to push_dense.bin: applied, the tensor is now at version 12.",
            frame: Frame(requestID: 5, shardID: 1, message: .pushAck(PushAck(version: 12, duplicate: false)))),
        GoldenVector(
            file: "push_ack_duplicate.bin", summary: "The reply to a retried push_dense.bin: already applied, not applied again.",
            frame: Frame(requestID: 6, shardID: 1, message: .pushAck(PushAck(version: 12, duplicate: true)))),
        GoldenVector(
            file: "pull_dense.bin", summary: "Read mlp/w1 from element 8 to the end, no older than version 12.",
            frame: Frame(requestID: 7, shardID: 1, message: .pullDense(PullDense(name: "mlp/w1", offset: 8, count: 0, minVersion: 12)))),
        GoldenVector(
            file: "dense_data.bin", summary: "Four values of mlp/w1 from element 8, at version 12.",
            frame: Frame(requestID: 7, shardID: 1, message: .denseData(DenseData(version: 12, offset: 8, values: ByteBuffer(floats: [0.5, -1, 0.25, 2]))))),
        GoldenVector(
            file: "push_sparse.bin", summary: "Push gradients for rows 3 and 999999 of emb (row dimension 2 here for brevity); note the 1 padding byte.",
            frame: Frame(requestID: 8, shardID: 0, message: .pushSparse(PushSparse(
                id: PushID(clientID: 42, sequence: 3, acknowledgedBelow: 3), name: "emb", rowIDs: [3, 999_999],
                gradients: ByteBuffer(floats: [0.5, 0.25, -0.5, -0.25]))))),
        GoldenVector(
            file: "pull_sparse.bin", summary: "Read rows 3 and 999999 of emb, no older than version 4.",
            frame: Frame(requestID: 9, shardID: 0, message: .pullSparse(PullSparse(name: "emb", rowIDs: [3, 999_999], minVersion: 4)))),
        GoldenVector(
            file: "sparse_data.bin", summary: "The two requested rows of dimension 2, in request order, at version 4.",
            frame: Frame(requestID: 9, shardID: 0, message: .sparseData(SparseData(version: 4, rowDimension: 2, rows: ByteBuffer(floats: [1, 2, 3, 4]))))),
        GoldenVector(
            file: "describe_tensor.bin", summary: "Ask for the definition and version of mlp/b1.",
            frame: Frame(requestID: 10, shardID: 1, message: .describeTensor(DescribeTensor(name: "mlp/b1")))),
        GoldenVector(
            file: "tensor_info.bin", summary: "mlp/b1 is a dense tensor of 10 elements at version 3, trained with Nesterov momentum.",
            frame: Frame(requestID: 10, shardID: 1, message: .tensorInfo(TensorInfo(
                name: "mlp/b1", kind: .dense, shape: [10], version: 3, optimizer: .momentum(learningRate: 0.01, momentum: 0.9, nesterov: true))))),
        GoldenVector(
            file: "shard_map_request.bin", summary: "Ask which node is primary for each shard (empty payload).",
            frame: Frame(requestID: 11, shardID: 0, message: .shardMapRequest)),
        GoldenVector(
            file: "shard_map.bin", summary: "Epoch 3: shard 0 is led by n1 at 127.0.0.1:7100, shard 1 has no known primary.",
            frame: Frame(requestID: 11, shardID: 0, message: .shardMap(ShardMap(epoch: 3, shards: [
                ShardMap.Entry(shardID: 0, primaryNodeID: "n1", primaryAddress: "127.0.0.1:7100"),
                ShardMap.Entry(shardID: 1, primaryNodeID: "", primaryAddress: ""),
            ])))),
        GoldenVector(
            file: "snapshot_request.bin", summary: "Ask shard 1's primary to write a snapshot now (empty payload).",
            frame: Frame(requestID: 12, shardID: 1, message: .snapshotRequest)),
        GoldenVector(
            file: "snapshot_taken.bin", summary: "Shard 1's snapshot covers commands up to index 1234 and takes 56789 bytes.",
            frame: Frame(requestID: 12, shardID: 1, message: .snapshotTaken(SnapshotTaken(index: 1234, bytes: 56789)))),
        GoldenVector(
            file: "error_not_leader.bin", summary: "A follower refuses a push and points at the primary it knows.",
            frame: Frame(requestID: 13, shardID: 1, message: .error(ErrorReply(code: .notLeader, message: "n1 is not the primary of shard 1", leaderHint: "n2")))),
        GoldenVector(
            file: "error_bad_frame.bin", summary: "What a server sends before closing a connection that sent bytes that are not a frame (request id 0: there was no request).",
            frame: Frame(requestID: 0, shardID: 0, message: .error(ErrorReply(code: .badFrame, message: "not a Parasol frame")))),
    ]
}
