/// One admin request, the same whether it arrived over HTTP/1.1 or HTTP/2.
struct AdminRequest: Sendable, Equatable {
    /// As sent (methods are case-sensitive in HTTP).
    var method: String
    /// The origin-form target: path plus optional `?query`.
    var target: String
    /// The `Authorization` header's value, nil when absent.
    var authorization: String?
    var body: [UInt8]
}
