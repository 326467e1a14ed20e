import NIOCore
import Foundation
import Testing

@testable import ParasolAdmin

@Suite("admin server over HTTP/1.1", .timeLimit(.minutes(1)))
struct AdminServerHTTP1Tests {
    @Test("every route answers over HTTP/1.1")
    func everyRoute() async throws {
        let source = FakeDataSource()
        let running = try await RunningServer.start(dataSource: source, token: "tok")
        defer { Task { await running.server.shutdown() } }

        let health = try await running.get("/health")
        #expect(health.status == 200 && health.headers["content-type"] == "application/json")
        #expect(try health.decode(NodeHealth.self) == source.health)
        #expect(try await running.get("/shards").decode(ClusterShards.self) == source.shards)
        let detail = try await running.get("/shards/0").decode(ShardDetail.self)
        #expect(detail.leadershipChanges.map(\.cause) == [.startup, .election])
        #expect(try await running.get("/livez").status == 200)
        #expect(try await running.get("/readyz").status == 200)
        let metrics = try await running.get("/metrics")
        #expect(metrics.status == 200 && metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(try await running.get("/nope").status == 404)
        #expect(try await running.get("/shards/0/failover").status == 405)
        #expect(try await running.post("/shards/0/failover?to=n2").status == 401)
        let failover = try await running.post("/shards/0/failover?to=n2", headers: ["authorization": "Bearer tok"])
        #expect(failover.status == 200)
        #expect(try failover.decode(FailoverOutcome.self).newPrimary == "n2")
    }

    @Test("keep-alive serves pipelined requests in order and closes after Connection: close")
    func pipelining() async throws {
        let running = try await RunningServer.start()
        defer { Task { await running.server.shutdown() } }
        let requests = "GET /livez HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\nGET /readyz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        let reply = String(decoding: try await exchangeRaw(port: running.port, bytes: Array(requests.utf8)), as: UTF8.self)
        // Bodies end without CRLF, so a status line can follow a body on the same "line".
        let statusLines = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.components(separatedBy: "\r\n")[0] }
        #expect(statusLines == ["200 OK", "404 Not Found", "200 OK"])
        #expect(reply.components(separatedBy: "connection: keep-alive").count == 3)
        #expect(reply.contains("connection: close"))
    }

    @Test(
        "malformed HTTP/1.1 gets its error and a close; the server keeps serving",
        arguments: [
            ("GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n", 400),
            ("BROKEN\r\n\r\n", 400),
            ("GET /health HTTP/1.1\nHost: t\n\n\r\n\r\n", 400),
            ("POST /shards/0/failover HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n", 413),
            ("GET /health HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 2048) + "\r\n\r\n", 431),
        ])
    func malformed(_ request: String, _ status: Int) async throws {
        let running = try await RunningServer.start(limits: AdminLimits(headerBytesMax: 1024, bodyBytesMax: 64))
        defer { Task { await running.server.shutdown() } }
        let reply = String(decoding: try await exchangeRaw(port: running.port, bytes: Array(request.utf8)), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 \(status) "), "\(reply.prefix(200))")
        #expect(reply.contains("connection: close"))
        #expect(reply.contains("{\"error\":{\"code\":"))
        #expect(try await running.get("/livez").status == 200)
    }

    @Test("a client that stops halfway through a request is disconnected after the idle timeout")
    func idleHalfRequestIsClosed() async throws {
        let running = try await RunningServer.start(limits: AdminLimits(idleTimeoutSeconds: 1))
        defer { Task { await running.server.shutdown() } }
        // No CRLFCRLF: the parser waits for more, so only the idle timeout can end this.
        let reply = try await exchangeRaw(port: running.port, bytes: Array("GET /health HTTP/1.1\r\nHost: t\r\n".utf8), timeout: .seconds(10))
        #expect(reply.isEmpty)
        #expect(await livezStatus(running) == 200)
    }

    @Test("connections beyond the cap are closed at accept, and the server keeps serving")
    func connectionCapHolds() async throws {
        let running = try await RunningServer.start(limits: AdminLimits(idleTimeoutSeconds: 1, connectionsMax: 1))
        defer { Task { await running.server.shutdown() } }
        async let held = exchangeRaw(port: running.port, bytes: Array("GET".utf8), timeout: .seconds(10))
        try await Task.sleep(nanoseconds: 200_000_000)
        do {
            let refused = try await exchangeRaw(port: running.port, bytes: Array("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
            #expect(refused.isEmpty, "a connection over the cap was served")
        } catch is RawExchangeTimedOut {
            Issue.record("a connection over the cap was kept open")
        } catch {
            // Closed before our request could even be written: refused, as it should be.
        }
        _ = try await held
        #expect(await livezStatus(running) == 200)
    }

    /// The server still serves. With a 1 s idle limit (and a cap of one connection) a loaded
    /// machine may stall this check's own connection, or the release of the previous one, past
    /// the limit, so it gets three tries.
    private func livezStatus(_ running: RunningServer) async -> Int? {
        var status: Int?
        for _ in 0..<3 where status != 200 {
            status = try? await running.get("/livez").status
            if status != 200 { try? await Task.sleep(nanoseconds: 200_000_000) }
        }
        return status
    }

    @Test("shutdown answers the request in flight before closing its connection")
    func gracefulShutdown() async throws {
        let gate = Gate()
        let running = try await RunningServer.start(dataSource: FakeDataSource(healthGate: gate))
        async let inFlight = running.get("/health")
        await gate.waitUntilEntered()
        async let shutdown: Void = running.server.shutdown(gracePeriod: .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        await gate.release()
        let response = try await inFlight
        await shutdown
        #expect(response.status == 200)
        await #expect(throws: AdminHTTPClientError.self) { try await running.get("/livez") }
    }
}
