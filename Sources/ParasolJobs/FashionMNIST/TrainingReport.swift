/// What one worker's Fashion-MNIST run achieved; `Codable` for the CLI's `--json`.
public struct TrainingReport: Sendable, Codable, Equatable {
    public var rank: Int
    public var workers: Int
    public var epochs: Int
    /// Minibatches this worker computed and pushed.
    public var steps: Int
    /// Examples per epoch in this worker's share.
    public var trainingExamples: Int
    public var testExamples: Int
    /// Accuracy on the test set with the store's weights after this worker's last push.
    public var testAccuracy: Double
    /// Mean cross-entropy on the test set.
    public var testLoss: Double
    /// Mean training loss over the last progress interval.
    public var finalLoss: Double
    /// Training examples per second, store round trips included.
    public var examplesPerSecond: Double
    /// Training examples per second counting only gathering and forward/backward: the ceiling
    /// the store's round trips bring `examplesPerSecond` down from.
    public var computeExamplesPerSecond: Double
    public var trainingSeconds: Double
    /// One entry per progress interval, as the progress handler saw them.
    public var lossHistory: [TrainingProgress]

    public init(
        rank: Int, workers: Int, epochs: Int, steps: Int, trainingExamples: Int, testExamples: Int,
        testAccuracy: Double, testLoss: Double, finalLoss: Double, examplesPerSecond: Double,
        computeExamplesPerSecond: Double, trainingSeconds: Double, lossHistory: [TrainingProgress]
    ) {
        self.rank = rank
        self.workers = workers
        self.epochs = epochs
        self.steps = steps
        self.trainingExamples = trainingExamples
        self.testExamples = testExamples
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.finalLoss = finalLoss
        self.examplesPerSecond = examplesPerSecond
        self.computeExamplesPerSecond = computeExamplesPerSecond
        self.trainingSeconds = trainingSeconds
        self.lossHistory = lossHistory
    }
}
