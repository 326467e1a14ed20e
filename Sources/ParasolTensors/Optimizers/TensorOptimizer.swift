import ParasolWire

/// The server-side optimizer of one tensor: its hyper-parameters plus every per-element slot
/// array it keeps beside the weights (same element layout as the weights).
///
/// A tensor is treated as rows: a dense tensor is one row of all its elements, a sparse table
/// has one row per materialized embedding row. Adam keeps its step count per row; the step
/// advances when a push covers the row from its first element (`startsRow`). A dense tensor too
/// big for one frame is pushed in chunks by element offset: the chunk at offset 0 advances the
/// step and every other chunk of the same logical step reuses it (see `AdamOptimizer`).
///
/// Classes, so that slot arrays are mutated in place without copy-on-write surprises; each is
/// owned by exactly one tensor.
protocol TensorOptimizer: AnyObject {
    var config: OptimizerConfig { get }
    /// The per-element slot arrays, in the order the snapshot stores them.
    var slotArrays: [[Float]] { get }
    /// Adam's step count per row; empty for optimizers that keep none.
    var rowSteps: [UInt64] { get }
    /// Bytes of slot arrays and step counts.
    var slotBytes: Int { get }

    /// Grows the slot arrays by `rowCount` rows of `rowElements` elements at their starting values.
    func appendRows(_ rowCount: Int, rowElements: Int)

    /// Applies `gradient` (`elements.count` little-endian float32 values at any alignment) to
    /// `weights[elements]`, which lie in row `row`. `startsRow` is true when `elements` begins at
    /// the row's first element. The caller has checked every bound.
    func apply(
        gradient: UnsafeRawPointer, to weights: UnsafeMutablePointer<Float>, elements: Range<Int>, row: Int,
        startsRow: Bool
    )
}

extension OptimizerConfig {
    /// How many per-element slot arrays this optimizer keeps.
    var slotArrayCount: Int {
        switch self {
        case .sgd: 0
        case .momentum, .adagrad: 1
        case .adam: 2
        }
    }

    /// Names of the slot arrays, for snapshot error messages and documentation.
    var slotArrayNames: [String] {
        switch self {
        case .sgd: []
        case .momentum: ["momentum velocity"]
        case .adam: ["adam first moment", "adam second moment"]
        case .adagrad: ["adagrad accumulator"]
        }
    }

    /// Whether the optimizer keeps a step count per row (Adam's bias correction).
    var keepsRowSteps: Bool {
        if case .adam = self { return true }
        return false
    }

    /// A fresh optimizer for `rowCount` rows of `rowElements` elements.
    func makeOptimizer(rowCount: Int, rowElements: Int) -> any TensorOptimizer {
        let optimizer = restoreOptimizer(
            slotArrays: Array(repeating: [], count: slotArrayCount), rowSteps: [])
        optimizer.appendRows(rowCount, rowElements: rowElements)
        return optimizer
    }

    /// An optimizer holding exactly the given slots (from a snapshot). The caller has checked
    /// that there are `slotArrayCount` arrays of the tensor's element count, and one step count
    /// per row when `keepsRowSteps`.
    func restoreOptimizer(slotArrays: [[Float]], rowSteps: [UInt64]) -> any TensorOptimizer {
        precondition(slotArrays.count == slotArrayCount, "\(self) keeps \(slotArrayCount) slot arrays, got \(slotArrays.count)")
        precondition(keepsRowSteps || rowSteps.isEmpty, "\(self) keeps no step counts, got \(rowSteps.count)")
        switch self {
        case .sgd(let learningRate):
            return SGDOptimizer(learningRate: learningRate)
        case let .momentum(learningRate, momentum, nesterov):
            return MomentumOptimizer(
                learningRate: learningRate, momentum: momentum, nesterov: nesterov, velocity: slotArrays[0])
        case let .adam(learningRate, beta1, beta2, epsilon):
            return AdamOptimizer(
                learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                firstMoment: slotArrays[0], secondMoment: slotArrays[1], rowSteps: rowSteps)
        case let .adagrad(learningRate, initialAccumulator, epsilon):
            return AdaGradOptimizer(
                learningRate: learningRate, initialAccumulator: initialAccumulator, epsilon: epsilon,
                accumulator: slotArrays[0])
        }
    }
}
