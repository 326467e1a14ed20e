import ParasolWire

/// Why a client call failed. Every call ends in a value or one of these within its deadline;
/// none hangs.
public enum ParasolClientError: Error, CustomStringConvertible, Sendable {
    /// The call did not finish within its deadline (retries included). For a push this means
    /// the outcome is unknown: it may or may not have been applied, and it will not be applied
    /// twice.
    case deadlineExceeded(operation: String, seconds: Double, lastError: String)
    /// The server answered with a typed error that retrying cannot fix.
    case server(ErrorReply)
    /// The node could not be reached or dropped the connection.
    case connectionFailed(node: String, address: String, reason: String)
    /// The server answered with something the protocol does not allow at that point.
    case protocolViolation(String)
    /// The arguments were wrong before anything was sent.
    case invalidArgument(String)
    /// The client was closed.
    case closed

    public var description: String {
        switch self {
        case .deadlineExceeded(let operation, let seconds, let lastError):
            return "\(operation) did not complete within \(seconds) s (last error: \(lastError))"
        case .server(let reply):
            let hint = reply.leaderHint.isEmpty ? "" : " (primary: \(reply.leaderHint))"
            return "server error \(reply.code): \(reply.message)\(hint)"
        case .connectionFailed(let node, let address, let reason):
            return "cannot reach node \(node) at \(address): \(reason)"
        case .protocolViolation(let what):
            return "protocol violation: \(what)"
        case .invalidArgument(let what):
            return "invalid argument: \(what)"
        case .closed:
            return "the client is closed"
        }
    }

    /// Whether trying again (after a pause, maybe elsewhere) can succeed.
    var isRetryable: Bool {
        switch self {
        case .connectionFailed:
            return true
        case .server(let reply):
            return reply.code == .notLeader || reply.code == .unavailable
        case .deadlineExceeded, .protocolViolation, .invalidArgument, .closed:
            return false
        }
    }
}
