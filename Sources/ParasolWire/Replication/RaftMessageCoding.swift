import NIOCore
import ParasolConsensus

/// The wire encoding of consensus messages (Protocols/wire.md, "Replication messages"): from,
/// to and term, a kind tag, then that kind's fields; optional values behind a presence bool.
///
/// Decoding also refuses appends whose entries the consensus core would trap on (indexes not
/// following `prevIndex` one by one, terms going backwards or beyond the sender's term): the core
/// asserts those invariants, and a peer's bytes must never be able to crash a node.
///
/// Tag values are part of the wire format: new kinds take new tags, old tags keep their meaning.
enum RaftKindTag: UInt8 {
    case preVote = 0
    case preVoteResponse = 1
    case vote = 2
    case voteResponse = 3
    case append = 4
    case appendResponse = 5
    case heartbeat = 6
    case heartbeatResponse = 7
    case timeoutNow = 8
    case snapshot = 9
    case snapshotResponse = 10
}

extension ShardRaftMessage {
    /// The smallest encoding: shard id, from, to, term and a tag with no fields (`timeoutNow`).
    static let wireBytesMin = 4 + 8 + 8 + 8 + 1
}

extension LogEntry {
    /// The smallest encoding: term, index, kind and an empty payload's length.
    static let wireBytesMin = 8 + 8 + 1 + 4
}

// MARK: - Encoding

extension ByteBuffer {
    mutating func writeWireRaftBatch(_ batch: RaftBatch, deferringInto deferred: inout [DeferredBlock]?) {
        writeWireCount(batch.messages.count)
        for message in batch.messages {
            writeWireU32(message.shardID)
            writeWireRaftMessage(message.message, deferringInto: &deferred)
        }
    }

    mutating func writeWireRaftMessage(_ message: RaftMessage, deferringInto deferred: inout [DeferredBlock]?) {
        writeWireU64(message.from.rawValue)
        writeWireU64(message.to.rawValue)
        writeWireU64(message.term)
        switch message.kind {
        case .preVote(let lastLogIndex, let lastLogTerm):
            writeWireU8(RaftKindTag.preVote.rawValue)
            writeWireU64(lastLogIndex)
            writeWireU64(lastLogTerm)
        case .preVoteResponse(let granted):
            writeWireU8(RaftKindTag.preVoteResponse.rawValue)
            writeWireBool(granted)
        case .vote(let lastLogIndex, let lastLogTerm, let isLeadershipTransfer):
            writeWireU8(RaftKindTag.vote.rawValue)
            writeWireU64(lastLogIndex)
            writeWireU64(lastLogTerm)
            writeWireBool(isLeadershipTransfer)
        case .voteResponse(let granted):
            writeWireU8(RaftKindTag.voteResponse.rawValue)
            writeWireBool(granted)
        case .append(let request):
            writeWireU8(RaftKindTag.append.rawValue)
            writeWireU64(request.prevIndex)
            writeWireU64(request.prevTerm)
            writeWireCount(request.entries.count)
            for entry in request.entries {
                writeWireU64(entry.term)
                writeWireU64(entry.index)
                writeWireU8(entry.kind.rawValue)
                if deferred != nil, entry.payload.count >= DeferredBlock.bytesMin, let buffer = entry.payload.storage as? ByteBuffer {
                    writeWireBytes(buffer, deferringInto: &deferred)
                } else {
                    entry.payload.withUnsafeBytes { writeWireBytes($0) }
                }
            }
            writeWireU64(request.commit)
            writeWireU64(request.sentAtTick)
        case .appendResponse(let response):
            writeWireU8(RaftKindTag.appendResponse.rawValue)
            writeWireU64(response.index)
            writeWireBool(response.rejection != nil)
            if let rejection = response.rejection {
                writeWireBool(rejection.conflictTerm != nil)
                if let conflictTerm = rejection.conflictTerm {
                    writeWireU64(conflictTerm)
                }
                writeWireU64(rejection.firstIndexOfConflictTerm)
            }
            writeWireBool(response.echoedSentAtTick != nil)
            if let echoedSentAtTick = response.echoedSentAtTick {
                writeWireU64(echoedSentAtTick)
            }
        case .heartbeat(let heartbeat):
            writeWireU8(RaftKindTag.heartbeat.rawValue)
            writeWireU64(heartbeat.commit)
            writeWireU64(heartbeat.sentAtTick)
        case .heartbeatResponse(let echoedSentAtTick):
            writeWireU8(RaftKindTag.heartbeatResponse.rawValue)
            writeWireU64(echoedSentAtTick)
        case .timeoutNow:
            writeWireU8(RaftKindTag.timeoutNow.rawValue)
        case .snapshot(let meta):
            writeWireU8(RaftKindTag.snapshot.rawValue)
            writeWireSnapshotMeta(meta)
        case .snapshotResponse(let index):
            writeWireU8(RaftKindTag.snapshotResponse.rawValue)
            writeWireU64(index)
        }
    }

    mutating func writeWireSnapshotMeta(_ meta: SnapshotMeta) {
        writeWireU64(meta.index)
        writeWireU64(meta.term)
    }
}

// MARK: - Decoding

extension PayloadReader {
    mutating func readRaftBatch() throws(WireError) -> RaftBatch {
        let count = try readCount("messages", elementBytesMin: ShardRaftMessage.wireBytesMin)
        var messages: [ShardRaftMessage] = []
        messages.reserveCapacity(count)
        for index in 0..<count {
            messages.append(ShardRaftMessage(
                shardID: try readU32("messages[\(index)].shardID"),
                message: try readRaftMessage("messages[\(index)]")))
        }
        return RaftBatch(messages: messages)
    }

