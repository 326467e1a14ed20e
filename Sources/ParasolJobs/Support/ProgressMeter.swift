/// Averages the training loss and measures throughput over intervals of steps.
///
/// Both training jobs report progress the same way: one `TrainingProgress` per `intervalSteps`
/// steps, plus one for a partial interval at the end of each epoch so every epoch is visible.
struct ProgressMeter {
    let rank: Int
    let intervalSteps: Int
    /// Every interval closed so far, oldest first.
    private(set) var history: [TrainingProgress] = []
    private let clock = ContinuousClock()
    private var intervalStart: ContinuousClock.Instant
    private var lossSum = 0.0
    private var steps = 0
    private var examples = 0

    init(rank: Int, intervalSteps: Int) {
        precondition(intervalSteps >= 1, "a progress interval needs at least one step")
        self.rank = rank
        self.intervalSteps = intervalSteps
        intervalStart = clock.now
    }

    /// Records one finished step; returns the interval it closed, if any.
    mutating func record(loss: Double, examples stepExamples: Int, epoch: Int, step: Int) -> TrainingProgress? {
        lossSum += loss
        steps += 1
        examples += stepExamples
        return steps >= intervalSteps ? close(epoch: epoch, step: step) : nil
    }

    /// Closes a partial interval (end of an epoch); returns nil when no step was recorded since the last one.
    mutating func flush(epoch: Int, step: Int) -> TrainingProgress? {
        steps > 0 ? close(epoch: epoch, step: step) : nil
    }

    private mutating func close(epoch: Int, step: Int) -> TrainingProgress {
        let now = clock.now
        let seconds = max((now - intervalStart).inSeconds, 1e-9)
        let progress = TrainingProgress(
            rank: rank, epoch: epoch, step: step, loss: lossSum / Double(steps),
            examplesPerSecond: Double(examples) / seconds
        )
        history.append(progress)
        intervalStart = now
        lossSum = 0
        steps = 0
        examples = 0
        return progress
    }
}
