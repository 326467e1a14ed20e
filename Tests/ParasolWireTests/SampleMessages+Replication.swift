import NIOCore
import ParasolConsensus
import ParasolWire

/// Hand-picked replication messages: empty and mixed batches, a chunk without data, every ack
/// status, an empty transfer target.
extension SampleMessages {
    static let replication: [Message] = [
        .raftMessages(RaftBatch(messages: [])),
        .raftMessages(RaftBatch(messages: [
            ShardRaftMessage(shardID: 7, message: RaftMessage(from: 2, to: 9, term: 11, kind: .append(AppendRequest(
                prevIndex: 0, prevTerm: 0, entries: [], commit: 0, sentAtTick: 1)))),
            ShardRaftMessage(shardID: 0xFFFF_FFFF, message: RaftMessage(from: .init(UInt64.max), to: 1, term: .max, kind: .timeoutNow)),
            ShardRaftMessage(shardID: 3, message: RaftMessage(from: 1, to: 2, term: 4, kind: .append(AppendRequest(
                prevIndex: 99, prevTerm: 2,
                entries: [LogEntry(term: 3, index: 100, payload: [1, 2, 3]), LogEntry(term: 4, index: 101, kind: .leaderNoop)],
                commit: 98, sentAtTick: 1000)))),
        ])),
        .snapshotChunk(SnapshotChunk(
            from: 1, to: 2, term: 3, snapshot: SnapshotMeta(index: 10, term: 2), offset: 0, totalBytes: 0, manifest: [], data: ByteBuffer())),
        .snapshotChunk(SnapshotChunk(
            from: 1, to: 2, term: 3, snapshot: SnapshotMeta(index: 10, term: 2), offset: 3, totalBytes: 10,
            manifest: Array("{}".utf8), data: ByteBuffer(bytes: [9, 8, 7, 6, 5]))),
        .snapshotChunkAck(SnapshotChunkAck(
            from: 2, to: 1, term: 3, snapshot: SnapshotMeta(index: 10, term: 2), nextOffset: 8, status: .receiving, reason: "")),
        .snapshotChunkAck(SnapshotChunkAck(
            from: 2, to: 1, term: 3, snapshot: SnapshotMeta(index: 10, term: 2), nextOffset: 10, status: .installed, reason: "")),
        .snapshotChunkAck(SnapshotChunkAck(
            from: 2, to: 1, term: 3, snapshot: SnapshotMeta(index: 10, term: 2), nextOffset: 0, status: .rejected, reason: "disk full")),
        .transferLeadership(TransferLeadership(target: "", timeoutMillis: 0)),
        .transferLeadership(TransferLeadership(target: "n3", timeoutMillis: 60_000)),
        .leadershipTransferred(LeadershipTransferred(previousPrimary: "n1", newPrimary: "n3", term: 9, elapsedMicros: 1)),
    ]
}
