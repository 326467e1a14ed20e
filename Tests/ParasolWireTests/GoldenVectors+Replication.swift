import NIOCore
import ParasolConsensus
import ParasolWire

/// The replication messages' golden vectors: consensus batches between nodes, a snapshot
/// transfer, and an operator's leadership transfer.
extension GoldenVector {
    static let replication: [GoldenVector] = [
        GoldenVector(
            file: "raft_messages_append.bin",
            summary: "n1 to n2 in one frame: shard 1's append of a leader no-op and a command (entries 8 and 9 of term 5), and shard 2's heartbeat.",
            frame: Frame(requestID: 21, shardID: 0, message: .raftMessages(RaftBatch(messages: [
                ShardRaftMessage(shardID: 1, message: RaftMessage(from: 1, to: 2, term: 5, kind: .append(AppendRequest(
                    prevIndex: 7, prevTerm: 4,
                    entries: [
                        LogEntry(term: 5, index: 8, kind: .leaderNoop),
                        LogEntry(term: 5, index: 9, kind: .normal, payload: [0x03, 0x01, 0x00, 0x00, 0xAB]),
                    ],
                    commit: 7, sentAtTick: 120)))),
                ShardRaftMessage(shardID: 2, message: RaftMessage(from: 1, to: 2, term: 3, kind: .heartbeat(Heartbeat(commit: 40, sentAtTick: 120)))),
            ])))),
        GoldenVector(
            file: "raft_messages_other_kinds.bin",
            summary: "Every other kind of consensus message once (append responses three times: accepted, rejected with and without a conflict term).",
            frame: Frame(requestID: 22, shardID: 0, message: .raftMessages(RaftBatch(messages: [
                ShardRaftMessage(shardID: 1, message: RaftMessage(from: 3, to: 1, term: 6, kind: .preVote(lastLogIndex: 9, lastLogTerm: 5))),
                ShardRaftMessage(shardID: 1, message: RaftMessage(from: 1, to: 3, term: 6, kind: .preVoteResponse(granted: true))),
                ShardRaftMessage(shardID: 1, message: RaftMessage(from: 3, to: 1, term: 6, kind: .vote(lastLogIndex: 9, lastLogTerm: 5, isLeadershipTransfer: true))),
                ShardRaftMessage(shardID: 1, message: RaftMessage(from: 1, to: 3, term: 6, kind: .voteResponse(granted: false))),
                ShardRaftMessage(shardID: 2, message: RaftMessage(from: 2, to: 1, term: 3, kind: .appendResponse(AppendResponse(
                    index: 41, echoedSentAtTick: 120)))),
                ShardRaftMessage(shardID: 2, message: RaftMessage(from: 2, to: 1, term: 3, kind: .appendResponse(AppendResponse(
                    index: 30, rejection: AppendResponse.Rejection(conflictTerm: 2, firstIndexOfConflictTerm: 25), echoedSentAtTick: 121)))),
                ShardRaftMessage(shardID: 2, message: RaftMessage(from: 2, to: 1, term: 3, kind: .appendResponse(AppendResponse(
                    index: 50, rejection: AppendResponse.Rejection(conflictTerm: nil, firstIndexOfConflictTerm: 42), echoedSentAtTick: nil)))),
                ShardRaftMessage(shardID: 2, message: RaftMessage(from: 2, to: 1, term: 3, kind: .heartbeatResponse(echoedSentAtTick: 122))),
                ShardRaftMessage(shardID: 1, message: RaftMessage(from: 1, to: 2, term: 6, kind: .timeoutNow)),
                ShardRaftMessage(shardID: 3, message: RaftMessage(from: 1, to: 3, term: 4, kind: .snapshot(SnapshotMeta(index: 1234, term: 4)))),
                ShardRaftMessage(shardID: 3, message: RaftMessage(from: 3, to: 1, term: 4, kind: .snapshotResponse(index: 1234))),
            ])))),
        GoldenVector(
            file: "snapshot_chunk.bin",
            summary: "n1 sends n3 the last 9 bytes (from offset 65536) of shard 1's snapshot up to index 1234, with its manifest.",
            frame: Frame(requestID: 23, shardID: 1, message: .snapshotChunk(SnapshotChunk(
                from: 1, to: 3, term: 5, snapshot: SnapshotMeta(index: 1234, term: 4), offset: 65536, totalBytes: 65545,
                manifest: Array(#"{"index":1234,"term":4}"#.utf8), data: ByteBuffer(bytes: [0x04, 0x22, 0x4D, 0x18, 0x00, 0x00, 0x00, 0x00, 0x7F]))))),
        GoldenVector(
            file: "snapshot_chunk_ack.bin", summary: "n3 holds all 65545 bytes of that snapshot and installed it.",
            frame: Frame(requestID: 24, shardID: 1, message: .snapshotChunkAck(SnapshotChunkAck(
                from: 3, to: 1, term: 5, snapshot: SnapshotMeta(index: 1234, term: 4), nextOffset: 65545, status: .installed, reason: "")))),
        GoldenVector(
            file: "snapshot_chunk_ack_rejected.bin", summary: "n3 refuses a snapshot whose bytes do not match their checksum.",
            frame: Frame(requestID: 25, shardID: 1, message: .snapshotChunkAck(SnapshotChunkAck(
                from: 3, to: 1, term: 5, snapshot: SnapshotMeta(index: 1234, term: 4), nextOffset: 0, status: .rejected,
                reason: "checksum mismatch")))),
        GoldenVector(
            file: "transfer_leadership.bin", summary: "An operator asks shard 1's primary to hand over to n2 within 5 seconds.",
            frame: Frame(requestID: 26, shardID: 1, message: .transferLeadership(TransferLeadership(target: "n2", timeoutMillis: 5000)))),
        GoldenVector(
            file: "leadership_transferred.bin", summary: "The reply: n2 leads shard 1 in term 6, 182 ms after the request.",
            frame: Frame(requestID: 26, shardID: 1, message: .leadershipTransferred(LeadershipTransferred(
                previousPrimary: "n1", newPrimary: "n2", term: 6, elapsedMicros: 182_000)))),
    ]
}
