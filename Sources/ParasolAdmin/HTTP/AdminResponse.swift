import Foundation

/// One admin response, the same for HTTP/1.1 and HTTP/2; the connection handlers only frame it.
struct AdminResponse: Sendable, Equatable {
    struct Header: Sendable, Equatable {
        /// Lower-case, as HTTP/2 requires; HTTP/1.1 does not care.
        var name: String
        var value: String
    }

    var status: Int
    var contentType: String
    var body: [UInt8]
    /// Headers beyond content type and length (`allow`, `www-authenticate`).
    var extraHeaders: [Header] = []

    static let jsonContentType = "application/json"
    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    static func json(status: Int = 200, _ value: some Encodable) -> AdminResponse {
        do {
            return AdminResponse(status: status, contentType: jsonContentType, body: Array(try AdminJSON.encoder().encode(value)))
        } catch {
            return .error(.internalError("cannot encode the response: \(error)"))
        }
    }

    static func error(_ error: AdminHTTPError) -> AdminResponse {
        var response = json(status: error.status, AdminErrorBody(code: error.code, message: error.message))
        response.extraHeaders = error.extraHeaders
        return response
    }
}
