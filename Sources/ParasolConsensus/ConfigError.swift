/// A `Config` that cannot work, with the offending value.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case zeroNodeID
    case emptyPeers
    case zeroPeerID(position: Int)
    case duplicatePeer(NodeID)
    case selfNotInPeers(id: NodeID, peers: [NodeID])
    case heartbeatTicksNotPositive(Int)
    case electionTicksNotAboveHeartbeat(electionTicks: Int, heartbeatTicks: Int)
    case leaseMarginOutOfRange(marginTicks: Int, electionTicks: Int)
    case silenceTimeoutBelowElection(silenceTicks: Int, electionTicks: Int)
    case inflightWindowNotPositive(Int)
    case messageBytesNotPositive(Int)
    case uncommittedBytesNotPositive(Int)
    case snapshotTimeoutNotPositive(Int)

    public var description: String {
        switch self {
        case .zeroNodeID:
            "config.id is 0; node id 0 is reserved for 'nobody'"
        case .emptyPeers:
            "config.peers is empty; it must list every replica including this one"
        case .zeroPeerID(let position):
            "config.peers[\(position)] is 0; node id 0 is reserved for 'nobody'"
        case .duplicatePeer(let peer):
            "config.peers lists \(peer) more than once"
        case .selfNotInPeers(let id, let peers):
            "config.peers \(peers) does not contain this node's id \(id)"
        case .heartbeatTicksNotPositive(let ticks):
            "config.heartbeatTicks is \(ticks); it must be at least 1"
        case .electionTicksNotAboveHeartbeat(let election, let heartbeat):
            "config.electionTicks (\(election)) must be greater than config.heartbeatTicks (\(heartbeat))"
        case .leaseMarginOutOfRange(let margin, let election):
            "config.leaseSafetyMarginTicks is \(margin); it must be in 0..<electionTicks (\(election))"
        case .silenceTimeoutBelowElection(let silence, let election):
            "config.silenceTimeoutTicks is \(silence); it must be at least electionTicks (\(election)): followers refuse votes that soon"
        case .inflightWindowNotPositive(let window):
            "config.maxInflightMessages is \(window); the replication window must be at least 1"
        case .messageBytesNotPositive(let bytes):
            "config.maxEntriesBytesPerMessage is \(bytes); it must be at least 1"
        case .uncommittedBytesNotPositive(let bytes):
            "config.maxUncommittedBytes is \(bytes); it must be at least 1"
        case .snapshotTimeoutNotPositive(let ticks):
            "config.snapshotTransferTimeoutTicks is \(ticks); it must be at least 1"
        }
    }
}
