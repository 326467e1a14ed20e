import ParasolConsensus

/// Everything one server node sends another for the consensus groups of all the shards they
/// share, in one frame.
///
/// Coalescing is the point: with N shards replicated between two nodes, a tick's heartbeats cost
/// one frame (one header, one CRC, one write) instead of N. The frame's shard id is 0; each
/// message names its own shard. Messages for one shard keep their order within the batch.
public struct RaftBatch: Sendable, Equatable {
    public var messages: [ShardRaftMessage]

    public init(messages: [ShardRaftMessage]) {
        self.messages = messages
    }
}

/// One consensus message and the shard whose group it belongs to.
public struct ShardRaftMessage: Sendable, Equatable {
    public var shardID: UInt32
    public var message: RaftMessage

    public init(shardID: UInt32, message: RaftMessage) {
        self.shardID = shardID
        self.message = message
    }
}
