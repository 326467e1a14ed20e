/// The JSON body of every admin error response: `{"error": {"code": "...", "message": "..."}}`.
///
/// `code` is a stable camelCase word for programs; `message` is a sentence for people that names
/// what was wrong.
public struct AdminErrorBody: Sendable, Codable, Equatable {
    public struct Detail: Sendable, Codable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var error: Detail

    public init(code: String, message: String) {
        self.error = Detail(code: code, message: message)
    }
}
