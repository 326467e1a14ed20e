import Foundation
import ParasolClient
import ParasolConfig
import ParasolWire
import Testing

/// Replication factor 3 against real processes: primaries killed with SIGKILL mid-push, moved
/// with `parasol failover`, replicas wiped and rebuilt. The counter job's report is the ledger:
/// at the end the counter must equal the number of acknowledged pushes exactly.
@Suite(.serialized) struct ReplicationEndToEndTests {
    @Test func counterEqualsAcknowledgedThroughRepeatedPrimaryKills() async throws {
        let cluster = try LocalCluster(nodes: 3, shards: 2, replication: 3, snapshotEveryUpdates: 700)
        try await cluster.startAll()
        let shard = ShardPlacement.shard(ofTensor: "counter", shardCount: cluster.config.shardCount)
        // Enough that the kills land while the worker pushes: with 5 000 it had sometimes
        // finished before the last kill (the counter printed at each kill shows it).
        let count = 40_000
        let worker = try CounterWorker(cluster: cluster, count: count, inFlight: 32)

        // Short connect timeouts and pauses: a node that accepts but is still recovering kept a
        // default observer waiting seconds while the worker pushed thousands more.
        let observer = ParasolClient(
            config: cluster.config, options: ClientOptions(callDeadlineSeconds: 60, connectTimeoutSeconds: 0.2, retryBackoffMaxSeconds: 0.05))
        for threshold in [Float(800), 2_000, 3_200] {
            // The primary first: finding it can take a while just after a restart, and the
            // kill should come right after the counter passes the threshold.
            let primary = try await cluster.primary(ofShard: shard)
            let atKill = try await waitForCounter(atLeast: threshold, client: observer)
            cluster.kill9(primary)
            noteKill(counterAtKill: atKill, count: count, node: "\(primary), the primary of shard \(shard),")
            // The two survivors elect a new primary; the worker keeps pushing meanwhile.
            try await waitForCounter(atLeast: threshold + 100, client: observer)
            try cluster.start(primary)
        }
        let report = try await worker.finish()
        #expect(report.acknowledged == count, "worker: \(report)")
        #expect(report.value == Double(report.acknowledged), "counter \(report.value) != acknowledged \(report.acknowledged)")

        // Every node killed at once, then all restarted: nothing acknowledged is lost.
        for node in cluster.config.nodes { cluster.kill9(node.id) }
        for node in cluster.config.nodes { try cluster.start(node.id) }
        for node in cluster.config.nodes { try await cluster.waitUntilServing(node.id) }
        let reread = try await observer.pullDense("counter")
        #expect(reread == [Float(report.acknowledged)])
        await observer.close()
    }

    @Test func failoverCommandMovesPrimariesAndRefusesNonsense() async throws {
        let cluster = try LocalCluster(nodes: 3, shards: 3, replication: 3)
        try await cluster.startAll()
        let before = try await cluster.primary(ofShard: 1)
        let target = cluster.config.nodes.map(\.id).first { $0 != before }!
        let moved = try LocalCluster.run(["failover", "--cluster", cluster.clusterFile, "--shard", "1", "--to", target])
        #expect(moved.status == 0, "\(moved.stdout)\(moved.stderr)")
        #expect(moved.stdout.contains("\(before) → \(target)"), "\(moved.stdout)")
        #expect(try await cluster.primary(ofShard: 1) == target)

        let drained = try LocalCluster.run(["failover", "--cluster", cluster.clusterFile, "--shard", "all", "--from", target, "--json"])
        #expect(drained.status == 0, "\(drained.stdout)\(drained.stderr)")
        for shard in 0..<3 {
            #expect(try await cluster.primary(ofShard: shard) != target, "shard \(shard) is still led by \(target)")
        }

        let unknownNode = try LocalCluster.run(["failover", "--cluster", cluster.clusterFile, "--shard", "1", "--to", "n9"])
        #expect(unknownNode.status != 0)
        #expect(unknownNode.stderr.contains("n9 holds no replica of shard 1"), "\(unknownNode.stderr)")
        let unknownShard = try LocalCluster.run(["failover", "--cluster", cluster.clusterFile, "--shard", "7"])
        #expect(unknownShard.status != 0)
        #expect(unknownShard.stderr.contains("shard 7 does not exist"), "\(unknownShard.stderr)")
        let noFrom = try LocalCluster.run(["failover", "--cluster", cluster.clusterFile, "--shard", "all"])
        #expect(noFrom.status != 0)
        #expect(noFrom.stderr.contains("--from"), "\(noFrom.stderr)")
    }

    @Test func sigtermHandsThePrimaryRoleOverBeforeExiting() async throws {
        let cluster = try LocalCluster(nodes: 3, shards: 1, replication: 3)
        try await cluster.startAll()
        let primary = try await cluster.primary(ofShard: 0)
        #expect(cluster.terminate(primary) == 0)
        #expect(cluster.log(of: primary).contains("handed the primary role to"), "\(cluster.log(of: primary))")
        let next = try await cluster.primary(ofShard: 0)
        #expect(next != primary)
    }

    @Test func wipedReplicaIsRebuiltFromTheLeadersSnapshot() async throws {
        let cluster = try LocalCluster(nodes: 3, shards: 1, replication: 3, snapshotEveryUpdates: 200)
        try await cluster.startAll()
        let client = ParasolClient(config: cluster.config, options: ClientOptions(callDeadlineSeconds: 60, connectTimeoutSeconds: 1))
        _ = try await client.createTensor(CreateTensor(
            name: "w", kind: .dense, shape: [1024], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: true))
        let primary = try await cluster.primary(ofShard: 0)
        let victim = cluster.config.nodes.map(\.id).first { $0 != primary }!
        cluster.kill9(victim)
        try FileManager.default.removeItem(atPath: cluster.folder.appendingPathComponent("data/\(victim)").path)
        // Pushes while the victim is gone: the group compacts its log past anything the wiped
        // replica could be sent entry by entry.
        for _ in 0..<600 { _ = try await client.pushDense("w", gradient: [Float](repeating: -1, count: 1024)) }
        try cluster.start(victim)
        try await cluster.waitUntilServing(victim)

        // Make the rebuilt replica the primary and read through it.
        let moved = try LocalCluster.run(["failover", "--cluster", cluster.clusterFile, "--shard", "0", "--to", victim, "--timeout", "30"])
        #expect(moved.status == 0, "\(moved.stdout)\(moved.stderr)\n\(cluster.log(of: victim))")
        let values = try await client.pullDense("w")
        #expect(values == [Float](repeating: 600, count: 1024))
        #expect(cluster.log(of: victim).contains("installed snapshot"), "\(cluster.log(of: victim))")
        await client.close()
    }
}
