/// A request target split into its path and its decoded query parameters.
struct AdminTarget: Equatable {
    var path: String
    var query: [String: String]

    /// Accepts origin-form targets only (`/path?query`); a repeated query key, a bad percent
    /// escape or a dot segment is a 400, because no admin route needs them and silently picking
    /// one reading invites confusion.
    init(parsing target: String) throws(AdminHTTPError) {
        guard target.hasPrefix("/") else {
            throw .badRequest("request target '\(target)' does not start with '/'")
        }
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(pieces[0])
        if path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) {
            throw .badRequest("request path '\(path)' contains a dot segment")
        }
        query = [:]
        guard pieces.count == 2, !pieces[1].isEmpty else { return }
        for pair in pieces[1].split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.percentDecoded(keyValue[0])
            let value = keyValue.count == 2 ? try Self.percentDecoded(keyValue[1]) : ""
            guard query[key] == nil else {
                throw .badRequest("query parameter '\(key)' appears more than once")
            }
            query[key] = value
        }
    }

    private static func percentDecoded(_ text: Substring) throws(AdminHTTPError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .badRequest("query '\(text)' has a '%' not followed by two hex digits")
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("query '\(text)' does not decode to UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
