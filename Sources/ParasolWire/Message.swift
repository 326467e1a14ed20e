import NIOCore

/// Every message Parasol's data port carries, one case per message type of `Protocols/wire.md`:
/// workers' requests and servers' replies, and the replication messages between nodes.
///
/// Requests, replies and replication share one enum so that a frame decodes to exactly one value
/// and the golden vectors cover every direction. Float payloads stay `ByteBuffer` slices of the
/// received frame (little-endian float32, no per-element decode): a 64 MiB push is never copied
/// into an array just to be read once by an optimizer.
public enum Message: Sendable, Equatable {
    // MARK: Requests (worker → server)
    case hello(Hello)
    case createTensor(CreateTensor)
    case pushDense(PushDense)
    case pullDense(PullDense)
    case pushSparse(PushSparse)
    case pullSparse(PullSparse)
    case describeTensor(DescribeTensor)
    case shardMapRequest
    case snapshotRequest

    // MARK: Replies (server → worker)
    case helloReply(HelloReply)
    case tensorCreated(TensorCreated)
    case pushAck(PushAck)
    case denseData(DenseData)
    case sparseData(SparseData)
    case tensorInfo(TensorInfo)
    case shardMap(ShardMap)
    case snapshotTaken(SnapshotTaken)
    case error(ErrorReply)

    // MARK: Replication (node → node, operator → node; Sources/ParasolWire/Replication)
    case raftMessages(RaftBatch)
    case snapshotChunk(SnapshotChunk)
    case snapshotChunkAck(SnapshotChunkAck)
    case transferLeadership(TransferLeadership)
    case leadershipTransferred(LeadershipTransferred)
}

/// The message type byte of the frame header. Values 0x40–0x5F belong to replication; those
/// not listed here are unknown types like any other.
public enum MessageType: UInt8, Sendable, CaseIterable {
    case hello = 0x01
    case createTensor = 0x02
    case pushDense = 0x03
    case pullDense = 0x04
    case pushSparse = 0x05
    case pullSparse = 0x06
    case describeTensor = 0x07
    case shardMapRequest = 0x08
    case snapshotRequest = 0x09

    case raftMessages = 0x40
    case snapshotChunk = 0x41
    case snapshotChunkAck = 0x42
    case transferLeadership = 0x43
    case leadershipTransferred = 0x44

    case helloReply = 0x81
    case tensorCreated = 0x82
    case pushAck = 0x83
    case denseData = 0x84
    case sparseData = 0x85
    case tensorInfo = 0x87
    case shardMap = 0x88
    case snapshotTaken = 0x89
    case error = 0xFF

    /// The first type value of the range kept for replication messages (consensus, snapshots, …).
    public static let replicationRangeStart: UInt8 = 0x40
    /// The last type value of the range kept for replication.
    public static let replicationRangeEnd: UInt8 = 0x5F
}

// MARK: - Session

/// Opens a session: the server checks the protocol version and the cluster token before any
/// other request on the connection is served.
public struct Hello: Sendable, Equatable {
    /// The lowest and highest protocol versions the client speaks; the server picks the highest
    /// it also speaks or refuses with `unsupportedVersion`.
    public var minVersion: UInt8
    public var maxVersion: UInt8
    /// Identifies the client across reconnects and failovers; the key of the exactly-once table.
    public var clientID: UInt64
    /// The cluster token; empty when the cluster has none.
    public var token: String

    public init(minVersion: UInt8, maxVersion: UInt8, clientID: UInt64, token: String) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.clientID = clientID
        self.token = token
    }
}

public struct HelloReply: Sendable, Equatable {
    public var version: UInt8
    public var nodeID: String
    /// The largest frame (header + payload) this server accepts; clients chunk below it.
    public var maxFrameBytes: UInt32

    public init(version: UInt8, nodeID: String, maxFrameBytes: UInt32) {
        self.version = version
        self.nodeID = nodeID
        self.maxFrameBytes = maxFrameBytes
    }
}

// MARK: - Tensor definitions

