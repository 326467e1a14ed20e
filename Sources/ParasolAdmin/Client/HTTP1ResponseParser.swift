import NIOCore

/// Parses one HTTP/1.1 response for `AdminHTTPClient`: status line, headers, and a body sized by
/// `Content-Length` (or running to the end of the connection when there is none).
struct HTTP1ResponseParser {
    enum Outcome: Equatable {
        case needMoreData
        case complete(AdminHTTPResponse)
        case failure(String)
        case tooLarge
    }

    /// 64 KiB of status line and headers is far beyond any admin server's answer.
    static let headBytesMax = 64 << 10

    private var head: (status: Int, headers: [String: String], contentLength: Int?)?
    let bodyBytesMax: Int

    init(bodyBytesMax: Int) {
        self.bodyBytesMax = bodyBytesMax
    }

    /// Looks at everything received so far (the whole response is kept in `buffer`).
    mutating func parse(_ buffer: inout ByteBuffer, endOfInput: Bool) -> Outcome {
        if head == nil {
            let view = buffer.readableBytesView
            guard let end = Self.headEnd(in: view) else {
                if view.count > Self.headBytesMax { return .failure("the response head exceeds \(Self.headBytesMax) bytes") }
                return endOfInput ? .failure("the connection ended inside the response head") : .needMoreData
            }
            let headText = String(decoding: view.prefix(end - view.startIndex), as: UTF8.self)
            buffer.moveReaderIndex(forwardBy: end - view.startIndex + 4)
            do {
                head = try Self.parseHead(headText)
            } catch {
                return .failure(error.reason)
            }
        }
        let (status, headers, contentLength) = head!
        if let contentLength {
            guard contentLength <= bodyBytesMax else { return .tooLarge }
            guard buffer.readableBytes >= contentLength else {
                return endOfInput ? .failure("the body ended after \(buffer.readableBytes) of \(contentLength) bytes") : .needMoreData
            }
            return .complete(AdminHTTPResponse(status: status, headers: headers, body: buffer.readBytes(length: contentLength)!))
        }
        guard buffer.readableBytes <= bodyBytesMax else { return .tooLarge }
        guard endOfInput else { return .needMoreData }
        return .complete(AdminHTTPResponse(status: status, headers: headers, body: buffer.readBytes(length: buffer.readableBytes)!))
    }

    private static func headEnd(in view: ByteBufferView) -> ByteBufferView.Index? {
        var index = view.startIndex
        while index + 3 < view.endIndex {
            if view[index] == 13 && view[index + 1] == 10 && view[index + 2] == 13 && view[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    private struct HeadError: Error {
        var reason: String
    }

    private static func parseHead(_ text: String) throws(HeadError) -> (status: Int, headers: [String: String], contentLength: Int?) {
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), statusParts[1].count == 3,
            let status = Int(statusParts[1])
        else {
            throw HeadError(reason: "bad status line '\(lines[0].prefix(80))'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else {
                throw HeadError(reason: "bad header line '\(line.prefix(80))'")
            }
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
        }
        var contentLength: Int?
        if let text = headers["content-length"] {
            guard let length = Int(text), length >= 0 else {
                throw HeadError(reason: "bad Content-Length '\(text.prefix(30))'")
            }
            contentLength = length
        }
        return (status, headers, contentLength)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let trimmed = drop(while: { set.contains($0) })
        var end = trimmed.endIndex
        while end > trimmed.startIndex, set.contains(trimmed[trimmed.index(before: end)]) {
            end = trimmed.index(before: end)
        }
        return String(trimmed[..<end])
    }
}
