import ParasolWire

/// Plain stochastic gradient descent: `w ← w − lr·g`. Keeps no slots.
///
/// A negative learning rate is allowed on purpose: it turns a push into an addition, which is
/// what counters (`CounterJob`) use.
final class SGDOptimizer: TensorOptimizer {
    let learningRate: Float

    init(learningRate: Float) {
        self.learningRate = learningRate
    }

    var config: OptimizerConfig { .sgd(learningRate: learningRate) }
    var slotArrays: [[Float]] { [] }
    var rowSteps: [UInt64] { [] }
    var slotBytes: Int { 0 }

    func appendRows(_ rowCount: Int, rowElements: Int) {}

    func apply(
        gradient: UnsafeRawPointer, to weights: UnsafeMutablePointer<Float>, elements: Range<Int>, row: Int,
        startsRow: Bool
    ) {
        let count = elements.count
        let target = UnsafeMutableRawPointer(weights + elements.lowerBound)
        let rate = FloatVector(repeating: learningRate)
        var index = 0
        while index &+ FloatVector.scalarCount <= count {
            let g = FloatAccess.vector(gradient, element: index)
            let w = FloatAccess.vector(target, element: index)
            FloatAccess.store(w - rate * g, target, element: index)
            index &+= FloatVector.scalarCount
        }
        while index < count {
            let g = FloatAccess.scalar(gradient, element: index)
            weights[elements.lowerBound &+ index] -= learningRate * g
            index &+= 1
        }
    }
}
