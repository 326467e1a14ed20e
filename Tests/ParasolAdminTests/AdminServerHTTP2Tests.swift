import Foundation
import Testing

@testable import ParasolAdmin

@Suite("admin server over HTTP/2 (nghttp2)", .timeLimit(.minutes(2)))
struct AdminServerHTTP2Tests {
    @Test("curl lists HTTP2 among its features")
    func curlSpeaksHTTP2() async throws {
        let version = try await ExternalTool("curl", package: "curl").run(["-V"])
        #expect(version.stdout.contains("HTTP2"), "curl -V: \(version.stdout)")
    }

    @Test("every route answers over HTTP/2 with prior knowledge")
    func everyRoute() async throws {
        let source = FakeDataSource()
        let running = try await RunningServer.start(dataSource: source, token: "tok")
        defer { Task { await running.server.shutdown() } }
        let health = try await curlHTTP2(running.base + "/health")
        #expect(health.status == 200 && health.httpVersion == "2")
        #expect(try AdminJSON.decoder().decode(NodeHealth.self, from: Data(health.body.utf8)) == source.health)
        let shards = try await curlHTTP2(running.base + "/shards")
        #expect(try AdminJSON.decoder().decode(ClusterShards.self, from: Data(shards.body.utf8)) == source.shards)
        let detail = try await curlHTTP2(running.base + "/shards/1")
        #expect(try AdminJSON.decoder().decode(ShardDetail.self, from: Data(detail.body.utf8)).summary.shard == 1)
        for (path, status) in [("/livez", 200), ("/readyz", 200), ("/metrics", 200), ("/nope", 404), ("/shards/x", 400)] {
            let response = try await curlHTTP2(running.base + path)
            #expect(response.status == status && response.httpVersion == "2", "\(path)")
        }
        let unauthorized = try await curlHTTP2(running.base + "/shards/0/failover?to=n2", method: "POST")
        #expect(unauthorized.status == 401 && unauthorized.body.contains("\"unauthorized\""))
        let wrongToken = try await curlHTTP2(running.base + "/shards/0/failover?to=n2", method: "POST", headers: ["Authorization: Bearer nope"])
        #expect(wrongToken.status == 401)
        let failover = try await curlHTTP2(running.base + "/shards/0/failover?to=n2", method: "POST", headers: ["Authorization: Bearer tok"])
        #expect(failover.status == 200)
        #expect(try AdminJSON.decoder().decode(FailoverOutcome.self, from: Data(failover.body.utf8)).newPrimary == "n2")
        let notAllowed = try await curlHTTP2(running.base + "/health", method: "DELETE")
        #expect(notAllowed.status == 405)
    }

    @Test("an h2load burst of 2000 requests on 4 connections × 20 streams has no failures")
    func h2loadBurst() async throws {
        let h2load = try ExternalTool("h2load", package: "nghttp2-client")
        let running = try await RunningServer.start()
        defer { Task { await running.server.shutdown() } }
        let result = try await h2load.run(["-n", "2000", "-c", "4", "-m", "20", running.base + "/health"])
        #expect(result.exitCode == 0, "h2load: \(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first(where: { $0.hasPrefix("requests:") }), "\(result.stdout)")
        // "requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored, 0 timeout"
        #expect(line.contains("2000 succeeded, 0 failed, 0 errored"), "\(line)")
        #expect(result.stdout.contains("status codes: 2000 2xx"), "\(result.stdout)")
    }

