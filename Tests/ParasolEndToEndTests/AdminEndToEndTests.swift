import Foundation
import ParasolClient
import ParasolConfig
import ParasolWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The admin plane of real `parasol server` processes, driven by the tools operators use:
/// curl (HTTP/1.1 and HTTP/2 with prior knowledge), h2load, promtool and `parasol health`.
@Suite(.serialized) struct AdminEndToEndTests {
    // MARK: Routes

    @Test func everyRouteAnswersOverHTTP1AndHTTP2() async throws {
        let cluster = try LocalCluster(nodes: 2, shards: 4, token: "s3cret")
        try await cluster.startAll()
        let client = ParasolClient(config: cluster.config)
        try await client.createTensor(CreateTensor(
            name: "w", kind: .dense, shape: [4], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: true))
        for _ in 0..<3 { _ = try await client.pushDense("w", gradient: [1, 1, 1, 1]) }
        await client.close()
        let owner = cluster.owner(ofTensor: "w")
        let shard = ShardPlacement.shard(ofTensor: "w", shardCount: 4)
        let port = try cluster.adminPort(owner)
        let otherShard = try #require(ShardPlacement(cluster.config).shards(on: owner == "n1" ? "n2" : "n1").first)

        for http2 in [false, true] {
            let mode = http2 ? "HTTP/2" : "HTTP/1.1"
            let health = try Curl.get(port, "/health", http2: http2)
            #expect(health.status == 200 && health.httpVersion == (http2 ? "2" : "1.1"), "\(mode) /health: \(health)")
            let healthJSON = try health.jsonObject()
            #expect(healthJSON["node"] as? String == owner)
            #expect(healthJSON["startCount"] as? Int == 1)
            let replicas = try #require(healthJSON["shards"] as? [[String: Any]])
            #expect(replicas.compactMap { $0["shard"] as? Int } == ShardPlacement(cluster.config).shards(on: owner))
            let pushed = try #require(replicas.first { $0["shard"] as? Int == shard })
            #expect(pushed["role"] as? String == "primary" && pushed["lease"] as? String == "held", "\(mode): \(pushed)")
            #expect(pushed["appliedIndex"] as? Int == 5, "\(mode): the first primary's no-op, create + 3 pushes: \(pushed)")
            #expect(pushed["commitIndex"] as? Int == 5)

            let shards = try Curl.get(port, "/shards", http2: http2)
            let shardList = try #require(try shards.jsonObject()["shards"] as? [[String: Any]])
            #expect(shards.status == 200 && shardList.count == 4, "\(mode) /shards: \(shards)")
            let own = try #require(shardList.first { $0["shard"] as? Int == shard })
            #expect(own["status"] as? String == "healthy" && own["primary"] as? String == owner, "\(mode): \(own)")
            let elsewhere = try #require(shardList.first { $0["shard"] as? Int == otherShard })
            #expect(elsewhere["primary"] as? String != owner, "\(mode): \(elsewhere)")

            let detail = try Curl.get(port, "/shards/\(shard)", http2: http2)
            let changes = try #require(try detail.jsonObject()["leadershipChanges"] as? [[String: Any]])
            #expect(detail.status == 200 && changes.count == 1 && changes.first?["cause"] as? String == "startup", "\(detail)")
            #expect(changes.first?["to"] as? String == owner)
            #expect(try Curl.get(port, "/shards/99", http2: http2).status == 404)
            #expect(try Curl.get(port, "/shards/x", http2: http2).status == 400)
            #expect(try Curl.get(port, "/nope", http2: http2).status == 404)

            let metrics = try Curl.get(port, "/metrics", http2: http2)
            #expect(metrics.status == 200, "\(mode) /metrics: \(metrics.status)")
            #expect(metrics.body.contains("parasol_requests_total{shard=\"\(shard)\",kind=\"push\"} 3"), "\(mode):\n\(metrics.body)")

            #expect(try Curl.get(port, "/livez", http2: http2).body.contains("serving"))
            let ready = try Curl.get(port, "/readyz", http2: http2)
            #expect(ready.status == 200 && ready.body.contains("ready"), "\(mode) /readyz: \(ready)")

            let noToken = try Curl.request(port, "/shards/\(shard)/failover", method: "POST", http2: http2)
            #expect(noToken.status == 401, "\(mode) failover without token: \(noToken)")
            let wrongToken = try Curl.request(
                port, "/shards/\(shard)/failover", method: "POST", headers: ["Authorization: Bearer wrong"], http2: http2)
            #expect(wrongToken.status == 401, "\(mode) failover with a wrong token: \(wrongToken)")
            let bearer = ["Authorization: Bearer s3cret"]
            let single = try Curl.request(port, "/shards/\(shard)/failover", method: "POST", headers: bearer, http2: http2)
            #expect(single.status == 409 && single.body.contains("single replica"), "\(mode): \(single)")
            let notPrimary = try Curl.request(port, "/shards/\(otherShard)/failover", method: "POST", headers: bearer, http2: http2)
            #expect(notPrimary.status == 409 && notPrimary.body.contains("not the primary"), "\(mode): \(notPrimary)")
            let unknown = try Curl.request(port, "/shards/99/failover", method: "POST", headers: bearer, http2: http2)
            #expect(unknown.status == 404, "\(mode): \(unknown)")
            #expect(try Curl.request(port, "/health", method: "POST", http2: http2).status == 405)
        }
    }

