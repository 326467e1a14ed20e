import NIOCore
import ParasolWire
import Testing

/// Replication payloads a peer got wrong: truncated, unknown tags, counts and lengths the payload
/// cannot hold, appends the consensus core would trap on. Each is refused with a
/// `malformedPayload` naming the field, on the frame path and on the payload-only path alike.
@Suite struct ReplicationBadInputTests {
    // MARK: Building blocks (wire.md, "Replication messages")

    /// shardID, from, to, term and the kind tag of one message of a batch.
    static func raftHeader(from: UInt64 = 1, to: UInt64 = 2, term: UInt64 = 5, kind: UInt8) -> [UInt8] {
        littleEndian(UInt32(1)) + littleEndian(from) + littleEndian(to) + littleEndian(term) + [kind]
    }

    /// A batch of one message.
    static func batch(_ message: [UInt8]) -> [UInt8] {
        littleEndian(UInt32(1)) + message
    }

    static func entry(term: UInt64 = 5, index: UInt64, kind: UInt8 = 0, payload: [UInt8] = []) -> [UInt8] {
        littleEndian(term) + littleEndian(index) + [kind] + littleEndian(UInt32(payload.count)) + payload
    }

    /// An append of term 5 after (prevIndex, prevTerm), commit 0 and sentAtTick 0.
    static func append(prevIndex: UInt64 = 7, prevTerm: UInt64 = 4, entries: [[UInt8]]) -> [UInt8] {
        batch(raftHeader(kind: 4) + littleEndian(prevIndex) + littleEndian(prevTerm) + littleEndian(UInt32(entries.count))
            + entries.flatMap { $0 } + littleEndian(UInt64(0)) + littleEndian(UInt64(0)))
    }

    /// from 1, to 3, term 5, snapshot (10, 4), then the given offset and total.
    static func chunkHead(from: UInt64 = 1, offset: UInt64 = 0, totalBytes: UInt64 = 100) -> [UInt8] {
        littleEndian(from) + littleEndian(UInt64(3)) + littleEndian(UInt64(5)) + littleEndian(UInt64(10)) + littleEndian(UInt64(4))
            + littleEndian(offset) + littleEndian(totalBytes)
    }

    static let ackHead = littleEndian(UInt64(3)) + littleEndian(UInt64(1)) + littleEndian(UInt64(5)) + littleEndian(UInt64(10))
        + littleEndian(UInt64(4)) + littleEndian(UInt64(64))

