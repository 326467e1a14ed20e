import Foundation
import ParasolClient
import ParasolConfig
import ParasolWire

/// Kills the primary of one shard with SIGKILL while a client pushes to it, N times, and
/// measures how long until a push is acknowledged again and until a surviving node's admin
/// plane names the new primary; at the end the counter must equal the acknowledged pushes.
struct FailoverBench {
    let settings: BenchSettings

    func run(cluster: BenchCluster, report: BenchReport) async throws {
        guard cluster.owned, cluster.config.replicationFactor >= 3 else {
            report.note("failover skipped: needs a cluster with replication ≥ 3 that the benchmark started itself")
            return
        }
        let client = ParasolClient(config: cluster.config)
        let observer = ParasolClient(config: cluster.config, options: ClientOptions(callDeadlineSeconds: 5))
        defer { Task { await client.close(); await observer.close() } }
        let tensor = "bench.failover.counter"
        try await client.createTensor(
            CreateTensor(name: tensor, kind: .dense, shape: [1], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: true))
        let initial = try await client.pullDense(tensor)[0]
        let shard = Int(client.shardID(of: tensor))
        let admin = AdminShardProbe()
        let pusher = ContinuousPusher()
        let pushing = Task { await pusher.run(client: client, tensor: tensor, gradient: -1) }
        let clock = ContinuousClock()
        var toAckMillis: [Double] = []
        var toVisibleMillis: [Double] = []
        var kills: [[String: Any]] = []
        for kill in 1...settings.failoverKills {
            try await Task.sleep(nanoseconds: 700_000_000)
            let victim = try await observer.servingPrimary(shard: shard)
            let survivors = cluster.config.nodes.filter { $0.id != victim }
            let killedAt = clock.now
            cluster.kill9(victim)
            var visible: Double?
            var acknowledged: Double?
            let giveUpAt = killedAt + .seconds(15)
            while clock.now < giveUpAt, visible == nil || acknowledged == nil {
                if acknowledged == nil, let push = pusher.firstAcknowledged(startedAfter: killedAt) {
                    acknowledged = Double((push.ended - killedAt).nanoseconds) / 1e6
                }
                if visible == nil {
                    for node in survivors {
                        if let primary = await admin.primary(of: shard, askingNode: node), primary != victim {
                            visible = Double((clock.now - killedAt).nanoseconds) / 1e6
                            break
                        }
                    }
                }
                try await Task.sleep(nanoseconds: 2_000_000)
            }
            if let acknowledged { toAckMillis.append(acknowledged) }
            if let visible { toVisibleMillis.append(visible) }
            kills.append(["kill": kill, "victim": victim, "toAckMs": acknowledged ?? NSNull(), "toVisibleMs": visible ?? NSNull()])
            StandardError.line(
                "    kill \(kill): \(victim) → ack after \(acknowledged.map { BenchFormat.number($0) } ?? "—") ms, visible after \(visible.map { BenchFormat.number($0) } ?? "—") ms")
            try cluster.start(victim)
            try await cluster.waitUntilServing(nodes: [victim])
            // Let the restarted replica catch up before the next kill depends on it for a majority.
            try await Task.sleep(nanoseconds: 800_000_000)
        }
        pusher.stop()
        await pushing.value
        let value = Double(try await observer.pullDense(tensor)[0] - initial)
        let acknowledgedCount = pusher.acknowledgedCount
        let failedCount = pusher.failedCount
        // A failed push may or may not have been applied: only the excess over acknowledged +
        // failed is a duplicate, and only a shortfall below acknowledged is a loss.
        let lost = max(0, acknowledgedCount - Int(value))
        let duplicated = max(0, Int(value) - acknowledgedCount - failedCount)
        let ack = Stats(toAckMillis), shown = Stats(toVisibleMillis)
        var fields: [String: Any] = [
            "replication": cluster.config.replicationFactor, "kills": settings.failoverKills, "measuredAck": toAckMillis.count,
            "measuredVisible": toVisibleMillis.count, "toAckMs": toAckMillis, "toVisibleMs": toVisibleMillis,
            "toAckMedianMs": ack.median, "toAckP90Ms": ack.p90, "toAckMaxMs": ack.max,
            "toVisibleMedianMs": shown.median, "toVisibleP90Ms": shown.p90, "toVisibleMaxMs": shown.max,
            "acknowledged": acknowledgedCount, "failedPushes": failedCount, "counterValue": value, "lost": lost, "duplicated": duplicated,
            "perKill": kills, "shard": shard,
        ]
        if let failure = pusher.firstFailure { fields["firstFailure"] = failure }
        report.add(
            section: .failover, name: "kill -9 primary rf\(cluster.config.replicationFactor) x\(settings.failoverKills)", fields: fields,
            line: "to ack: median \(BenchFormat.number(ack.median)) p90 \(BenchFormat.number(ack.p90)) max \(BenchFormat.number(ack.max)) ms; "
                + "to /shards: median \(BenchFormat.number(shown.median)) p90 \(BenchFormat.number(shown.p90)) max \(BenchFormat.number(shown.max)) ms; "
                + "acked \(acknowledgedCount), counter \(Int(value)), lost \(lost), dup \(duplicated), failed \(failedCount)")
    }
}

/// Median, 90th percentile (nearest rank) and maximum of a few samples.
struct Stats {
    var median = 0.0, p90 = 0.0, max = 0.0

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return }
        func rank(_ fraction: Double) -> Double { sorted[Swift.min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)] }
        median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        p90 = rank(0.9)
        max = sorted.last!
    }
}
