import NIOCore
import ParasolConsensus
import ParasolWire
import Testing

/// Replication messages survive encode → decode unchanged, agree with the reference layout of
/// wire.md, and stream through the frame decoder in any chunking.
@Suite struct ReplicationRoundTripTests {
    @Test func seededRandomRaftMessagesOfEveryKindRoundTrip() throws {
        let seed: UInt64 = 0x5EED_0040
        print("seededRandomRaftMessagesOfEveryKindRoundTrip seed: \(seed)")
        var random = SeededRandom(seed: seed)
        var kindsSeen = Set<String>()
        for round in 0..<300 {
            let messages = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                ShardRaftMessage(shardID: UInt32.random(in: 0...UInt32.max, using: &random), message: random.raftMessage())
            }
            kindsSeen.formUnion(messages.map { kindName($0.message.kind) })
            let frame = Frame(requestID: random.next(), shardID: 0, message: .raftMessages(RaftBatch(messages: messages)))
            var buffer = ByteBufferAllocator().buffer(capacity: 0)
            FrameCodec.encode(frame, into: &buffer)
            let bytes = Array(buffer.readableBytesView)
            #expect(bytes == ReferenceLayout.encode(frame).bytes, "seed \(seed) round \(round)")
            #expect(try FrameCodec.decode(&buffer, frameBytesMax: 1 << 20) == frame, "seed \(seed) round \(round)")
            #expect(DecoderDriver.randomChunks(bytes, using: &random) == .decoded([frame], bufferedBytes: 0), "seed \(seed) round \(round)")
        }
        #expect(kindsSeen == Self.allKindNames, "seed \(seed) did not draw every kind")
    }

    @Test func seededRandomSnapshotAndTransferMessagesRoundTrip() throws {
        let seed: UInt64 = 0x5EED_0041
        print("seededRandomSnapshotAndTransferMessagesRoundTrip seed: \(seed)")
        var random = SeededRandom(seed: seed)
        for round in 0..<200 {
            let message = random.snapshotOrTransferMessage()
            let frame = Frame(requestID: random.next(), shardID: UInt32.random(in: 0...9, using: &random), message: message)
            var buffer = ByteBufferAllocator().buffer(capacity: 0)
            FrameCodec.encode(frame, into: &buffer)
            #expect(Array(buffer.readableBytesView) == ReferenceLayout.encode(frame).bytes, "seed \(seed) round \(round): \(message.type)")
            #expect(try FrameCodec.decode(&buffer, frameBytesMax: 1 << 20) == frame, "seed \(seed) round \(round)")
        }
    }

    @Test func decodedSnapshotDataIsASliceOfTheReceivedFrame() throws {
        let data = ByteBuffer(bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0) })
        let frame = Frame(requestID: 1, shardID: 2, message: .snapshotChunk(SnapshotChunk(
            from: 1, to: 2, term: 3, snapshot: SnapshotMeta(index: 4, term: 3), offset: 0, totalBytes: 4096,
            manifest: Array("{}".utf8), data: data)))
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(frame, into: &buffer)
        let frameRange = buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress)..<UInt(bitPattern: $0.baseAddress! + $0.count) }

        guard case .snapshotChunk(let chunk) = try FrameCodec.decode(&buffer, frameBytesMax: 1 << 20)?.message else {
            Issue.record("expected a snapshotChunk frame")
            return
        }
        let dataAddress = chunk.data.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(frameRange.contains(dataAddress), "the chunk's data should point into the frame's bytes")
        #expect(chunk.data == data)
    }

    @Test func replicationTypesHaveTheirWireNames() {
        #expect(MessageType.raftMessages.description == "raftMessages (0x40)")
        #expect(MessageType.snapshotChunk.description == "snapshotChunk (0x41)")
        #expect(MessageType.snapshotChunkAck.description == "snapshotChunkAck (0x42)")
        #expect(MessageType.transferLeadership.description == "transferLeadership (0x43)")
        #expect(MessageType.leadershipTransferred.description == "leadershipTransferred (0x44)")
        let replicationRange = MessageType.replicationRangeStart...MessageType.replicationRangeEnd
        #expect([MessageType.raftMessages, .snapshotChunk, .snapshotChunkAck, .transferLeadership, .leadershipTransferred]
            .allSatisfy { replicationRange.contains($0.rawValue) })
    }

    static let allKindNames: Set<String> = [
        "preVote", "preVoteResponse", "vote", "voteResponse", "append", "appendResponse", "heartbeat",
        "heartbeatResponse", "timeoutNow", "snapshot", "snapshotResponse",
    ]

    /// Exhaustive: a new kind stops this file compiling, then fails the test until it is drawn.
    private func kindName(_ kind: RaftMessage.Kind) -> String {
        switch kind {
        case .preVote: "preVote"
        case .preVoteResponse: "preVoteResponse"
        case .vote: "vote"
        case .voteResponse: "voteResponse"
        case .append: "append"
        case .appendResponse: "appendResponse"
        case .heartbeat: "heartbeat"
        case .heartbeatResponse: "heartbeatResponse"
        case .timeoutNow: "timeoutNow"
        case .snapshot: "snapshot"
        case .snapshotResponse: "snapshotResponse"
        }
    }
}