    static let malformedCases: [BadInputTests.MalformedCase] = [
        .init(description: "unknown raft message kind", type: .raftMessages,
              payload: batch(raftHeader(kind: 11)), mentions: "messages[0].kind is 11"),
        .init(description: "unknown raft message kind 0xFF", type: .raftMessages,
              payload: batch(raftHeader(kind: 0xFF) + [UInt8](repeating: 0, count: 16)), mentions: "messages[0].kind is 255"),
        .init(description: "message count larger than the payload", type: .raftMessages,
              payload: littleEndian(UInt32.max) + raftHeader(kind: 8), mentions: "messages claims 4294967295 elements"),
        .init(description: "entry count larger than the payload", type: .raftMessages,
              payload: batch(raftHeader(kind: 4) + littleEndian(UInt64(7)) + littleEndian(UInt64(4)) + littleEndian(UInt32(1_000_000)) + entry(index: 8)),
              mentions: "messages[0].entries claims 1000000 elements"),
        .init(description: "entry payload length larger than the payload", type: .raftMessages,
              payload: batch(raftHeader(kind: 4) + littleEndian(UInt64(7)) + littleEndian(UInt64(4)) + littleEndian(UInt32(1))
                  + littleEndian(UInt64(5)) + littleEndian(UInt64(8)) + [0] + littleEndian(UInt32.max) + [UInt8](repeating: 0, count: 16)),
              mentions: "messages[0].entries[0].payload needs 4294967295 bytes"),
        .init(description: "unknown log entry kind", type: .raftMessages,
              payload: append(entries: [entry(index: 8, kind: 2)]), mentions: "messages[0].entries[0].kind is 2"),
        .init(description: "heartbeat cut short", type: .raftMessages,
              payload: batch(raftHeader(kind: 6) + littleEndian(UInt64(9)) + [1, 2, 3]), mentions: "messages[0].sentAtTick needs 8 bytes, but only 3 remain"),
        .init(description: "second message missing", type: .raftMessages,
              payload: littleEndian(UInt32(2)) + raftHeader(kind: 8) + [UInt8](repeating: 0, count: 29)[..<28],
              mentions: "messages claims 2 elements"),
        .init(description: "sender node id 0", type: .raftMessages,
              payload: batch(raftHeader(from: 0, kind: 8)), mentions: "messages[0].from is 0"),
        .init(description: "receiver node id 0", type: .raftMessages,
              payload: batch(raftHeader(to: 0, kind: 8)), mentions: "messages[0].to is 0"),
        .init(description: "vote granted neither 0 nor 1", type: .raftMessages,
              payload: batch(raftHeader(kind: 3) + [2]), mentions: "messages[0].granted is 2"),
        .init(description: "presence byte neither 0 nor 1", type: .raftMessages,
              payload: batch(raftHeader(kind: 5) + littleEndian(UInt64(3)) + [2] + [UInt8](repeating: 0, count: 9)),
              mentions: "messages[0].rejection present is 2"),
        .init(description: "entries not following prevIndex", type: .raftMessages,
              payload: append(entries: [entry(index: 9)]), mentions: "messages[0].entries[0].index is 9; entries must follow prevIndex 7"),
        .init(description: "entries with a gap", type: .raftMessages,
              payload: append(entries: [entry(index: 8), entry(index: 10)]), mentions: "messages[0].entries[1].index is 10"),
        .init(description: "entry index past the end of u64", type: .raftMessages,
              payload: append(prevIndex: .max, entries: [entry(index: 0)]), mentions: "messages[0].entries[0].index is 0"),
        .init(description: "entry term below prevTerm", type: .raftMessages,
              payload: append(entries: [entry(term: 3, index: 8)]), mentions: "messages[0].entries[0].term is 3"),
        .init(description: "entry terms going back", type: .raftMessages,
              payload: append(prevTerm: 2, entries: [entry(term: 4, index: 8), entry(term: 3, index: 9)]), mentions: "messages[0].entries[1].term is 3"),
        .init(description: "entry term beyond the message term", type: .raftMessages,
              payload: append(entries: [entry(term: 6, index: 8)]), mentions: "messages[0].entries[0].term is 6"),
        .init(description: "chunk manifest length larger than the payload", type: .snapshotChunk,
              payload: chunkHead() + littleEndian(UInt32.max) + [1, 2], mentions: "manifest needs 4294967295 bytes, but only 2 remain"),
        .init(description: "chunk data length larger than the payload", type: .snapshotChunk,
              payload: chunkHead() + littleEndian(UInt32(0)) + littleEndian(UInt32(50)) + [1, 2], mentions: "data needs 50 bytes, but only 2 remain"),
        .init(description: "chunk data beyond totalBytes", type: .snapshotChunk,
              payload: chunkHead(offset: 99, totalBytes: 100) + littleEndian(UInt32(0)) + littleEndian(UInt32(2)) + [1, 2],
              mentions: "data of 2 bytes at offset 99 ends beyond totalBytes 100"),
        .init(description: "chunk offset past the end of u64", type: .snapshotChunk,
              payload: chunkHead(offset: .max, totalBytes: .max) + littleEndian(UInt32(0)) + littleEndian(UInt32(1)) + [1],
              mentions: "ends beyond totalBytes"),
        .init(description: "chunk from node id 0", type: .snapshotChunk,
              payload: chunkHead(from: 0) + littleEndian(UInt32(0)) + littleEndian(UInt32(0)), mentions: "from is 0"),
        .init(description: "unknown ack status", type: .snapshotChunkAck,
              payload: ackHead + [3] + littleEndian(UInt32(0)), mentions: "status is 3"),
        .init(description: "ack reason cut short", type: .snapshotChunkAck,
              payload: ackHead + [2] + littleEndian(UInt32(10)) + Array("disk".utf8), mentions: "reason needs 10 bytes, but only 4 remain"),
        .init(description: "transfer timeout cut short", type: .transferLeadership,
              payload: littleEndian(UInt32(2)) + Array("n2".utf8) + [0x88, 0x13], mentions: "timeoutMillis needs 4 bytes, but only 2 remain"),
        .init(description: "bytes after a leadershipTransferred", type: .leadershipTransferred,
              payload: littleEndian(UInt32(0)) + littleEndian(UInt32(0)) + littleEndian(UInt64(1)) + littleEndian(UInt64(2)) + [0],
              mentions: "1 bytes left over"),
    ]

    @Test(arguments: malformedCases)
    func malformedReplicationPayloadIsRefusedNamingTheField(_ bad: BadInputTests.MalformedCase) {
        expectMalformed(type: bad.type, payload: bad.payload, mentions: bad.mentions, bad.description)
    }

    /// Every strict prefix of each replication vector's payload, framed with a correct CRC, is
    /// malformed: a truncated message never decodes to something else.
    @Test(arguments: GoldenVector.replication)
    func everyTruncationOfAReplicationPayloadIsRefused(_ vector: GoldenVector) {
        let payload = ReferenceLayout.payload(of: vector.frame.message)
        for length in 0..<payload.count {
            expectMalformed(type: vector.frame.message.type, payload: Array(payload[..<length]), mentions: "", "\(vector.file) cut to \(length) bytes")
        }
    }

    private func expectMalformed(type: MessageType, payload: [UInt8], mentions: String, _ what: String) {
        let matches: (WireError) -> Bool = { error in
            guard case .malformedPayload(let errorType, let reason) = error else { return false }
            return errorType == type && reason.contains(mentions)
        }
        let bytes = ReferenceLayout.frame(type: type.rawValue, payload: payload)
        for outcome in [DecoderDriver.allAtOnce(bytes), DecoderDriver.oneByteAtATime(bytes)] {
            guard case .failed(let error, let fedBytes, let frames) = outcome else {
                Issue.record("\(what): expected a failure, got \(outcome)")
                continue
            }
            #expect(matches(error), "\(what): \(error)")
            #expect(fedBytes == bytes.count && frames.isEmpty, "\(what)")
        }
        var buffer = ByteBuffer(bytes: payload)
        #expect("\(what)", performing: { try FrameCodec.decodePayload(type: type, from: &buffer) }, throws: { error in
            (error as? WireError).map(matches) ?? false
        })
    }
}
