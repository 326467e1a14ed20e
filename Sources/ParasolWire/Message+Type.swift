extension Message {
    /// The header type byte this message is sent with.
    public var type: MessageType {
        switch self {
        case .hello: .hello
        case .createTensor: .createTensor
        case .pushDense: .pushDense
        case .pullDense: .pullDense
        case .pushSparse: .pushSparse
        case .pullSparse: .pullSparse
        case .describeTensor: .describeTensor
        case .shardMapRequest: .shardMapRequest
        case .snapshotRequest: .snapshotRequest
        case .helloReply: .helloReply
        case .tensorCreated: .tensorCreated
        case .pushAck: .pushAck
        case .denseData: .denseData
        case .sparseData: .sparseData
        case .tensorInfo: .tensorInfo
        case .shardMap: .shardMap
        case .snapshotTaken: .snapshotTaken
        case .error: .error
        case .raftMessages: .raftMessages
        case .snapshotChunk: .snapshotChunk
        case .snapshotChunkAck: .snapshotChunkAck
        case .transferLeadership: .transferLeadership
        case .leadershipTransferred: .leadershipTransferred
        }
    }
}

extension MessageType: CustomStringConvertible {
    /// The name used in wire.md and in error messages, e.g. `pushDense (0x03)`.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return "\(name) (0x\(rawValue < 0x10 ? "0" : "")\(digits))"
    }

    private var name: String {
        switch self {
        case .hello: "hello"
        case .createTensor: "createTensor"
        case .pushDense: "pushDense"
        case .pullDense: "pullDense"
        case .pushSparse: "pushSparse"
        case .pullSparse: "pullSparse"
        case .describeTensor: "describeTensor"
        case .shardMapRequest: "shardMapRequest"
        case .snapshotRequest: "snapshotRequest"
        case .helloReply: "helloReply"
        case .tensorCreated: "tensorCreated"
        case .pushAck: "pushAck"
        case .denseData: "denseData"
        case .sparseData: "sparseData"
        case .tensorInfo: "tensorInfo"
        case .shardMap: "shardMap"
        case .snapshotTaken: "snapshotTaken"
        case .error: "error"
        case .raftMessages: "raftMessages"
        case .snapshotChunk: "snapshotChunk"
        case .snapshotChunkAck: "snapshotChunkAck"
        case .transferLeadership: "transferLeadership"
        case .leadershipTransferred: "leadershipTransferred"
        }
    }
}
