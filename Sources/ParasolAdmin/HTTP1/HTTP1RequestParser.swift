import NIOCore

/// A strict, bounded HTTP/1.1 request parser for the admin plane's small GET and POST requests.
///
/// It accepts what curl, browsers and Prometheus send and refuses everything else: bare LF line
/// ends, whitespace before a header colon, obsolete line folding, `Transfer-Encoding` (admin
/// requests have tiny bodies, so `Content-Length` is required for any body), conflicting
/// `Content-Length`s and a missing `Host`. It never buffers more than the header limit plus
/// the declared (and already checked) body length.
struct HTTP1RequestParser {
    /// One parsed request and whether the connection may carry another after it.
    struct Parsed: Equatable {
        var request: AdminRequest
        var keepAlive: Bool
    }

    enum Outcome: Equatable {
        case needMoreData
        case request(Parsed)
        /// The connection must answer this error and close: after a framing error there is no
        /// telling where the next request would start.
        case failure(AdminHTTPError)
    }

    private enum State {
        case head
        case body(head: Parsed, length: Int)
    }

    private let limits: AdminLimits
    private var state: State = .head
    /// How many bytes after the reader index were already searched for CRLFCRLF, so that a
    /// head trickling in byte by byte is scanned once, not once per read.
    private var headBytesSearched = 0

    init(limits: AdminLimits) {
        self.limits = limits
    }

    /// Consumes one request from `buffer` when it is complete; leaves any following bytes there.
    mutating func parse(_ buffer: inout ByteBuffer) -> Outcome {
        switch state {
        case .head:
            guard let headEnd = Self.headEnd(in: buffer, from: headBytesSearched, searchLimit: limits.headerBytesMax) else {
                headBytesSearched = max(0, buffer.readableBytes - 3)
                if buffer.readableBytes > limits.headerBytesMax {
                    return .failure(.headersTooLarge("the request head exceeds \(limits.headerBytesMax) bytes"))
                }
                return .needMoreData
            }
            let headBytes = buffer.readBytes(length: headEnd)!
            buffer.moveReaderIndex(forwardBy: 4)
            headBytesSearched = 0
            switch parseHead(headBytes) {
            case .success(let (parsed, length)):
                state = .body(head: parsed, length: length)
                return parse(&buffer)
            case .failure(let error):
                return .failure(error)
            }
        case .body(var head, let length):
            guard buffer.readableBytes >= length else { return .needMoreData }
            head.request.body = buffer.readBytes(length: length)!
            state = .head
            return .request(head)
        }
    }

    /// The offset of the CRLFCRLF that ends the head, searched from `start` and only within
    /// the first `searchLimit + 4` bytes.
    private static func headEnd(in buffer: ByteBuffer, from start: Int, searchLimit: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            let end = min(bytes.count, searchLimit + 4)
            guard end >= start + 4 else { return nil }
            for index in start...(end - 4)
            where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return index
            }
            return nil
        }
    }

    private func parseHead(_ head: [UInt8]) -> Result<(Parsed, Int), AdminHTTPError> {
        let lines = Self.split(head)
        if lines.contains(where: { $0.contains(10) || $0.contains(13) }) {
            return .failure(.badRequest("a line of the request head does not end in CRLF"))
        }
        guard let requestLine = lines.first, let lineText = String(validating: requestLine, as: UTF8.self) else {
            return .failure(.badRequest("the request line is not UTF-8"))
        }
        let parts = lineText.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy(Self.isTokenByte) else {
            return .failure(.badRequest("malformed request line '\(lineText.prefix(100))'"))
        }
        let version = parts[2]
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .failure(.badRequest("unsupported protocol version '\(version.prefix(20))'; use HTTP/1.1"))
        }
        guard parts[1].hasPrefix("/"), parts[1].utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            return .failure(.badRequest("request target '\(parts[1].prefix(100))' is not an absolute path"))
        }
        let headerLines = lines.dropFirst()
        guard headerLines.count <= limits.headerCountMax else {
            return .failure(.headersTooLarge("the request has \(headerLines.count) header fields; the limit is \(limits.headerCountMax)"))
        }
        var contentLength: Int?
        var authorization: String?
        var connectionTokens: [String] = []
        var hasHost = false
        for line in headerLines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
                line[..<colon].allSatisfy(Self.isTokenByte)
            else {
                return .failure(.badRequest("malformed header line '\(String(decoding: line.prefix(100), as: UTF8.self))'"))
            }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let valueBytes = Self.trimmed(line[(colon + 1)...])
            guard valueBytes.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else {
                return .failure(.badRequest("header '\(name)' has a control character in its value"))
            }
            let value = String(decoding: valueBytes, as: UTF8.self)
            switch name {
            case "content-length":
                guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), value.utf8.count <= 18, let length = Int(value) else {
                    return .failure(.badRequest("Content-Length '\(value.prefix(30))' is not a decimal byte count"))
                }
                if let contentLength, contentLength != length {
                    return .failure(.badRequest("conflicting Content-Length headers \(contentLength) and \(length)"))
                }
                contentLength = length
            case "transfer-encoding":
                return .failure(.badRequest("Transfer-Encoding is not supported; send the body with Content-Length"))
            case "authorization":
                authorization = value
            case "connection":
                connectionTokens += value.lowercased().split(separator: ",").map { String($0.filter { $0 != " " && $0 != "\t" }) }
            case "host":
                hasHost = true
            default:
                break
            }
        }
        let isHTTP11 = version == "HTTP/1.1"
        guard hasHost || !isHTTP11 else {
            return .failure(.badRequest("an HTTP/1.1 request must carry a Host header"))
        }
        let length = contentLength ?? 0
        guard length <= limits.bodyBytesMax else {
            return .failure(.payloadTooLarge(bytes: length, limit: limits.bodyBytesMax))
        }
        let keepAlive = isHTTP11 ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
        let request = AdminRequest(method: String(parts[0]), target: String(parts[1]), authorization: authorization, body: [])
        return .success((Parsed(request: request, keepAlive: keepAlive), length))
    }

    /// Splits the head at CRLF; a stray CR or LF stays inside its line and is rejected there.
    private static func split(_ head: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < head.count {
            if head[index] == 13 && head[index + 1] == 10 {
                lines.append(head[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(head[start...])
        return lines
    }

    /// The slice without leading and trailing spaces and tabs (RFC 9110 OWS).
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
        while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
        return bytes[start..<end]
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
