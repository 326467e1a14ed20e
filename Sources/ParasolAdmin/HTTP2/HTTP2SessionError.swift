/// Why an nghttp2 session gave up on a connection; the connection closes, the server serves on.
enum HTTP2SessionError: Error, Equatable, CustomStringConvertible {
    case sessionCreationFailed(code: Int)
    case receiveFailed(code: Int, reason: String)
    case sendFailed(code: Int, reason: String)

    var description: String {
        switch self {
        case .sessionCreationFailed(let code):
            "cannot create an nghttp2 server session (error \(code))"
        case .receiveFailed(let code, let reason):
            "nghttp2 rejected the client's bytes: \(reason) (error \(code))"
        case .sendFailed(let code, let reason):
            "nghttp2 could not serialize frames: \(reason) (error \(code))"
        }
    }
}
