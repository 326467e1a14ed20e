/// Why an admin request from `AdminHTTPClient` got no usable answer; each names the address.
public enum AdminHTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectFailed(address: String, reason: String)
    /// The connection failed after it was established (reset, broken pipe).
    case ioFailed(address: String, reason: String)
    case deadlineExceeded(address: String, timeoutSeconds: Double)
    case closedEarly(address: String)
    case malformedResponse(address: String, reason: String)
    case responseTooLarge(address: String, limitBytes: Int)

    public var description: String {
        switch self {
        case .connectFailed(let address, let reason):
            "cannot connect to \(address): \(reason)"
        case .ioFailed(let address, let reason):
            "I/O error talking to \(address): \(reason)"
        case .deadlineExceeded(let address, let timeoutSeconds):
            "no answer from \(address) within \(timeoutSeconds) s"
        case .closedEarly(let address):
            "\(address) closed the connection before the response was complete"
        case .malformedResponse(let address, let reason):
            "\(address) sent a malformed HTTP response: \(reason)"
        case .responseTooLarge(let address, let limitBytes):
            "the response from \(address) exceeds \(limitBytes) bytes"
        }
    }
}
