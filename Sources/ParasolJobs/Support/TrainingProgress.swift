/// One progress interval of a training job: what the CLI prints as one line and what the report
/// keeps as loss history, so the printed lines and the `--json` history agree.
public struct TrainingProgress: Sendable, Codable, Equatable {
    /// Rank of the worker that measured this interval.
    public var rank: Int
    /// 1-based epoch the interval ended in.
    public var epoch: Int
    /// Steps (minibatches) this worker had completed when the interval ended.
    public var step: Int
    /// Mean training loss over the interval's minibatches.
    public var loss: Double
    /// Training examples per second over the interval, store round trips included.
    public var examplesPerSecond: Double

    public init(rank: Int, epoch: Int, step: Int, loss: Double, examplesPerSecond: Double) {
        self.rank = rank
        self.epoch = epoch
        self.step = step
        self.loss = loss
        self.examplesPerSecond = examplesPerSecond
    }
}

/// Receives one `TrainingProgress` per interval; called from the job's task, so it must be cheap.
public typealias TrainingProgressHandler = @Sendable (TrainingProgress) -> Void