/// Dense tensors are pushed and pulled whole (or in element ranges); sparse tables are
/// embedding tables addressed by row id whose untouched rows take their initializer lazily.
public enum TensorKind: UInt8, Sendable, Equatable {
    case dense = 0
    case sparse = 1
}

/// How a tensor's initial values are drawn. Random initializers are seeded so that every
/// replica (and every replay of the log) computes the same weights.
public enum Initializer: Sendable, Equatable {
    case zeros
    case constant(Float)
    case uniform(low: Float, high: Float, seed: UInt64)
    case normal(mean: Float, stddev: Float, seed: UInt64)
}

/// The server-side optimizer a tensor's pushes go through. A push carries a gradient; the
/// optimizer turns it into a weight update.
public enum OptimizerConfig: Sendable, Equatable {
    case sgd(learningRate: Float)
    case momentum(learningRate: Float, momentum: Float, nesterov: Bool)
    case adam(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float)
    case adagrad(learningRate: Float, initialAccumulator: Float, epsilon: Float)
}

public struct CreateTensor: Sendable, Equatable {
    public var name: String
    public var kind: TensorKind
    /// Dense: the tensor's shape. Sparse: `[rowCount, rowDimension]`.
    public var shape: [UInt64]
    public var initializer: Initializer
    public var optimizer: OptimizerConfig
    /// When true, creating a tensor that already exists with the same definition succeeds
    /// (every worker of a job may create the model); a different definition is `shapeMismatch`.
    public var ifNotExists: Bool

    public init(
        name: String, kind: TensorKind, shape: [UInt64], initializer: Initializer,
        optimizer: OptimizerConfig, ifNotExists: Bool
    ) {
        self.name = name
        self.kind = kind
        self.shape = shape
        self.initializer = initializer
        self.optimizer = optimizer
        self.ifNotExists = ifNotExists
    }
}

public struct TensorCreated: Sendable, Equatable {
    public var version: UInt64
    /// False when the tensor already existed (`ifNotExists`).
    public var created: Bool

    public init(version: UInt64, created: Bool) {
        self.version = version
        self.created = created
    }
}

// MARK: - Exactly-once

/// Names one push for duplicate suppression. `sequence` numbers a client's pushes to one shard
/// (1, 2, 3, …); `acknowledgedBelow` promises the client will never (re)send a sequence below
/// it, so the server forgets those and its table stays bounded by the in-flight window.
public struct PushID: Sendable, Equatable, Hashable {
    public var clientID: UInt64
    public var sequence: UInt64
    public var acknowledgedBelow: UInt64

    public init(clientID: UInt64, sequence: UInt64, acknowledgedBelow: UInt64) {
        self.clientID = clientID
        self.sequence = sequence
        self.acknowledgedBelow = acknowledgedBelow
    }
}

// MARK: - Dense push and pull

/// A gradient for elements `[offset, offset + count)` of a dense tensor, count = bytes / 4.
public struct PushDense: Sendable, Equatable {
    public var id: PushID
    public var name: String
    public var offset: UInt64
    /// Little-endian float32 values.
    public var gradient: ByteBuffer

    public init(id: PushID, name: String, offset: UInt64, gradient: ByteBuffer) {
        self.id = id
        self.name = name
        self.offset = offset
        self.gradient = gradient
    }
}

public struct PushAck: Sendable, Equatable {
    /// The tensor's version after this push (or, for a duplicate, its current version).
    public var version: UInt64
    /// True when the push had already been applied and was not applied again.
    public var duplicate: Bool

    public init(version: UInt64, duplicate: Bool) {
        self.version = version
        self.duplicate = duplicate
    }
}

/// Reads elements `[offset, offset + count)`; `count == 0` means "to the end".
public struct PullDense: Sendable, Equatable {
    public var name: String
    public var offset: UInt64
    public var count: UInt64
    /// The server answers `unavailable` rather than serve a version older than this
    /// (read-your-writes across shards and reconnects).
    public var minVersion: UInt64

    public init(name: String, offset: UInt64, count: UInt64, minVersion: UInt64) {
        self.name = name
        self.offset = offset
        self.count = count
        self.minVersion = minVersion
    }
}