    /// One consensus message; `field` names it in errors (e.g. `messages[3]`).
    mutating func readRaftMessage(_ field: @autoclosure () -> String) throws(WireError) -> RaftMessage {
        let from = try readNodeID("\(field()).from")
        let to = try readNodeID("\(field()).to")
        let term = try readU64("\(field()).term")
        let tag = try readU8("\(field()).kind")
        guard let kindTag = RaftKindTag(rawValue: tag) else {
            throw malformed("\(field()).kind is \(tag); a raft message kind must be 0 through \(RaftKindTag.snapshotResponse.rawValue)")
        }
        let kind: RaftMessage.Kind
        switch kindTag {
        case .preVote:
            kind = .preVote(lastLogIndex: try readU64("\(field()).lastLogIndex"), lastLogTerm: try readU64("\(field()).lastLogTerm"))
        case .preVoteResponse:
            kind = .preVoteResponse(granted: try readBool("\(field()).granted"))
        case .vote:
            kind = .vote(
                lastLogIndex: try readU64("\(field()).lastLogIndex"),
                lastLogTerm: try readU64("\(field()).lastLogTerm"),
                isLeadershipTransfer: try readBool("\(field()).isLeadershipTransfer"))
        case .voteResponse:
            kind = .voteResponse(granted: try readBool("\(field()).granted"))
        case .append:
            kind = .append(try readAppendRequest(field(), term: term))
        case .appendResponse:
            kind = .appendResponse(try readAppendResponse(field()))
        case .heartbeat:
            kind = .heartbeat(Heartbeat(commit: try readU64("\(field()).commit"), sentAtTick: try readU64("\(field()).sentAtTick")))
        case .heartbeatResponse:
            kind = .heartbeatResponse(echoedSentAtTick: try readU64("\(field()).echoedSentAtTick"))
        case .timeoutNow:
            kind = .timeoutNow
        case .snapshot:
            kind = .snapshot(try readSnapshotMeta("\(field()).snapshot"))
        case .snapshotResponse:
            kind = .snapshotResponse(index: try readU64("\(field()).index"))
        }
        return RaftMessage(from: from, to: to, term: term, kind: kind)
    }

    /// A u64 node id; 0 is refused, since it names nobody (`NodeID`).
    mutating func readNodeID(_ field: @autoclosure () -> String) throws(WireError) -> NodeID {
        let raw = try readU64(field())
        guard raw != 0 else { throw malformed("\(field()) is 0, which names no node") }
        return NodeID(raw)
    }

    mutating func readSnapshotMeta(_ field: @autoclosure () -> String) throws(WireError) -> SnapshotMeta {
        SnapshotMeta(index: try readU64("\(field()).index"), term: try readU64("\(field()).term"))
    }

    /// The entries must continue the log right after `prevIndex`, with terms from `prevTerm` up
    /// to the sender's `term`, never going back: the consensus core traps on anything else.
    private mutating func readAppendRequest(_ field: @autoclosure () -> String, term: Term) throws(WireError) -> AppendRequest {
        let prevIndex = try readU64("\(field()).prevIndex")
        let prevTerm = try readU64("\(field()).prevTerm")
        let count = try readCount("\(field()).entries", elementBytesMin: LogEntry.wireBytesMin)
        var entries: [LogEntry] = []
        entries.reserveCapacity(count)
        var lastIndex = prevIndex
        var lastTerm = prevTerm
        for position in 0..<count {
            let entryTerm = try readU64("\(field()).entries[\(position)].term")
            let index = try readU64("\(field()).entries[\(position)].index")
            let rawKind = try readU8("\(field()).entries[\(position)].kind")
            guard let kind = LogEntry.Kind(rawValue: rawKind) else {
                throw malformed("\(field()).entries[\(position)].kind is \(rawKind); a log entry kind must be 0 (normal) or 1 (leaderNoop)")
            }
            let payload = try readEntryPayload("\(field()).entries[\(position)].payload")
            let (expectedIndex, overflow) = lastIndex.addingReportingOverflow(1)
            guard !overflow, index == expectedIndex else {
                throw malformed("\(field()).entries[\(position)].index is \(index); entries must follow prevIndex \(prevIndex) one by one")
            }
            guard entryTerm >= lastTerm, entryTerm <= term else {
                throw malformed("\(field()).entries[\(position)].term is \(entryTerm); entry terms must not decrease from prevTerm \(prevTerm) nor exceed the message term \(term)")
            }
            entries.append(LogEntry(term: entryTerm, index: index, kind: kind, payload: payload))
            lastIndex = index
            lastTerm = entryTerm
        }
        return AppendRequest(
            prevIndex: prevIndex, prevTerm: prevTerm, entries: entries,
            commit: try readU64("\(field()).commit"), sentAtTick: try readU64("\(field()).sentAtTick"))
    }

    private mutating func readAppendResponse(_ field: @autoclosure () -> String) throws(WireError) -> AppendResponse {
        let index = try readU64("\(field()).index")
        var rejection: AppendResponse.Rejection?
        if try readBool("\(field()).rejection present") {
            let conflictTerm: Term? = try readBool("\(field()).rejection.conflictTerm present")
                ? try readU64("\(field()).rejection.conflictTerm") : nil
            rejection = AppendResponse.Rejection(
                conflictTerm: conflictTerm, firstIndexOfConflictTerm: try readU64("\(field()).rejection.firstIndexOfConflictTerm"))
        }
        let echoedSentAtTick: UInt64? = try readBool("\(field()).echoedSentAtTick present")
            ? try readU64("\(field()).echoedSentAtTick") : nil
        return AppendResponse(index: index, rejection: rejection, echoedSentAtTick: echoedSentAtTick)
    }
}
