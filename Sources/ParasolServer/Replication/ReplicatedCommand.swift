import NIOCore
import ParasolConsensus
import ParasolTensors
import ParasolWire

/// How a shard command travels inside a log entry: as the client's request frame, header and
/// payload, exactly as the wire carries it. One codec for the socket, the log and replication,
/// and a large push is logged and replicated from the bytes it arrived in, not encoded again.
enum ReplicatedCommand {
    /// The entry for a request: the frame it arrived in (a slice of it when it is at least
    /// `EntryPayload.sliceBytesMin`, a copy otherwise), or a frame encoded for it.
    static func encode(_ frame: Frame) -> EntryPayload {
        guard let received = frame.received else {
            var buffer = ByteBufferAllocator().buffer(capacity: 256)
            FrameCodec.encode(Frame(requestID: frame.requestID, shardID: frame.shardID, message: frame.message), into: &buffer)
            return EntryPayload(buffer)
        }
        return EntryPayload(keeping: received)
    }

    /// The command a committed entry carries. Throws on bytes that are not one: every replica
    /// would fail the same way on the same entry, so the caller stops the shard rather than
    /// apply a different history.
    ///
    /// The command's float blocks are slices of the entry's bytes: a follower applies a 4 MiB
    /// gradient from the frame it arrived in.
    static func decode(_ payload: EntryPayload, index: LogIndex) throws -> ShardCommand {
        let buffer = payload.byteBuffer
        let message: Message
        if let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), let type = MessageType(rawValue: first) {
            // Logs written before entries were frames: one byte of message type, then the payload.
            var payloadBytes = buffer.getSlice(at: buffer.readerIndex + 1, length: buffer.readableBytes - 1)!
            message = try FrameCodec.decodePayload(type: type, from: &payloadBytes)
        } else {
            do {
                message = try FrameCodec.decodeLogged(buffer).message
            } catch {
                throw ServerError.recovery(shard: 0, reason: "log entry \(index) holds no command: \(error)")
            }
        }
        guard let command = command(of: message) else {
            throw ServerError.recovery(shard: 0, reason: "log entry \(index) holds \(message.type), which is not a command")
        }
        return command
    }

    /// The state change a request asks for, or nil for a request that changes nothing.
    static func command(of message: Message) -> ShardCommand? {
        switch message {
        case .createTensor(let create): .createTensor(create)
        case .pushDense(let push): .pushDense(push)
        case .pushSparse(let push): .pushSparse(push)
        default: nil
        }
    }
}
