/// Training went wrong in a way no retry fixes.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The minibatch loss became infinite or NaN: the learning rate is too high for this many
    /// asynchronous workers, or the store returned garbage. Stopping beats pushing NaN gradients
    /// that would poison the shared model for every worker.
    case diverged(rank: Int, step: Int, loss: Double)

    public var description: String {
        switch self {
        case let .diverged(rank, step, loss):
            "training diverged on worker \(rank) at step \(step): minibatch loss is \(loss); lower the learning rate"
        }
    }

    static func checkFinite(_ loss: Double, rank: Int, step: Int) throws(TrainingError) {
        guard loss.isFinite else { throw .diverged(rank: rank, step: step, loss: loss) }
    }
}
