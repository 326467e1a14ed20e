import Testing
@testable import ParasolJobs

@Suite("SparseLogisticRegressionJob against the in-memory store")
struct SparseLogisticRegressionJobTests {
    static func options(rank: Int, workers: Int, progress: TrainingProgressHandler? = nil) -> SparseLogisticRegressionJob.Options {
        .init(
            rank: rank, workers: workers, epochs: 3, batchSize: 64, seed: 5, trainingExamples: 6_000, testExamples: 2_000,
            fieldCount: 10, vocabularySize: 40, bucketCount: 1 << 16, progressIntervalSteps: 10, progress: progress
        )
    }

    @Test func twoWorkersLowerTheHeldOutLogLoss() async throws {
        print("SparseLogisticRegressionJobTests seed 5")
        let store = InMemoryParameterStore()
        let recorder = ProgressRecorder()
        async let first = SparseLogisticRegressionJob(options: Self.options(rank: 0, workers: 2, progress: recorder.handler))
            .run(store: store)
        async let second = SparseLogisticRegressionJob(options: Self.options(rank: 1, workers: 2)).run(store: store)
        let reports = try await [first, second]

        for report in reports {
            #expect(report.trainingExamples == 3_000 && report.steps == 3 * 47)
            #expect(report.testLogLoss < report.initialTestLogLoss - 0.1, "log-loss \(report.initialTestLogLoss) → \(report.testLogLoss)")
            #expect(report.testLogLoss < report.optimalTestLogLoss + 0.06, "optimal is \(report.optimalTestLogLoss)")
            #expect((report.testAUC ?? 0) > 0.72, "about 0.76 with this much data")
            #expect(report.lossHistory.last!.loss < report.lossHistory.first!.loss)
        }
        #expect(!recorder.recorded.isEmpty && recorder.recorded.allSatisfy { $0.rank == 0 })
    }

    @Test func sharesOfTheGlobalDatasetAreDisjoint() {
        let ranges = (0..<3).map { Self.options(rank: $0, workers: 3).trainingRange }

        #expect(ranges == [0..<2_000, 2_000..<4_000, 4_000..<6_000])
        #expect(Self.options(rank: 0, workers: 3).testRange == 6_000..<8_000)
    }

    @Test func examplesDependOnlyOnSeedAndIndex() {
        let data = Self.options(rank: 0, workers: 1).data
        let whole = data.examples(0..<10)
        let tail = data.examples(5..<10)

        #expect(Array(whole.buckets[50...]) == tail.buckets)
        #expect(Array(whole.labels[5...]) == tail.labels)
        #expect(whole.buckets.allSatisfy { $0 < 1 << 16 })
    }

    @Test func batchesPullEachRowOnce() {
        let examples = SparseExamples(fieldCount: 2, buckets: [4, 9, 9, 4, 7, 4], labels: [1, 0, 1], trueLogits: [0, 0, 0])
        let batch = SparseBatch(examples, examples: [0, 1, 2])

        #expect(batch.rowIDs == [4, 9, 7])
        #expect(batch.slots == [0, 1, 1, 0, 2, 0])
        #expect(batch.logits(rowWeights: [1, 10, 100], bias: 0.5, fieldCount: 2) == [11.5, 11.5, 101.5])
    }
}

@Suite("BinaryClassificationMetrics")
struct BinaryClassificationMetricsTests {
    @Test func areaUnderROCCountsTiesAsHalf() {
        #expect(BinaryClassificationMetrics.areaUnderROC(scores: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1]) == 0.75)
        #expect(BinaryClassificationMetrics.areaUnderROC(scores: [0.5, 0.5], labels: [0, 1]) == 0.5)
        #expect(BinaryClassificationMetrics.areaUnderROC(scores: [0.2, 0.9], labels: [1, 1]) == nil)
    }

    @Test func logLossAndAccuracy() {
        let loss = BinaryClassificationMetrics.logLoss(probabilities: [0.5, 0.5], labels: [0, 1])
        #expect(abs(loss - 0.693_147) < 1e-6)
        #expect(BinaryClassificationMetrics.accuracy(probabilities: [0.9, 0.2, 0.6], labels: [1, 0, 0]) == 2.0 / 3)
        #expect(abs(SparseLogisticRegressionJob.logLoss(logit: 800, label: 0) - 800) < 1e-9)
        #expect(abs(SparseLogisticRegressionJob.logLoss(logit: 0, label: 1) - 0.693_147) < 1e-6)
    }
}
