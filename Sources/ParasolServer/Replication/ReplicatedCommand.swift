import NIOCore
import ParasolConsensus
import ParasolTensors
import ParasolWire

/// How a shard command travels inside a log entry: one byte of message type, then the message
/// payload exactly as the wire carries it. One codec for the socket, the log and replication.
enum ReplicatedCommand {
    static func encode(_ message: Message) -> [UInt8] {
        FrameCodec.encodePayload(of: message, prefix: message.type.rawValue)
    }

    /// The command a committed entry carries. Throws on bytes that are not one: every replica
    /// would fail the same way on the same entry, so the caller stops the shard rather than
    /// apply a different history.
    static func decode(_ payload: [UInt8], index: LogIndex) throws -> ShardCommand {
        guard let typeByte = payload.first, let type = MessageType(rawValue: typeByte) else {
            throw ServerError.recovery(shard: 0, reason: "log entry \(index) has no known command type")
        }
        var buffer = ByteBuffer(bytes: payload.dropFirst())
        guard let command = command(of: try FrameCodec.decodePayload(type: type, from: &buffer)) else {
            throw ServerError.recovery(shard: 0, reason: "log entry \(index) holds \(type), which is not a command")
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
