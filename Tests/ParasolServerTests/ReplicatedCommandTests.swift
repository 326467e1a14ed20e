import NIOCore
import ParasolConsensus
import ParasolTensors
import ParasolWire
import Testing

@testable import ParasolServer

/// A log entry is the request frame as it arrived: a large push is logged and replicated from
/// its receive buffer, a small one from a copy of its own; every replica decodes the same
/// command from it, and logs written before entries were frames still replay.
@Suite struct ReplicatedCommandTests {
    private func push(floats: Int) -> Message {
        .pushDense(PushDense(
            id: PushID(clientID: 3, sequence: 9, acknowledgedBelow: 9), name: "w", offset: 2,
            gradient: ByteBuffer(floats: (0..<floats).map(Float.init))))
    }

    /// The frame as a connection decodes it, with its received bytes.
    private func receivedFrame(_ message: Message) throws -> Frame {
        var bytes = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(Frame(requestID: 1, shardID: 0, message: message), into: &bytes)
        return try #require(try FrameCodec.decode(&bytes, frameBytesMax: 1 << 30))
    }

    private func gradient(of command: ShardCommand) -> [Float]? {
        guard case .pushDense(let push) = command else { return nil }
        return push.gradient.readableFloats()
    }

    @Test func aLargePushIsLoggedFromTheBytesItArrivedIn() throws {
        let frame = try receivedFrame(push(floats: 100_000))
        let entry = ReplicatedCommand.encode(frame)
        let address = { (bytes: UnsafeRawBufferPointer) in UInt(bitPattern: bytes.baseAddress) }
        #expect(entry.withUnsafeBytes(address) == frame.received!.withUnsafeReadableBytes(address))
        #expect(try gradient(of: ReplicatedCommand.decode(entry, index: 1)) == (0..<100_000).map(Float.init))
    }

    @Test func aSmallPushIsLoggedFromACopy() throws {
        let frame = try receivedFrame(push(floats: 3))
        let entry = ReplicatedCommand.encode(frame)
        #expect(entry.storage is [UInt8], "a small entry should not keep the receive buffer alive")
        #expect(entry.bytes == Array(frame.received!.readableBytesView))
        #expect(try gradient(of: ReplicatedCommand.decode(entry, index: 1)) == [0, 1, 2])
    }

    @Test func aRequestWithoutReceivedBytesIsEncodedAsAFrame() throws {
        let entry = ReplicatedCommand.encode(Frame(requestID: 1, shardID: 0, message: push(floats: 3)))
        #expect(Array(entry.bytes.prefix(4)) == [UInt8]("PRSL".utf8))
        #expect(try gradient(of: ReplicatedCommand.decode(entry, index: 1)) == [0, 1, 2])
    }

    @Test func anEntryOfAnEarlierLogReplays() throws {
        // One byte of message type, then the payload: the format before entries were frames.
        let frame = try receivedFrame(push(floats: 3))
        let payload = Array(frame.received!.readableBytesView.dropFirst(Frame.headerBytes))
        let entry = EntryPayload([MessageType.pushDense.rawValue] + payload)
        #expect(try gradient(of: ReplicatedCommand.decode(entry, index: 1)) == [0, 1, 2])
    }

    @Test func bytesThatAreNoCommandAreRefusedNamingTheEntry() throws {
        #expect(throws: ServerError.self) { try ReplicatedCommand.decode(EntryPayload([UInt8]("PRSX....".utf8)), index: 42) }
        do {
            _ = try ReplicatedCommand.decode(EntryPayload([UInt8]("PRSL".utf8)), index: 42)
            Issue.record("a bare magic decoded")
        } catch {
            #expect("\(error)".contains("log entry 42"), "\(error)")
        }
        let pull = try receivedFrame(.pullDense(PullDense(name: "w", offset: 0, count: 1, minVersion: 0)))
        do {
            _ = try ReplicatedCommand.decode(EntryPayload(Array(pull.received!.readableBytesView)), index: 7)
            Issue.record("a pull decoded as a command")
        } catch {
            #expect("\(error)".contains("log entry 7 holds pullDense"), "\(error)")
        }
    }
}
