/// Why a node cannot start or keep serving. Each message names the node, file or address.
enum ServerError: Error, CustomStringConvertible {
    case shuttingDown
    case dataDirectory(path: String, reason: String)
    case cannotListen(nodeID: String, role: String, address: String, reason: String)
    case recovery(shard: UInt32, reason: String)

    var description: String {
        switch self {
        case .shuttingDown:
            return "the node is shutting down"
        case .dataDirectory(let path, let reason):
            return "data directory \(path) is not usable: \(reason)"
        case .cannotListen(let nodeID, let role, let address, let reason):
            return "node \(nodeID) cannot listen on \(address) (\(role) address): \(reason)"
        case .recovery(let shard, let reason):
            return "shard \(shard) cannot recover its state: \(reason)"
        }
    }
}
