import Foundation
import ParasolClient
import ParasolConfig
import ParasolWire

/// A large dense tensor (random normal, Adam) on a one-node cluster: snapshot write and restore
/// throughput, compression against `lz4 -1`, small-push latency with and without a snapshot
/// being written, and the node's RSS against the weights and optimizer state it holds.
struct SnapshotBench {
    let settings: BenchSettings

    private let bigName = "bench.snapshot.weights"
    /// Adam keeps two floats of state (first and second moment) per weight.
    private let adamSlotsPerWeight = 2

    func run(cluster: BenchCluster, report: BenchReport) async throws {
        let clock = ContinuousClock()
        let client = ParasolClient(config: cluster.config, options: ClientOptions(callDeadlineSeconds: 600))
        defer { Task { await client.close() } }
        let node = cluster.config.nodes[0].id
        let baselineRSS = cluster.residentBytes(of: node)
        let elements = settings.snapshotBytes / 4
        let shard = Int(client.shardID(of: bigName))
        let probeName = probeTensor(avoiding: UInt32(shard), client: client)
        try await client.createTensor(
            CreateTensor(name: probeName, kind: .dense, shape: [16], initializer: .zeros, optimizer: .sgd(learningRate: 1e-6), ifNotExists: true))

        let createStart = clock.now
        try await client.createTensor(
            CreateTensor(
                name: bigName, kind: .dense, shape: [UInt64(elements)], initializer: .normal(mean: 0, stddev: 0.05, seed: 42),
                optimizer: .adam(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8), ifNotExists: true))
        let createSeconds = seconds(since: createStart, clock)
        let gradient = (0..<elements).map { Float(Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: $0 &* 2_654_435_761) >> 12) - 524_288) * 2e-9 }
        let pushStart = clock.now
        try await client.pushDense(bigName, gradient: gradient)
        let pushSeconds = seconds(since: pushStart, clock)
        let heldBytes = elements * 4 * (1 + adamSlotsPerWeight) + 16 * 4
        report.add(
            section: .snapshot, name: "load \(BenchFormat.bytes(settings.snapshotBytes)) + Adam", fields: [
                "weightsBytes": elements * 4, "createSeconds": createSeconds, "firstPushSeconds": pushSeconds,
                "firstPushMBps": Double(elements * 4) / pushSeconds / 1e6,
            ],
            line: "create (normal init) \(BenchFormat.number(createSeconds, 2)) s, first full push \(BenchFormat.number(pushSeconds, 2)) s (\(BenchFormat.number(Double(elements * 4) / pushSeconds / 1e6)) MB/s)")

        if settings.sections.contains(.memory) {
            // Right after the load the log still holds the full-size push until the snapshot
            // its bytes triggered lets it be compacted away.
            recordMemory(cluster: cluster, node: node, when: "after load", baselineRSS: baselineRSS, heldBytes: heldBytes, report: report)
        }
        // The load may have triggered an automatic snapshot (log bytes), which a request would
        // join or simply return, and which would disturb the quiet latency: let it finish (the
        // log is compacted before the answer), then apply one more push so that the measured
        // request must write a whole new snapshot.
        let small = [Float](repeating: 0.001, count: 16)
        _ = try await client.snapshot(shard: shard)
        if settings.sections.contains(.memory) {
            recordMemory(cluster: cluster, node: node, when: "after load, log compacted", baselineRSS: nil, heldBytes: heldBytes, report: report)
        }
        guard settings.sections.contains(.snapshot) else { return }
        try await client.pushDense(bigName, gradient: small, offset: 0)
        // Small pushes to another shard of the same node, without and then during a snapshot.
        let quiet = await LoadDriver.run(inFlight: 1, operationsMax: Int.max, seconds: settings.snapshotProbeSeconds) { _ in
            try await client.pushDense(probeName, gradient: small)
        }
        let writeStart = clock.now
        let taken = try await client.snapshot(shard: shard)
        let writeSeconds = seconds(since: writeStart, clock)

        try await client.pushDense(bigName, gradient: small, offset: 0)
        let done = StopFlag()
        let during = Task { () -> (SnapshotTaken, Double) in
            defer { done.set() }
            let start = clock.now
            let taken = try await client.snapshot(shard: shard)
            return (taken, seconds(since: start, clock))
        }
        var duringLatency = LatencyRecorder()
        while !done.isSet {
            let start = clock.now
            try await client.pushDense(probeName, gradient: small)
            duringLatency.record(nanoseconds: UInt64((clock.now - start).nanoseconds))
        }
        let (secondTaken, secondSeconds) = try await during.value

        let directory = cluster.dataDirectory(of: node) ?? ""
        let manifest = SnapshotFiles.manifest(in: directory, shard: shard, index: Int(taken.index))
            ?? SnapshotFiles.manifest(in: directory, shard: shard)
        let uncompressed = manifest?.uncompressedBytes ?? heldBytes
        var fields: [String: Any] = [
            "shard": shard, "index": taken.index, "compressedBytes": taken.bytes, "uncompressedBytes": uncompressed,
            "uncompressedFromManifest": manifest != nil, "writeSeconds": writeSeconds,
            "writeMBps": Double(uncompressed) / writeSeconds / 1e6, "ratio": Double(uncompressed) / Double(max(taken.bytes, 1)),
            "secondWriteSeconds": secondSeconds, "secondCompressedBytes": secondTaken.bytes,
            "pushP99QuietUs": quiet.latency.summary.p99, "pushP99DuringUs": duringLatency.summary.p99,
            "pushP50QuietUs": quiet.latency.summary.p50, "pushP50DuringUs": duringLatency.summary.p50,
            "pushMaxDuringUs": duringLatency.summary.max, "pushCountQuiet": quiet.operations, "pushCountDuring": duringLatency.count,
        ]
        var lz4Text = "lz4 -1: not measured"
        if let manifest, let scratch = cluster.dataDirectory(of: node),
            let lz4 = SnapshotFiles.compareWithLZ4(manifest, scratch: scratch)
        {
            let lz4Ratio = Double(manifest.uncompressedBytes) / Double(max(lz4.compressedBytes, 1))
            fields["lz4Level1Bytes"] = lz4.compressedBytes
            fields["lz4Level1Ratio"] = lz4Ratio
            fields["lz4Level1Seconds"] = lz4.seconds
            fields["lz4Level1MBps"] = Double(manifest.uncompressedBytes) / lz4.seconds / 1e6
            fields["snapshotFilter"] = manifest.filter
            lz4Text = "lz4 -1 ratio \(BenchFormat.number(lz4Ratio, 3)) (\(BenchFormat.number(fields["lz4Level1MBps"] as! Double)) MB/s single-threaded)"
        } else {
            report.note("lz4 -1 comparison skipped: snapshot file or the lz4 tool not found")
        }
        report.add(
            section: .snapshot, name: "write shard \(shard)", fields: fields,
            line: "\(BenchFormat.number(Double(uncompressed) / writeSeconds / 1e6)) MB/s (\(BenchFormat.bytes(uncompressed)) in \(BenchFormat.number(writeSeconds, 2)) s), "
                + "ratio \(BenchFormat.number(Double(uncompressed) / Double(max(taken.bytes, 1)), 3)), \(lz4Text); "
                + "push p99 quiet \(BenchFormat.number(quiet.latency.summary.p99, 0)) µs vs during \(BenchFormat.number(duringLatency.summary.p99, 0)) µs (\(duringLatency.count) pushes)")

        guard cluster.owned else {
            report.note("restore skipped: the benchmark can only restart nodes it started")
            return
        }
        // Restore: kill -9, restart, and time until the big tensor's shard serves a read again.
        cluster.kill9(node)
        let restoreStart = clock.now
        try cluster.start(node)
        let reader = ParasolClient(config: cluster.config, options: ClientOptions(callDeadlineSeconds: 600))
        _ = try await reader.pullDense(bigName, offset: 0, count: 1)
        let restoreSeconds = seconds(since: restoreStart, clock)
        await reader.close()
        report.add(
            section: .snapshot, name: "restore shard \(shard)", fields: [
                "shard": shard, "uncompressedBytes": uncompressed, "restoreSeconds": restoreSeconds,
                "restoreMBps": Double(uncompressed) / restoreSeconds / 1e6,
            ],
            line: "\(BenchFormat.number(Double(uncompressed) / restoreSeconds / 1e6)) MB/s (kill -9 → restart → first read \(BenchFormat.number(restoreSeconds, 2)) s)")
        if settings.sections.contains(.memory) {
            recordMemory(cluster: cluster, node: node, when: "after restore", baselineRSS: nil, heldBytes: heldBytes, report: report)
        }
    }

    private func recordMemory(cluster: BenchCluster, node: String, when: String, baselineRSS: Int?, heldBytes: Int, report: BenchReport) {
        guard let rss = cluster.residentBytes(of: node) else {
            report.note("memory skipped: RSS is only readable for nodes the benchmark started")
            return
        }
        var fields: [String: Any] = ["node": node, "when": when, "rssBytes": rss, "heldBytes": heldBytes, "ratio": Double(rss) / Double(heldBytes)]
        if let baselineRSS { fields["emptyRssBytes"] = baselineRSS }
        report.add(
            section: .memory, name: "RSS \(when)", fields: fields,
            line: "\(BenchFormat.number(Double(rss) / 1048576, 0)) MiB RSS for \(BenchFormat.number(Double(heldBytes) / 1048576, 0)) MiB weights + Adam state = \(BenchFormat.number(Double(rss) / Double(heldBytes), 3))×"
                + (baselineRSS.map { " (empty node: \(BenchFormat.number(Double($0) / 1048576, 0)) MiB)" } ?? ""))
    }

    /// A small tensor on another shard than the big one, so its pushes measure the node, not the shard being snapshotted.
    private func probeTensor(avoiding shard: UInt32, client: ParasolClient) -> String {
        var index = 0
        while client.shardID(of: "bench.snapshot.probe.\(index)") == shard, index < 1000 { index += 1 }
        return "bench.snapshot.probe.\(index)"
    }

    private func seconds(since start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
        Double((clock.now - start).nanoseconds) / 1e9
    }
}
