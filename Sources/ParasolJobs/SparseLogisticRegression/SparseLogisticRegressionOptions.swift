import ParasolWire

extension SparseLogisticRegressionJob {
    /// Everything that shapes a sparse logistic regression run. Workers of one job must agree on
    /// everything but `rank` and `progress`: the data, the tables and their optimizer are shared.
    public struct Options: Sendable {
        public var rank: Int
        public var workers: Int
        public var epochs: Int
        public var batchSize: Int
        /// Seeds the synthetic data (features, hidden weights, labels) and the shuffles.
        public var seed: UInt64
        /// Training examples of the whole job; each worker trains on a disjoint share.
        public var trainingExamples: Int
        /// Held-out examples every worker evaluates on.
        public var testExamples: Int
        /// Categorical fields per example, i.e. active features per example.
        public var fieldCount: Int
        /// Distinct values per field.
        public var vocabularySize: Int
        /// Rows of the hashed embedding table.
        public var bucketCount: Int
        /// AdaGrad's step size.
        public var learningRate: Float
        /// AdaGrad's starting accumulator, which caps the first steps of a rarely seen feature.
        public var initialAccumulator: Float
        public var progressIntervalSteps: Int
        /// Store names are `<tensorPrefix>/embedding` (sparse, `[bucketCount, 1]`) and `<tensorPrefix>/bias`.
        public var tensorPrefix: String
        public var progress: TrainingProgressHandler?

        public init(
            rank: Int = 0, workers: Int = 1, epochs: Int = 2, batchSize: Int = 256, seed: UInt64 = 1,
            trainingExamples: Int = 200_000, testExamples: Int = 20_000, fieldCount: Int = 20,
            vocabularySize: Int = 1_000, bucketCount: Int = 1 << 20, learningRate: Float = 0.1,
            initialAccumulator: Float = 0.1, progressIntervalSteps: Int = 100, tensorPrefix: String = "slr",
            progress: TrainingProgressHandler? = nil
        ) {
            self.rank = rank
            self.workers = workers
            self.epochs = epochs
            self.batchSize = batchSize
            self.seed = seed
            self.trainingExamples = trainingExamples
            self.testExamples = testExamples
            self.fieldCount = fieldCount
            self.vocabularySize = vocabularySize
            self.bucketCount = bucketCount
            self.learningRate = learningRate
            self.initialAccumulator = initialAccumulator
            self.progressIntervalSteps = progressIntervalSteps
            self.tensorPrefix = tensorPrefix
            self.progress = progress
        }

        public func validate() throws(JobOptionsError) {
            try JobOptionsError.checkRank(rank, workers: workers)
            try JobOptionsError.checkAtLeast(1, epochs, option: "epochs")
            try JobOptionsError.checkAtLeast(1, batchSize, option: "batchSize")
            try JobOptionsError.checkAtLeast(workers, trainingExamples, option: "trainingExamples")
            try JobOptionsError.checkAtLeast(1, testExamples, option: "testExamples")
            try JobOptionsError.checkAtLeast(1, fieldCount, option: "fieldCount")
            try JobOptionsError.checkAtLeast(1, vocabularySize, option: "vocabularySize")
            try JobOptionsError.checkAtLeast(1, bucketCount, option: "bucketCount")
            try JobOptionsError.checkAtLeast(1, progressIntervalSteps, option: "progressIntervalSteps")
            try JobOptionsError.checkWithin(1e-6...100, Double(learningRate), option: "learningRate")
            try JobOptionsError.checkWithin(0...100, Double(initialAccumulator), option: "initialAccumulator")
        }

        var embeddingName: String { tensorPrefix + "/embedding" }
        var biasName: String { tensorPrefix + "/bias" }

        var tensorDefinitions: [CreateTensor] {
            let optimizer = OptimizerConfig.adagrad(
                learningRate: learningRate, initialAccumulator: initialAccumulator, epsilon: 1e-8
            )
            return [
                CreateTensor(
                    name: embeddingName, kind: .sparse, shape: [UInt64(bucketCount), 1], initializer: .zeros,
                    optimizer: optimizer, ifNotExists: true
                ),
                CreateTensor(
                    name: biasName, kind: .dense, shape: [1], initializer: .zeros, optimizer: optimizer, ifNotExists: true
                ),
            ]
        }

        var data: SyntheticClickData {
            SyntheticClickData(seed: seed, fieldCount: fieldCount, vocabularySize: vocabularySize, bucketCount: bucketCount)
        }

        /// This worker's contiguous share of the global training examples.
        var trainingRange: Range<Int> {
            (trainingExamples * rank / workers)..<(trainingExamples * (rank + 1) / workers)
        }

        /// Test examples follow all training examples in the global numbering.
        var testRange: Range<Int> {
            trainingExamples..<(trainingExamples + testExamples)
        }
    }
}
