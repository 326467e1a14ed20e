import Foundation
import Testing

/// A real worker process trains through real server processes: the loss must fall.
@Suite(.serialized) struct TrainingTests {
    @Test func fashionMNISTLossFallsThroughTheCluster() async throws {
        let cluster = try LocalCluster(nodes: 3, shards: 8)
        try await cluster.startAll()
        let result = try LocalCluster.run([
            "worker", "--cluster", cluster.clusterFile, "--job", "fashion-mnist", "--epochs", "1",
            "--train-limit", "6000", "--test-limit", "2000", "--progress-interval", "15", "--json",
        ])
        #expect(result.status == 0, "worker failed:\n\(result.stderr)")
        let report = try result.json()
        let history = try #require(report["loss_history"] as? [[String: Any]])
        let losses = history.compactMap { $0["loss"] as? Double }
        print("loss by interval: \(losses)")
        #expect(losses.count >= 2)
        #expect(try #require(losses.last) < losses[0] * 0.7, "loss did not fall: \(losses)")
        let accuracy = try #require(report["test_accuracy"] as? Double)
        #expect(accuracy > 0.7, "test accuracy \(accuracy)")
    }

    /// Replication factor 3: the primary of every shard holding part of the model is killed with
    /// SIGKILL in turn while the worker trains; it keeps training and reaches its target.
    @Test func fashionMNISTTrainsThroughPrimaryKills() async throws {
        let cluster = try LocalCluster(nodes: 3, shards: 3, replication: 3, snapshotEveryUpdates: 300)
        try await cluster.startAll()
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: LocalCluster.binary)
        worker.arguments = [
            "worker", "--cluster", cluster.clusterFile, "--job", "fashion-mnist", "--epochs", "2", "--train-limit", "12000",
            "--test-limit", "2000", "--target-accuracy", "0.78", "--json",
        ]
        let output = Pipe()
        worker.standardOutput = output
        worker.standardError = output
        try worker.run()
        let collected = Task { await onOwnThread { output.fileHandleForReading.readDataToEndOfFile() } }
        for shard in 0..<3 {
            try await Task.sleep(nanoseconds: 1_000_000_000)
            guard worker.isRunning else { break }
            let primary = try await cluster.primary(ofShard: shard)
            print("training: kill -9 \(primary), the primary of shard \(shard)")
            cluster.kill9(primary)
            try await Task.sleep(nanoseconds: 500_000_000)
            try cluster.start(primary)
        }
        let text = String(decoding: await collected.value, as: UTF8.self)
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0, "worker failed (status \(worker.terminationStatus)):\n\(text)")
        let line = try #require(text.split(separator: "\n").last { $0.hasPrefix("{") })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let accuracy = try #require(report["test_accuracy"] as? Double)
        print("training through kills: test accuracy \(accuracy)")
        #expect(accuracy >= 0.78)
    }

    @Test func sparseLogisticRegressionLearnsThroughTheCluster() async throws {
        let cluster = try LocalCluster(nodes: 2, shards: 4)
        try await cluster.startAll()
        let result = try LocalCluster.run([
            "worker", "--cluster", cluster.clusterFile, "--job", "sparse-lr", "--epochs", "1", "--json",
        ])
        #expect(result.status == 0, "worker failed:\n\(result.stderr)")
        let report = try result.json()
        let before = try #require(report["initial_test_log_loss"] as? Double)
        let after = try #require(report["test_log_loss"] as? Double)
        #expect(after < before - 0.05, "log-loss \(before) → \(after)")
    }
}