public struct DenseData: Sendable, Equatable {
    public var version: UInt64
    public var offset: UInt64
    /// Little-endian float32 values.
    public var values: ByteBuffer

    public init(version: UInt64, offset: UInt64, values: ByteBuffer) {
        self.version = version
        self.offset = offset
        self.values = values
    }
}

// MARK: - Sparse rows

public struct PushSparse: Sendable, Equatable {
    public var id: PushID
    public var name: String
    public var rowIDs: [UInt64]
    /// `rowIDs.count × rowDimension` little-endian float32 gradients, row after row.
    public var gradients: ByteBuffer

    public init(id: PushID, name: String, rowIDs: [UInt64], gradients: ByteBuffer) {
        self.id = id
        self.name = name
        self.rowIDs = rowIDs
        self.gradients = gradients
    }
}

public struct PullSparse: Sendable, Equatable {
    public var name: String
    public var rowIDs: [UInt64]
    public var minVersion: UInt64

    public init(name: String, rowIDs: [UInt64], minVersion: UInt64) {
        self.name = name
        self.rowIDs = rowIDs
        self.minVersion = minVersion
    }
}

public struct SparseData: Sendable, Equatable {
    public var version: UInt64
    public var rowDimension: UInt32
    /// The requested rows in request order, little-endian float32.
    public var rows: ByteBuffer

    public init(version: UInt64, rowDimension: UInt32, rows: ByteBuffer) {
        self.version = version
        self.rowDimension = rowDimension
        self.rows = rows
    }
}

// MARK: - Metadata

public struct DescribeTensor: Sendable, Equatable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

public struct TensorInfo: Sendable, Equatable {
    public var name: String
    public var kind: TensorKind
    public var shape: [UInt64]
    public var version: UInt64
    public var optimizer: OptimizerConfig

    public init(name: String, kind: TensorKind, shape: [UInt64], version: UInt64, optimizer: OptimizerConfig) {
        self.name = name
        self.kind = kind
        self.shape = shape
        self.version = version
        self.optimizer = optimizer
    }
}

/// Where every shard's primary is, as the answering node knows it. `epoch` grows whenever the
/// map changes so a client can tell a fresher map from a stale one.
public struct ShardMap: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var shardID: UInt32
        /// Empty when the shard has no known primary.
        public var primaryNodeID: String
        /// `host:port` of the primary's data address; empty with no primary.
        public var primaryAddress: String

        public init(shardID: UInt32, primaryNodeID: String, primaryAddress: String) {
            self.shardID = shardID
            self.primaryNodeID = primaryNodeID
            self.primaryAddress = primaryAddress
        }
    }

    public var epoch: UInt64
    public var shards: [Entry]

    public init(epoch: UInt64, shards: [Entry]) {
        self.epoch = epoch
        self.shards = shards
    }
}

public struct SnapshotTaken: Sendable, Equatable {
    /// The index of the last command the snapshot covers.
    public var index: UInt64
    /// Size of the snapshot file on disk.
    public var bytes: UInt64

    public init(index: UInt64, bytes: UInt64) {
        self.index = index
        self.bytes = bytes
    }
}

// MARK: - Errors

/// Typed error codes; the numeric values are part of the wire format.
public enum ErrorCode: UInt16, Sendable, Equatable, CaseIterable {
    case badRequest = 1
    case unknownTensor = 2
    case shapeMismatch = 3
    case notLeader = 4
    case unavailable = 5
    case unauthorized = 6
    case tooLarge = 7
    case unsupportedVersion = 8
    case badFrame = 9
    case internalError = 10
    case alreadyExists = 11
}

public struct ErrorReply: Sendable, Equatable, Error {
    public var code: ErrorCode
    public var message: String
    /// For `notLeader`: the node id of the current primary, if known, else empty.
    public var leaderHint: String

    public init(code: ErrorCode, message: String, leaderHint: String = "") {
        self.code = code
        self.message = message
        self.leaderHint = leaderHint
    }
}