extension SeededRandom {
    /// A consensus message of a random kind whose fields are random but valid: node ids are not
    /// 0, append entries follow `prevIndex` with terms between `prevTerm` and the message term.
    mutating func raftMessage() -> RaftMessage {
        let from = NodeID(UInt64.random(in: 1...UInt64.max, using: &self))
        let to = NodeID(UInt64.random(in: 1...UInt64.max, using: &self))
        let term = UInt64.random(in: 0...UInt64.max, using: &self)
        let kind: RaftMessage.Kind
        switch Int.random(in: 0..<11, using: &self) {
        case 0: kind = .preVote(lastLogIndex: next(), lastLogTerm: next())
        case 1: kind = .preVoteResponse(granted: Bool.random(using: &self))
        case 2: kind = .vote(lastLogIndex: next(), lastLogTerm: next(), isLeadershipTransfer: Bool.random(using: &self))
        case 3: kind = .voteResponse(granted: Bool.random(using: &self))
        case 4: kind = .append(appendRequest(term: term))
        case 5:
            let rejection = Bool.random(using: &self)
                ? AppendResponse.Rejection(conflictTerm: Bool.random(using: &self) ? next() : nil, firstIndexOfConflictTerm: next())
                : nil
            kind = .appendResponse(AppendResponse(index: next(), rejection: rejection, echoedSentAtTick: Bool.random(using: &self) ? next() : nil))
        case 6: kind = .heartbeat(Heartbeat(commit: next(), sentAtTick: next()))
        case 7: kind = .heartbeatResponse(echoedSentAtTick: next())
        case 8: kind = .timeoutNow
        case 9: kind = .snapshot(SnapshotMeta(index: next(), term: next()))
        default: kind = .snapshotResponse(index: next())
        }
        return RaftMessage(from: from, to: to, term: term, kind: kind)
    }

    private mutating func appendRequest(term: Term) -> AppendRequest {
        let count = Int.random(in: 0...4, using: &self)
        let prevIndex = UInt64.random(in: 0...(UInt64.max - UInt64(count)), using: &self)
        var entryTerm = UInt64.random(in: 0...term, using: &self)
        let prevTerm = UInt64.random(in: 0...entryTerm, using: &self)
        var entries: [LogEntry] = []
        for position in 0..<count {
            entryTerm = UInt64.random(in: entryTerm...term, using: &self)
            entries.append(LogEntry(
                term: entryTerm, index: prevIndex + UInt64(position) + 1, kind: Bool.random(using: &self) ? .normal : .leaderNoop,
                // One in eight is large enough (64 KiB) to arrive as a slice of the frame, not a copy.
                payload: EntryPayload(bytes(Int.random(in: 0..<8, using: &self) == 0
                    ? Int.random(in: (64 << 10)...((64 << 10) + 99), using: &self)
                    : Int.random(in: 0...9, using: &self)))))
        }
        return AppendRequest(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: next(), sentAtTick: next())
    }

    mutating func snapshotOrTransferMessage() -> Message {
        let snapshot = SnapshotMeta(index: next(), term: next())
        let from = UInt64.random(in: 1...UInt64.max, using: &self)
        let to = UInt64.random(in: 1...UInt64.max, using: &self)
        switch Int.random(in: 0..<4, using: &self) {
        case 0:
            let data = bytes(Int.random(in: 0...17, using: &self))
            let offset = UInt64.random(in: 0...(1 << 40), using: &self)
            return .snapshotChunk(SnapshotChunk(
                from: from, to: to, term: next(), snapshot: snapshot, offset: offset,
                totalBytes: offset + UInt64(data.count) + UInt64.random(in: 0...1000, using: &self),
                manifest: Array(name().utf8), data: ByteBuffer(bytes: data)))
        case 1:
            let status: SnapshotChunkAck.Status = [.receiving, .installed, .rejected].randomElement(using: &self)!
            return .snapshotChunkAck(SnapshotChunkAck(
                from: from, to: to, term: next(), snapshot: snapshot, nextOffset: next(), status: status,
                reason: status == .rejected ? name() : ""))
        case 2:
            return .transferLeadership(TransferLeadership(target: name(), timeoutMillis: UInt32.random(in: 0...UInt32.max, using: &self)))
        default:
            return .leadershipTransferred(LeadershipTransferred(previousPrimary: name(), newPrimary: name(), term: next(), elapsedMicros: next()))
        }
    }
}
