import NIOCore
import NIOPosix
import Testing

@testable import ParasolAdmin

@Suite("admin HTTP client", .timeLimit(.minutes(1)))
struct AdminHTTPClientTests {
    @Test("a server that accepts but never answers costs the deadline and nothing more")
    func deadline() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        await #expect(throws: AdminHTTPClientError.deadlineExceeded(address: "127.0.0.1:\(port)", timeoutSeconds: 0.2)) {
            try await AdminHTTPClient().get(host: "127.0.0.1", port: port, target: "/health", timeout: .milliseconds(200))
        }
    }

    @Test("a closed port is a connect failure naming the address")
    func refused() async throws {
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(probe.localAddress?.port)
        try await probe.close()
        do {
            _ = try await AdminHTTPClient().get(host: "127.0.0.1", port: port, target: "/health", timeout: .seconds(5))
            Issue.record("expected a connect failure")
        } catch {
            guard case .connectFailed(let address, _) = error else {
                Issue.record("expected connectFailed, got \(error)")
                return
            }
            #expect(address == "127.0.0.1:\(port)")
        }
    }

    @Test("the response parser reads a split response and refuses a malformed one")
    func parser() {
        var parser = HTTP1ResponseParser(bodyBytesMax: 100)
        var buffer = ByteBuffer(string: "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nX-A:  b \r\n\r\nab")
        #expect(parser.parse(&buffer, endOfInput: false) == .needMoreData)
        buffer.writeString("cd")
        #expect(parser.parse(&buffer, endOfInput: false)
            == .complete(AdminHTTPResponse(status: 503, headers: ["content-length": "4", "x-a": "b"], body: Array("abcd".utf8))))

        var bad = HTTP1ResponseParser(bodyBytesMax: 100)
        var garbage = ByteBuffer(string: "SSH-2.0-OpenSSH\r\n\r\n")
        guard case .failure = bad.parse(&garbage, endOfInput: false) else {
            Issue.record("expected a malformed-response failure")
            return
        }
        var large = HTTP1ResponseParser(bodyBytesMax: 3)
        var big = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")
        #expect(large.parse(&big, endOfInput: false) == .tooLarge)
    }
}