    @Test("limits answer every stream over them with 413 or 431 and keep the connection")
    func perStreamLimits() async throws {
        // nghttp, not curl: curl 7.88 cannot reuse a prior-knowledge connection (curl#10634).
        let nghttp = try ExternalTool("nghttp", package: "nghttp2-client")
        let running = try await RunningServer.start(limits: AdminLimits(bodyBytesMax: 1024))
        defer { Task { await running.server.shutdown() } }
        let urls = [running.base + "/shards/0/failover", running.base + "/livez"]
        let bodies = try await nghttp.run(["-ns", "-d", "-"] + urls, stdin: Array(repeating: 0x61, count: 5000))
        #expect(bodies.exitCode == 0, "nghttp: \(bodies.stderr)")
        #expect(statusCodes(nghttpStatistics: bodies.stdout) == [413, 413], "\(bodies.stdout)")
        let headers = (0..<70).flatMap { ["-H", "x-h\($0): v"] }
        let many = try await nghttp.run(["-ns"] + headers + urls)
        #expect(many.exitCode == 0, "nghttp: \(many.stderr)")
        #expect(statusCodes(nghttpStatistics: many.stdout) == [431, 431], "\(many.stdout)")
        let fine = try await nghttp.run(["-ns"] + urls)
        #expect(statusCodes(nghttpStatistics: fine.stdout) == [405, 200], "\(fine.stdout)")
    }

    /// The `code` column of `nghttp -s` ("id  responseEnd requestStart  process code size request path"), by stream id.
    func statusCodes(nghttpStatistics text: String) -> [Int] {
        var codes: [(stream: Int, code: Int)] = []
        for line in text.split(separator: "\n") {
            let columns = line.split(separator: " ")
            guard columns.count >= 7, let stream = Int(columns[0]), let code = Int(columns[4]) else { continue }
            codes.append((stream, code))
        }
        return codes.sorted { $0.stream < $1.stream }.map(\.code)
    }

    @Test("a body larger than the flow-control window arrives whole, the same as over HTTP/1.1")
    func largeBody() async throws {
        let running = try await RunningServer.start()
        defer { Task { await running.server.shutdown() } }
        for shard in 0..<300 {
            running.metrics.shard(shard).setRole(.replica)
            running.metrics.shard(shard).recordRequest(.pull, payloadBytes: shard, duration: .milliseconds(1))
        }
        let overHTTP1 = try await running.get("/metrics").text
        let overHTTP2 = try await curlHTTP2(running.base + "/metrics")
        #expect(overHTTP1.utf8.count > 200_000, "the exposition is only \(overHTTP1.utf8.count) bytes")
        #expect(overHTTP2.body + "\n" == overHTTP1 || overHTTP2.body == overHTTP1)
    }

    @Test("garbage after the HTTP/2 preface ends that connection with GOAWAY; the server serves on")
    func garbageAfterPreface() async throws {
        let running = try await RunningServer.start()
        defer { Task { await running.server.shutdown() } }
        let garbage = AdminProtocolSniffer.http2Preface + Array(repeating: 0xFF, count: 64)
        let reply = try await exchangeRaw(port: running.port, bytes: garbage)
        #expect(containsGoAway(reply), "the server sent \(reply.count) bytes without a GOAWAY frame")
        let after = try await curlHTTP2(running.base + "/livez")
        #expect(after.status == 200)
    }

    @Test("a broken preface is answered as a malformed HTTP/1.1 request")
    func brokenPreface() async throws {
        let running = try await RunningServer.start()
        defer { Task { await running.server.shutdown() } }
        let reply = String(decoding: try await exchangeRaw(port: running.port, bytes: Array("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".utf8)), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 400 "), "\(reply.prefix(120))")
    }

    @Test("shutdown answers the stream in flight, then sends GOAWAY and closes")
    func gracefulShutdown() async throws {
        let gate = Gate()
        let running = try await RunningServer.start(dataSource: FakeDataSource(healthGate: gate))
        async let inFlight = curlHTTP2(running.base + "/health")
        await gate.waitUntilEntered()
        async let shutdown: Void = running.server.shutdown(gracePeriod: .seconds(30))
        try await Task.sleep(for: .milliseconds(100))
        await gate.release()
        let response = try await inFlight
        await shutdown
        #expect(response.status == 200 && response.httpVersion == "2")
        await #expect(throws: CurlFailed.self) { try await curlHTTP2(running.base + "/livez") }
    }

    /// Walks the frames of a server's byte stream looking for a GOAWAY (type 7).
    func containsGoAway(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            if bytes[offset + 3] == 7 { return true }
            offset += 9 + length
        }
        return false
    }
}
