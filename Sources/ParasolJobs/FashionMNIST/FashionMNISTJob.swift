/// Trains the 784-256-128-10 MLP on Fashion-MNIST with its weights in a `ParameterStore`.
///
/// Each of `workers` workers runs this job with its own `rank` against the same store: it trains
/// on a disjoint share of the training set, pulls the weights, computes the mean-loss gradient of a
/// minibatch of standardized images, and pushes it scaled by `gradientDecay`; the store's Adam
/// applies pushes as they come (asynchronous data-parallel SGD, "Downpour"). At the end the worker
/// evaluates the store's latest weights on the test set.
///
/// Measured with two workers and the test target's in-memory store: 0.883 test accuracy after 4
/// epochs, 0.886 after 5 (the default).
public struct FashionMNISTJob: Sendable {
    public let options: Options
    public let shape = MLPShape.fashionMNIST
    /// Test examples evaluated per forward pass.
    static let evaluationBatchSize = 250

    public init(options: Options) throws {
        try options.validate()
        self.options = options
    }

    public func run(store: some ParameterStore) async throws -> TrainingReport {
        let training = try loadTrainingShare()
        let test = try FashionMNIST.load(.test, directory: options.dataDirectory)
        let testCount = min(test.count, options.testExamplesLimit ?? test.count)

        for definition in options.tensorDefinitions(shape: shape) {
            try await store.createTensor(definition)
        }
        let names = shape.tensorNames(prefix: options.tensorPrefix)
        let network = MLPNetwork(shape: shape, batchCapacity: max(options.batchSize, Self.evaluationBatchSize))
        let parameters = MLPParameterBuffer(shape: shape)

        let clock = ContinuousClock()
        let trainingStart = clock.now
        let outcome = try await train(on: training, store: store, names: names, network: network, parameters: parameters)
        let trainingSeconds = (clock.now - trainingStart).inSeconds

        try await parameters.pull(names, from: store)
        let (correct, lossSum) = evaluate(test, count: testCount, network: network, parameters: parameters)
        let examples = Double(training.count * options.epochs)
        return TrainingReport(
            rank: options.rank, workers: options.workers, epochs: options.epochs, steps: outcome.steps,
            trainingExamples: training.count, testExamples: testCount,
            testAccuracy: Double(correct) / Double(testCount), testLoss: lossSum / Double(testCount),
            finalLoss: outcome.history.last?.loss ?? 0,
            examplesPerSecond: examples / max(trainingSeconds, 1e-9),
            computeExamplesPerSecond: examples / max(outcome.computeSeconds, 1e-9),
            trainingSeconds: trainingSeconds, lossHistory: outcome.history
        )
    }

    private func loadTrainingShare() throws -> LabeledImages {
        let share = try FashionMNIST.load(.train, directory: options.dataDirectory)
            .share(rank: options.rank, workers: options.workers)
        guard share.count >= 1 else {
            throw JobOptionsError.tooSmall(option: "training examples per worker", value: 0, minimum: 1)
        }
        return share.prefix(options.trainingExamplesLimit ?? share.count)
    }

    private struct TrainingOutcome {
        var steps = 0
        var computeSeconds = 0.0
        var history: [TrainingProgress] = []
    }

    /// The epochs of pull → compute → push. Pushes run in a task group, at most
    /// `pushesInFlightMax` steps of them at once, so sending one step's gradients overlaps
    /// computing the next step's. Inputs are standardized (`FashionMNIST.standardization`).
    private func train(
        on training: LabeledImages, store: some ParameterStore, names: [String],
        network: MLPNetwork, parameters: MLPParameterBuffer
    ) async throws -> TrainingOutcome {
        let gradients = MLPParameterBuffer(shape: shape)
        var generator = SplitMix64(seed: options.seed, stream: UInt64(options.rank))
        var order = Array(0..<training.count)
        var meter = ProgressMeter(rank: options.rank, intervalSteps: options.progressIntervalSteps)
        var outcome = TrainingOutcome()
        let clock = ContinuousClock()
        let totalSteps = options.epochs * ((training.count + options.batchSize - 1) / options.batchSize)

        try await withThrowingTaskGroup(of: Void.self) { pushes in
            var pushesInFlight = 0
            for epoch in 1...options.epochs {
                order.shuffle(using: &generator)
                for batchStart in stride(from: 0, to: order.count, by: options.batchSize) {
                    if outcome.steps % options.pullIntervalSteps == 0 {
                        try await parameters.pull(names, from: store)
                    }
                    let batch = order[batchStart..<min(batchStart + options.batchSize, order.count)]
                    let computeStart = clock.now
                    training.gather(
                        batch, pixels: network.inputs, labels: network.labels, normalization: FashionMNIST.standardization
                    )
                    let loss = network.lossAndGradients(parameters: parameters, gradients: gradients, batchSize: batch.count)
                    outcome.computeSeconds += (clock.now - computeStart).inSeconds
                    try TrainingError.checkFinite(loss, rank: options.rank, step: outcome.steps)

                    let decay = options.gradientDecay.factor(step: outcome.steps, totalSteps: totalSteps)
                    let gradientArrays = gradients.tensorArrays(scaledBy: decay)
                    if pushesInFlight == options.pushesInFlightMax {
                        try await pushes.next()
                        pushesInFlight -= 1
                    }
                    pushes.addTask { try await store.pushDense(names, gradients: gradientArrays) }
                    pushesInFlight += 1
                    outcome.steps += 1
                    if let progress = meter.record(loss: loss, examples: batch.count, epoch: epoch, step: outcome.steps) {
                        options.progress?(progress)
                    }
                }
                try await pushes.waitForAll()
                pushesInFlight = 0
                if let progress = meter.flush(epoch: epoch, step: outcome.steps) {
                    options.progress?(progress)
                }
            }
        }
        outcome.history = meter.history
        return outcome
    }

    private func evaluate(
        _ test: LabeledImages, count: Int, network: MLPNetwork, parameters: MLPParameterBuffer
    ) -> (correct: Int, lossSum: Double) {
        var correct = 0
        var lossSum = 0.0
        for start in stride(from: 0, to: count, by: Self.evaluationBatchSize) {
            let batch = start..<min(start + Self.evaluationBatchSize, count)
            test.gather(batch, pixels: network.inputs, labels: network.labels, normalization: FashionMNIST.standardization)
            let result = network.evaluate(parameters: parameters, batchSize: batch.count)
            correct += result.correct
            lossSum += result.lossSum
        }
        return (correct, lossSum)
    }
}
