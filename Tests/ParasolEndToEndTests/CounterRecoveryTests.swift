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
        let count = 6_000

        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: LocalCluster.binary)
        worker.arguments = ["worker", "--cluster", cluster.clusterFile, "--job", "counter", "--count", "\(count)", "--in-flight", "32", "--json"]
        let output = Pipe()
        worker.standardOutput = output
        worker.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try worker.run()

        // Kill the counter's node twice while pushes are in flight, each time once the counter
        // has moved on, and start it again.
        let observer = ParasolClient(config: cluster.config, options: ClientOptions(callDeadlineSeconds: 60))
        for threshold in [Float(1_000), 3_000] {
            try await waitForCounter(atLeast: threshold, client: observer)
            cluster.kill9(owner)
            try await Task.sleep(nanoseconds: 300_000_000)
            try cluster.start(owner)
        }
        let result = try await Task.detached {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            worker.waitUntilExit()
            return (worker.terminationStatus, String(decoding: data, as: UTF8.self))
        }.value
        #expect(result.0 == 0, "worker failed: \(result.1)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.1.split(separator: "\n").last.map { Data($0.utf8) } ?? Data())) as? [String: Any])
        let acknowledged = try #require(report["acknowledged"] as? Int)
        let value = try #require(report["value"] as? Double)
        #expect(acknowledged == count)
        #expect(value == Double(acknowledged), "counter \(value) != acknowledged \(acknowledged)")

        // Once more from cold: kill -9 after the run, restart, read it back.
        cluster.kill9(owner)
        try cluster.start(owner)
        try await cluster.waitUntilServing(owner)
        let reread = try await observer.pullDense("counter")
        #expect(reread == [Float(acknowledged)])
        await observer.close()
        #expect(cluster.log(of: owner).contains("loaded snapshot"), "the restart should have used a snapshot:\n\(cluster.log(of: owner))")
    }

    private func waitForCounter(atLeast threshold: Float, client: ParasolClient) async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let value = try? await client.pullDense("counter").first, value >= threshold { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw ClusterTestError("the counter never reached \(threshold)")
    }
}
