/// What one worker's sparse logistic regression run achieved; `Codable` for the CLI's `--json`.
public struct SparseLogisticRegressionReport: Sendable, Codable, Equatable {
    public var rank: Int
    public var workers: Int
    public var epochs: Int
    public var steps: Int
    /// Examples per epoch in this worker's share.
    public var trainingExamples: Int
    public var testExamples: Int
    /// Held-out log-loss before this worker trained (ln 2 ≈ 0.693 for a fresh, all-zero model).
    public var initialTestLogLoss: Double
    /// Held-out log-loss with the store's weights after this worker's last push.
    public var testLogLoss: Double
    /// Held-out log-loss of the hidden model that generated the labels: the floor to compare with.
    public var optimalTestLogLoss: Double
    public var testAccuracy: Double
    /// Nil only when the test set holds a single class.
    public var testAUC: Double?
    /// Mean training log-loss over the last progress interval.
    public var finalLoss: Double
    /// Training examples per second, store round trips included.
    public var examplesPerSecond: Double
    public var trainingSeconds: Double
    public var lossHistory: [TrainingProgress]

    public init(
        rank: Int, workers: Int, epochs: Int, steps: Int, trainingExamples: Int, testExamples: Int,
        initialTestLogLoss: Double, testLogLoss: Double, optimalTestLogLoss: Double, testAccuracy: Double,
        testAUC: Double?, finalLoss: Double, examplesPerSecond: Double, trainingSeconds: Double,
        lossHistory: [TrainingProgress]
    ) {
        self.rank = rank
        self.workers = workers
        self.epochs = epochs
        self.steps = steps
        self.trainingExamples = trainingExamples
        self.testExamples = testExamples
        self.initialTestLogLoss = initialTestLogLoss
        self.testLogLoss = testLogLoss
        self.optimalTestLogLoss = optimalTestLogLoss
        self.testAccuracy = testAccuracy
        self.testAUC = testAUC
        self.finalLoss = finalLoss
        self.examplesPerSecond = examplesPerSecond
        self.trainingSeconds = trainingSeconds
        self.lossHistory = lossHistory
    }
}
