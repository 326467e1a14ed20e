import NIOCore
import ParasolConsensus
import ParasolWire

/// The replication messages of Protocols/wire.md ("Replication messages") as field lists, written
/// independently of `RaftMessageCoding.swift` and `SnapshotTransferCoding.swift`.
extension ReferenceLayout {
    static func fields(of batch: RaftBatch) -> [WireField] {
        [.count("messages", batch.messages.count)]
            + batch.messages.enumerated().flatMap { index, message -> [WireField] in
                [.u32("messages[\(index)].shardID", message.shardID)] + fields(of: message.message, named: "messages[\(index)]")
            }
    }

    static func fields(of message: RaftMessage, named name: String) -> [WireField] {
        let header: [WireField] = [.u64("\(name).from", message.from.rawValue), .u64("\(name).to", message.to.rawValue), .u64("\(name).term", message.term)]
        func kind(_ tag: UInt8, _ note: String) -> WireField { .u8("\(name).kind", tag, note: note) }
        switch message.kind {
        case .preVote(let lastLogIndex, let lastLogTerm):
            return header + [kind(0, "preVote"), .u64("\(name).lastLogIndex", lastLogIndex), .u64("\(name).lastLogTerm", lastLogTerm)]
        case .preVoteResponse(let granted):
            return header + [kind(1, "preVoteResponse"), .bool("\(name).granted", granted)]
        case .vote(let lastLogIndex, let lastLogTerm, let isLeadershipTransfer):
            return header + [kind(2, "vote"), .u64("\(name).lastLogIndex", lastLogIndex), .u64("\(name).lastLogTerm", lastLogTerm),
                             .bool("\(name).isLeadershipTransfer", isLeadershipTransfer)]
        case .voteResponse(let granted):
            return header + [kind(3, "voteResponse"), .bool("\(name).granted", granted)]
        case .append(let request):
            let entries = request.entries.enumerated().flatMap { position, entry -> [WireField] in
                let entryName = "\(name).entries[\(position)]"
                return [.u64("\(entryName).term", entry.term), .u64("\(entryName).index", entry.index),
                        .u8("\(entryName).kind", entry.kind.rawValue, note: entry.kind == .normal ? "normal" : "leaderNoop"),
                        .bytes("\(entryName).payload", entry.payload.bytes)]
            }
            return header + [kind(4, "append"), .u64("\(name).prevIndex", request.prevIndex), .u64("\(name).prevTerm", request.prevTerm),
                             .count("\(name).entries", request.entries.count)]
                + entries + [.u64("\(name).commit", request.commit), .u64("\(name).sentAtTick", request.sentAtTick)]
        case .appendResponse(let response):
            var fields = header + [kind(5, "appendResponse"), .u64("\(name).index", response.index),
                                   .bool("\(name).rejection present", response.rejection != nil)]
            if let rejection = response.rejection {
                fields.append(.bool("\(name).rejection.conflictTerm present", rejection.conflictTerm != nil))
                if let conflictTerm = rejection.conflictTerm {
                    fields.append(.u64("\(name).rejection.conflictTerm", conflictTerm))
                }
                fields.append(.u64("\(name).rejection.firstIndexOfConflictTerm", rejection.firstIndexOfConflictTerm))
            }
            fields.append(.bool("\(name).echoedSentAtTick present", response.echoedSentAtTick != nil))
            if let echoed = response.echoedSentAtTick {
                fields.append(.u64("\(name).echoedSentAtTick", echoed))
            }
            return fields
        case .heartbeat(let heartbeat):
            return header + [kind(6, "heartbeat"), .u64("\(name).commit", heartbeat.commit), .u64("\(name).sentAtTick", heartbeat.sentAtTick)]
        case .heartbeatResponse(let echoedSentAtTick):
            return header + [kind(7, "heartbeatResponse"), .u64("\(name).echoedSentAtTick", echoedSentAtTick)]
        case .timeoutNow:
            return header + [kind(8, "timeoutNow")]
        case .snapshot(let meta):
            return header + [kind(9, "snapshot"), .u64("\(name).snapshot.index", meta.index), .u64("\(name).snapshot.term", meta.term)]
        case .snapshotResponse(let index):
            return header + [kind(10, "snapshotResponse"), .u64("\(name).index", index)]
        }
    }

    static func fields(of chunk: SnapshotChunk) -> [WireField] {
        [.u64("from", chunk.from), .u64("to", chunk.to), .u64("term", chunk.term),
         .u64("snapshot.index", chunk.snapshot.index), .u64("snapshot.term", chunk.snapshot.term),
         .u64("offset", chunk.offset), .u64("totalBytes", chunk.totalBytes),
         .bytes("manifest", chunk.manifest), .bytes("data", Array(chunk.data.readableBytesView))]
    }

    static func fields(of ack: SnapshotChunkAck) -> [WireField] {
        let status = switch ack.status {
        case .receiving: "receiving"
        case .installed: "installed"
        case .rejected: "rejected"
        }
        return [.u64("from", ack.from), .u64("to", ack.to), .u64("term", ack.term),
                .u64("snapshot.index", ack.snapshot.index), .u64("snapshot.term", ack.snapshot.term),
                .u64("nextOffset", ack.nextOffset), .u8("status", ack.status.rawValue, note: status), .string("reason", ack.reason)]
    }
}
