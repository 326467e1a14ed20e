/// Every way an admin request can fail, each with its HTTP status and stable JSON code.
enum AdminHTTPError: Error, Sendable, Equatable {
    case badRequest(String)
    case unauthorized(String)
    case notFound(String)
    case methodNotAllowed(method: String, path: String, allowed: [String])
    case conflict(String)
    case payloadTooLarge(bytes: Int, limit: Int)
    case headersTooLarge(String)
    case internalError(String)
    case unavailable(String)
    case notReady(String)

    var status: Int {
        switch self {
        case .badRequest: 400
        case .unauthorized: 401
        case .notFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .payloadTooLarge: 413
        case .headersTooLarge: 431
        case .internalError: 500
        case .unavailable, .notReady: 503
        }
    }

    var code: String {
        switch self {
        case .badRequest: "badRequest"
        case .unauthorized: "unauthorized"
        case .notFound: "notFound"
        case .methodNotAllowed: "methodNotAllowed"
        case .conflict: "conflict"
        case .payloadTooLarge: "payloadTooLarge"
        case .headersTooLarge: "headersTooLarge"
        case .internalError: "internalError"
        case .unavailable: "unavailable"
        case .notReady: "notReady"
        }
    }

    var message: String {
        switch self {
        case .badRequest(let message), .unauthorized(let message), .notFound(let message), .conflict(let message),
            .headersTooLarge(let message), .internalError(let message), .unavailable(let message),
            .notReady(let message):
            message
        case .methodNotAllowed(let method, let path, let allowed):
            "\(method) is not allowed on \(path); use \(allowed.joined(separator: " or "))"
        case .payloadTooLarge(let bytes, let limit):
            "the request body of \(bytes) bytes exceeds the limit of \(limit) bytes"
        }
    }

    var extraHeaders: [AdminResponse.Header] {
        switch self {
        case .methodNotAllowed(_, _, let allowed):
            [AdminResponse.Header(name: "allow", value: allowed.joined(separator: ", "))]
        case .unauthorized:
            [AdminResponse.Header(name: "www-authenticate", value: "Bearer realm=\"parasol\"")]
        default:
            []
        }
    }
}

/// Reason phrases for the status lines of HTTP/1.1 responses.
enum HTTPStatusPhrase {
    static func of(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}
