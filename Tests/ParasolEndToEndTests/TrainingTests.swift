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
