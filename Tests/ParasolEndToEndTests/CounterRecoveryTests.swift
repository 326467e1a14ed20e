import Foundation
import ParasolClient
import ParasolConfig
import Testing

/// The foundation's promise at replication factor 1: a node killed with SIGKILL and started
/// again comes back with every acknowledged push (snapshot + write-ahead log), and pushes retried
/// across the restart are applied once.
@Suite(.serialized) struct CounterRecoveryTests {
    @Test func counterEqualsAcknowledgedPushesAcrossKill9AndRestart() async throws {
        let cluster = try LocalCluster(nodes: 3, shards: 4, snapshotEveryUpdates: 500)
        try await cluster.startAll()
        let owner = cluster.owner(ofTensor: "counter")
        // Enough that the kills land while the worker pushes: with 6 000 it had sometimes
        // finished before the observer's first read (the counter printed at each kill shows it).
        let count = 30_000
        let worker = try CounterWorker(cluster: cluster, count: count, inFlight: 32)

        // Kill the counter's node twice while pushes are in flight, each time once the counter
        // has moved on, and start it again.
        // Short connect timeouts and pauses: a node that accepts but is still recovering kept a
        // default observer waiting seconds while the worker pushed thousands more.
        let observer = ParasolClient(
            config: cluster.config, options: ClientOptions(callDeadlineSeconds: 60, connectTimeoutSeconds: 0.2, retryBackoffMaxSeconds: 0.05))
        for threshold in [Float(1_000), 3_000] {
            let atKill = try await waitForCounter(atLeast: threshold, client: observer)
            cluster.kill9(owner)
            noteKill(counterAtKill: atKill, count: count, node: owner)
            try await Task.sleep(nanoseconds: 300_000_000)
            try cluster.start(owner)
        }
        let report = try await worker.finish()
        let acknowledged = report.acknowledged
        #expect(acknowledged == count, "worker: \(report)")
        #expect(report.value == Double(acknowledged), "counter \(report.value) != acknowledged \(acknowledged)")

        // Once more from cold: kill -9 after the run, restart, read it back.
        cluster.kill9(owner)
        try cluster.start(owner)
        try await cluster.waitUntilServing(owner)
        let reread = try await observer.pullDense("counter")
        #expect(reread == [Float(acknowledged)])
        await observer.close()
        #expect(cluster.log(of: owner).contains("loaded snapshot"), "the restart should have used a snapshot:\n\(cluster.log(of: owner))")
    }
}
