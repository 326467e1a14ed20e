import Testing

@testable import ParasolAdmin

@Suite("metrics", .timeLimit(.minutes(1)))
struct MetricsTests {
    /// Records one of everything the server records, on two shards.
    func recordSample(_ metrics: ParasolMetrics) {
        for shard in 0..<2 {
            let handles = metrics.shard(shard)
            handles.recordRequest(.push, payloadBytes: 4096, duration: .microseconds(180))
            handles.recordRequest(.pull, payloadBytes: 8192, duration: .milliseconds(3))
            handles.setRole(shard == 0 ? .primary : .replica)
            handles.setTerm(4)
            handles.setCommitIndex(1000)
            handles.setAppliedIndex(998)
            handles.setReplicaLag(node: "n2", entries: 3)
            handles.recordElection()
            handles.recordHeldRequest()
            handles.recordSnapshot(duration: .milliseconds(250), bytes: 1 << 20)
        }
        metrics.recordWALFsync(.microseconds(300))
        metrics.connectionOpened(.data)
    }

    @Test("/metrics passes promtool check metrics")
    func promtool() async throws {
        let promtool = try ExternalTool("promtool", package: "prometheus")
        let running = try await RunningServer.start()
        defer { Task { await running.server.shutdown() } }
        recordSample(running.metrics)
        let exposition = try await running.get("/metrics")
        let result = try await promtool.run(["check", "metrics"], stdin: exposition.body)
        #expect(result.exitCode == 0, "promtool: \(result.stdout)\(result.stderr)\n--- exposition:\n\(exposition.text)")
        for name in [
            MetricCatalogue.requests, MetricCatalogue.payloadBytes, MetricCatalogue.requestDuration, MetricCatalogue.shardRole,
            MetricCatalogue.shardTerm, MetricCatalogue.shardCommitIndex, MetricCatalogue.replicaLag, MetricCatalogue.elections,
            MetricCatalogue.snapshotDuration, MetricCatalogue.snapshotBytes, MetricCatalogue.walFsyncDuration,
            MetricCatalogue.openConnections, MetricCatalogue.requestsHeld,
        ] {
            #expect(exposition.text.contains("# HELP \(name) "), "no HELP for \(name)")
        }
    }

    @Test("values land under the catalogue's names and labels")
    func values() {
        let factory = ParasolMetricsFactory()
        let metrics = ParasolMetrics(factory: factory)
        recordSample(metrics)
        metrics.shard(0).setRole(.candidate)
        let text = String(decoding: factory.exposition(), as: UTF8.self)
        #expect(text.contains(#"parasol_requests_total{shard="1",kind="push"} 1"#))
        #expect(text.contains(#"parasol_request_payload_bytes_total{shard="0",kind="pull"} 8192"#))
        #expect(text.contains(#"parasol_shard_role{shard="0",role="candidate"} 1.0"#))
        #expect(text.contains(#"parasol_shard_role{shard="0",role="primary"} 0.0"#))
        // Both shards' pushes took 180 µs and share the per-kind histogram.
        #expect(text.contains(#"parasol_request_duration_seconds_bucket{kind="push",le="0.0001"} 0"#))
        #expect(text.contains(#"parasol_request_duration_seconds_bucket{kind="push",le="0.00025"} 2"#))
        #expect(text.contains(#"parasol_request_duration_seconds_bucket{kind="pull",le="0.005"} 2"#))
        #expect(text.contains(#"parasol_wal_fsync_duration_seconds_count 1"#))
        #expect(metrics.shard(1) === metrics.shard(1))
    }

    @Test("latency buckets run from 50 µs to 10 s in increasing order")
    func buckets() {
        let buckets = MetricCatalogue.latencyBuckets
        #expect(buckets.first == .microseconds(50) && buckets.last == .seconds(10))
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 })
    }
}
