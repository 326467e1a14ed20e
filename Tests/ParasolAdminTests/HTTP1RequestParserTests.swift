import NIOCore
import Testing

@testable import ParasolAdmin

@Suite("HTTP/1.1 request parser")
struct HTTP1RequestParserTests {
    let limits = AdminLimits(headerBytesMax: 512, headerCountMax: 8, bodyBytesMax: 16)

    /// Feeds `text` in pieces of `chunk` bytes and collects every outcome that is not needMoreData.
    func parse(_ text: String, chunk: Int = .max) -> [HTTP1RequestParser.Outcome] {
        var parser = HTTP1RequestParser(limits: limits)
        var buffer = ByteBuffer()
        var outcomes: [HTTP1RequestParser.Outcome] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            buffer.writeBytes(bytes[offset..<end])
            offset = end
            while true {
                let outcome = parser.parse(&buffer)
                if outcome == .needMoreData { break }
                outcomes.append(outcome)
                if case .failure = outcome { return outcomes }
            }
        }
        return outcomes
    }

    @Test("a GET parses the same whole, byte by byte and in 7-byte pieces")
    func getInPieces() {
        let text = "GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc \r\n\r\n"
        let expected = HTTP1RequestParser.Outcome.request(.init(
            request: AdminRequest(method: "GET", target: "/health", authorization: "Bearer abc", body: []), keepAlive: true))
        for chunk in [Int.max, 1, 7] {
            #expect(parse(text, chunk: chunk) == [expected], "chunk size \(chunk)")
        }
    }

    @Test("pipelined requests come out in order, bodies by Content-Length")
    func pipelined() {
        let text = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        #expect(parse(text, chunk: 5) == [
            .request(.init(request: AdminRequest(method: "POST", target: "/a", authorization: nil, body: Array("abc".utf8)), keepAlive: true)),
            .request(.init(request: AdminRequest(method: "GET", target: "/b", authorization: nil, body: []), keepAlive: false)),
        ])
    }

    @Test("HTTP/1.0 closes unless it asks for keep-alive")
    func http10() {
        let closing = parse("GET / HTTP/1.0\r\n\r\n")
        let keeping = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(closing == [.request(.init(request: AdminRequest(method: "GET", target: "/", authorization: nil, body: []), keepAlive: false))])
        #expect(keeping == [.request(.init(request: AdminRequest(method: "GET", target: "/", authorization: nil, body: []), keepAlive: true))])
    }

    @Test(
        "malformed requests are refused with 400",
        arguments: [
            "GET /health HTTP/1.1\nHost: x\n\n\r\n\r\n",  // bare LF
            "GET  /health HTTP/1.1\r\nHost: x\r\n\r\n",  // double space
            "GET health HTTP/1.1\r\nHost: x\r\n\r\n",  // not origin-form
            "GET /health HTTP/2.0\r\nHost: x\r\n\r\n",  // wrong version
            "GET /health HTTP/1.1\r\n\r\n",  // no Host
            "GET /health HTTP/1.1\r\nHost : x\r\n\r\n",  // space before colon
            "GET /health HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",  // obs-fold
            "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            "G\u{1}T /x HTTP/1.1\r\nHost: x\r\n\r\n",
        ])
    func malformed(_ text: String) {
        let outcomes = parse(text)
        guard case .failure(let error)? = outcomes.first else {
            Issue.record("expected a failure, got \(outcomes)")
            return
        }
        #expect(error.status == 400, "\(error)")
    }

    @Test("a body above the limit is 413 before any of it is buffered")
    func bodyTooLarge() {
        #expect(parse("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n") == [.failure(.payloadTooLarge(bytes: 17, limit: 16))])
    }

    @Test("too many headers or too long a head is 431, even when the head never ends")
    func headTooLarge() {
        let many = "GET / HTTP/1.1\r\n" + (0..<9).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        let endless = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 600)
        for text in [many, endless] {
            guard case .failure(let error)? = parse(text, chunk: 64).first else {
                Issue.record("expected a failure for \(text.prefix(40))")
                continue
            }
            #expect(error.status == 431)
        }
    }
}