    // MARK: Load

    @Test func h2loadBurstHasNoFailedRequests() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 4)
        try await cluster.startAll()
        let port = try cluster.adminPort("n1")
        let burst = try LocalCluster.runTool("/usr/bin/env", [
            "h2load", "-n", "2000", "-c", "4", "-m", "20",
            "http://127.0.0.1:\(port)/health", "http://127.0.0.1:\(port)/shards", "http://127.0.0.1:\(port)/metrics",
        ])
        print(burst.stdout)
        #expect(burst.status == 0, "h2load failed: \(burst.stderr)")
        #expect(burst.stdout.contains("2000 succeeded, 0 failed, 0 errored"), "\(burst.stdout)")
        #expect(burst.stdout.contains("status codes: 2000 2xx"), "\(burst.stdout)")
        #expect(try Curl.get(port, "/livez", http2: true).status == 200)
    }

    @Test func metricsPassPromtoolAndCountPushes() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 2, snapshotEveryUpdates: 10)
        try await cluster.startAll()
        let client = ParasolClient(config: cluster.config)
        try await client.createTensor(CreateTensor(
            name: "m", kind: .dense, shape: [8], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: true))
        for _ in 0..<25 { _ = try await client.pushDense("m", gradient: [Float](repeating: 1, count: 8)) }
        _ = try await client.pullDense("m")
        await client.close()
        let shard = ShardPlacement.shard(ofTensor: "m", shardCount: 2)
        let port = try cluster.adminPort("n1")

        let metrics = try Curl.get(port, "/metrics", http2: false)
        let file = cluster.folder.appendingPathComponent("metrics.txt").path
        try metrics.body.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try LocalCluster.runTool("/usr/bin/env", ["promtool", "check", "metrics"], standardInput: file)
        #expect(check.status == 0, "promtool: \(check.stdout)\(check.stderr)\n\(metrics.body)")

        let samples = PrometheusSamples(metrics.body)
        #expect(samples["parasol_requests_total{shard=\"\(shard)\",kind=\"push\"}"] == 25)
        #expect(samples["parasol_requests_total{shard=\"\(shard)\",kind=\"pull\"}"] == 1)
        // Every acknowledged push waited for an fdatasync; group commit may cover several with one.
        // 26 commands plus each shard's leader no-op (one log entry per shard's first term).
        let fsyncs = try #require(samples["parasol_wal_fsync_duration_seconds_count"])
        #expect(fsyncs >= 1 && fsyncs <= 28, "fdatasync count \(fsyncs)")
        // 25 pushes of 8 float32 in, one pull of 8 float32 out.
        #expect(samples["parasol_request_payload_bytes_total{shard=\"\(shard)\",kind=\"push\"}"] == 800)
        #expect(samples["parasol_request_payload_bytes_total{shard=\"\(shard)\",kind=\"pull\"}"] == 32)
        #expect(samples["parasol_request_duration_seconds_count{kind=\"push\"}"] == 25)
        // 26 commands after the no-op the shard's first primary logged at index 1.
        #expect(samples["parasol_shard_applied_index{shard=\"\(shard)\"}"] == 27)
        #expect(samples["parasol_shard_role{shard=\"\(shard)\",role=\"primary\"}"] == 1)
        #expect(samples["parasol_open_connections{plane=\"admin\"}"] == 1, "this curl is the one admin connection")
        // Two snapshots by count (at 10 and 20 updates); the third would need 30.
        try await Poll.until("two snapshots are recorded", deadlineSeconds: 30) {
            PrometheusSamples(try Curl.get(port, "/metrics", http2: false).body)[
                "parasol_snapshot_duration_seconds_count{shard=\"\(shard)\"}"] == 2
        }
        let snapshotBytes = PrometheusSamples(try Curl.get(port, "/metrics", http2: false).body)["parasol_snapshot_bytes{shard=\"\(shard)\"}"]
        #expect((snapshotBytes ?? 0) > 0)

        // After kill -9 and a restart the gauge shows the snapshot the shard recovered from.
        cluster.kill9("n1")
        try cluster.start("n1")
        try await cluster.waitUntilServing("n1")
        let afterRestart = PrometheusSamples(try Curl.get(port, "/metrics", http2: false).body)["parasol_snapshot_bytes{shard=\"\(shard)\"}"]
        #expect(afterRestart == snapshotBytes, "snapshot bytes \(String(describing: afterRestart)) after restart, \(String(describing: snapshotBytes)) before")
    }

    // MARK: parasol health

    @Test func healthIsHealthyThenUnavailableAfterKill9() async throws {
        let cluster = try LocalCluster(nodes: 3, shards: 6)
        try await cluster.startAll()
        let healthy = try LocalCluster.run(["health", "--cluster", cluster.clusterFile, "--json"])
        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        let before = try JSONSerialization.jsonObject(with: Data(healthy.stdout.utf8)) as? [String: Any]
        let beforeCounts = try #require(before?["counts"] as? [String: Int])
        #expect(beforeCounts == ["healthy": 6, "degraded": 0, "unavailable": 0], "\(healthy.stdout)")
        #expect((before?["nodesDown"] as? [String])?.isEmpty == true)

        cluster.kill9("n2")
        let after = try LocalCluster.run(["health", "--cluster", cluster.clusterFile, "--json"])
        #expect(after.status == 2, "\(after.stdout)\(after.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
        #expect(report["nodesDown"] as? [String] == ["n2"])
        let nodes = try #require(report["nodes"] as? [[String: Any]])
        #expect(nodes.first { $0["node"] as? String == "n2" }?["reachable"] as? Bool == false)
        let shards = try #require(report["shards"] as? [[String: Any]])
        let placement = ShardPlacement(cluster.config)
        for entry in shards {
            let shard = try #require(entry["shard"] as? Int)
            let expected = placement.replicas(of: shard) == ["n2"] ? "unavailable" : "healthy"
            #expect(entry["status"] as? String == expected, "shard \(shard): \(entry)")
        }
        let table = try LocalCluster.run(["health", "--cluster", cluster.clusterFile])
        print(table.stdout)
        #expect(table.status == 2 && table.stdout.contains("DOWN") && !table.stdout.contains("\u{1B}["), "\(table.stdout)")
    }

    // MARK: Robustness and lifecycle

    @Test func malformedHTTP1AndHTTP2LeaveTheNodeServing() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 2)
        try await cluster.startAll()
        let port = try cluster.adminPort("n1")
        var random = SeededBytes(seed: 0x7A11)
        print("malformed input seed 0x7A11")
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        let manyHeaders = (0..<70).map { "X-\($0): a\r\n" }.joined()
        // Each input is small enough for the server to read in one go, so it closes with
        // nothing unread and the client sees the answer rather than a reset.
        let cases: [(name: String, bytes: [UInt8], http2: Bool)] = [
            ("header without colon", Array("GET /health HTTP/1.1\r\nHost x\r\n\r\n".utf8), false),
            // The parser looks for the CRLFCRLF that ends a head, then rejects any bare LF in it.
            ("bare LF", Array("GET /health HTTP/1.1\nHost: x\r\n\r\n".utf8), false),
            ("70 header fields", Array("GET /health HTTP/1.1\r\nHost: x\r\n\(manyHeaders)\r\n".utf8), false),
            ("random bytes", random.next(512) + Array("\r\n\r\n".utf8), false),
            // SETTINGS with a length that is not a multiple of 6: FRAME_SIZE_ERROR.
            ("bad SETTINGS length", preface + [0, 0, 5, 0x4, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5], true),
            // HEADERS on stream 0: PROTOCOL_ERROR.
            ("HEADERS on stream 0", preface + [0, 0, 0, 0x4, 0, 0, 0, 0, 0] + [0, 0, 1, 0x1, 0x5, 0, 0, 0, 0, 0x82], true),
            ("random frames", preface + random.next(512), true),
        ]
        for (name, bytes, http2) in cases {
            let socket = try RawSocket(port: port)
            socket.send(bytes)
            let (reply, closed) = socket.readUntilClosed()
            #expect(closed, "\(name): the server should close the connection")
            if http2 {
                #expect(HTTP2Frames.types(in: reply).contains(0x7), "\(name): expected a GOAWAY frame, got \(reply.count) bytes")
            } else {
                let head = String(decoding: reply.prefix(12), as: UTF8.self)
                #expect(head.hasPrefix("HTTP/1.1 4"), "\(name): \(head)")
            }
            #expect(try Curl.get(port, "/livez", http2: true).status == 200, "after \(name)")
            #expect(try Curl.get(port, "/health", http2: false).status == 200, "after \(name)")
        }
        let client = ParasolClient(config: cluster.config)
        try await client.createTensor(CreateTensor(
            name: "w", kind: .dense, shape: [2], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: true))
        _ = try await client.pushDense("w", gradient: [1, 2])
        #expect(try await client.pullDense("w") == [-1, -2])
        await client.close()
    }

    @Test func busyAdminPortFailsStartupNamingTheAddress() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 1)
        let admin = cluster.config.nodes[0].adminAddress
        let squatter = try ListeningSocket(port: admin.port)
        try cluster.start("n1")
        let status = try await cluster.waitUntilExited("n1")
        #expect(status != 0)
        let log = cluster.log(of: "n1")
        #expect(log.contains("cannot listen on \(admin) (admin address)"), "\(log)")
        withExtendedLifetime(squatter) {}
    }

    @Test func restartsAreCountedAndSIGTERMStopsTheAdminPlaneFirst() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 1)
        try await cluster.startAll()
        let port = try cluster.adminPort("n1")
        #expect(try Curl.get(port, "/health", http2: true).jsonObject()["startCount"] as? Int == 1)
        #expect(cluster.terminate("n1") == 0)
        let log = cluster.log(of: "n1")
        let adminStopped = try #require(log.range(of: "admin plane shutting down"), "\(log)")
        let nodeStopped = try #require(log.range(of: "node n1 stopped"), "\(log)")
        #expect(adminStopped.lowerBound < nodeStopped.lowerBound)

        try cluster.start("n1")
        try await cluster.waitUntilServing("n1")
        let health = try Curl.get(port, "/health", http2: false).jsonObject()
        #expect(health["startCount"] as? Int == 2)
        let lifetime = try #require(health["lifetimeSeconds"] as? Double)
        let uptime = try #require(health["uptimeSeconds"] as? Double)
        #expect(lifetime >= uptime, "the first start is older than this process")
    }
}

// MARK: - Helpers

extension LocalCluster {
    func adminPort(_ nodeID: String) throws -> Int {
        try config.node(nodeID).adminAddress.port
    }
}

/// curl against a node's admin port, returning status, protocol version and body.
enum Curl {
    struct Response: CustomStringConvertible {
        let status: Int
        let httpVersion: String
        let body: String

        func jsonObject() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw ClusterTestError("not a JSON object: \(body)")
            }
            return object
        }

        var description: String { "\(status) HTTP/\(httpVersion) \(body.prefix(500))" }
    }

    static func get(_ port: Int, _ path: String, http2: Bool) throws -> Response {
        try request(port, path, method: "GET", http2: http2)
    }

    static func request(_ port: Int, _ path: String, method: String, headers: [String] = [], http2: Bool) throws -> Response {
        var arguments = ["curl", "-sS", "--max-time", "10", "-X", method, "-w", "\n%{http_code} %{http_version}"]
        if http2 { arguments.append("--http2-prior-knowledge") }
        for header in headers { arguments += ["-H", header] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let result = try LocalCluster.runTool("/usr/bin/env", arguments)
        guard result.status == 0, let split = result.stdout.range(of: "\n", options: .backwards) else {
            throw ClusterTestError("curl \(path) failed (\(result.status)): \(result.stderr)")
        }
        let trailer = result.stdout[split.upperBound...].split(separator: " ")
        guard trailer.count == 2, let status = Int(trailer[0]) else {
            throw ClusterTestError("curl \(path): unexpected trailer in \(result.stdout)")
        }
        return Response(status: status, httpVersion: String(trailer[1]), body: String(result.stdout[..<split.lowerBound]))
    }
}

/// The samples of a Prometheus text exposition, by series (`name{labels}`) as written.
struct PrometheusSamples {
    private var values: [String: Double] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
    }

    subscript(series: String) -> Double? { values[series] }
}

/// The frame types in a stream of HTTP/2 frames (9-byte headers), for spotting a GOAWAY.
enum HTTP2Frames {
    static func types(in bytes: [UInt8]) -> [UInt8] {
        var types: [UInt8] = []
        var offset = 0
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            types.append(bytes[offset + 3])
            offset += 9 + length
        }
        return types
    }
}

/// Deterministic bytes for garbage input (SplitMix64).
struct SeededBytes {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
    }
}

/// Polls a condition until it holds or a deadline passes, instead of sleeping and hoping.
enum Poll {
    static func until(_ what: String, deadlineSeconds: Double, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(deadlineSeconds)
        while try !condition() {
            guard Date() < deadline else { throw ClusterTestError("timed out waiting until \(what)") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }
}

/// A socket listening on a port, to make it busy for a node that wants it.
final class ListeningSocket {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = LoopbackAddress(port: port)
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, 1) == 0 else {
            close(fd)
            throw ClusterTestError("cannot listen on 127.0.0.1:\(port)")
        }
    }

    deinit { close(fd) }
}
