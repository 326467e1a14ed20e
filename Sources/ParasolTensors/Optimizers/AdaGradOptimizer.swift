import ParasolWire

/// AdaGrad (Duchi et al.): `a ← a + g²`, `w ← w − lr·g / (√a + ε)`. Keeps the accumulator `a`
/// per element, starting at `initialAccumulator` (also for sparse rows created later).
final class AdaGradOptimizer: TensorOptimizer {
    let learningRate: Float
    let initialAccumulator: Float
    let epsilon: Float
    private(set) var accumulator: [Float]

    init(learningRate: Float, initialAccumulator: Float, epsilon: Float, accumulator: [Float]) {
        self.learningRate = learningRate
        self.initialAccumulator = initialAccumulator
        self.epsilon = epsilon
        self.accumulator = accumulator
    }

    var config: OptimizerConfig {
        .adagrad(learningRate: learningRate, initialAccumulator: initialAccumulator, epsilon: epsilon)
    }
    var slotArrays: [[Float]] { [accumulator] }
    var rowSteps: [UInt64] { [] }
    var slotBytes: Int { accumulator.count * 4 }

    func appendRows(_ rowCount: Int, rowElements: Int) {
        accumulator.append(contentsOf: repeatElement(initialAccumulator, count: rowCount * rowElements))
    }

    func apply(
        gradient: UnsafeRawPointer, to weights: UnsafeMutablePointer<Float>, elements: Range<Int>, row: Int,
        startsRow: Bool
    ) {
        accumulator.withUnsafeMutableBufferPointer { accumulatorBuffer in
            Self.loop(
                gradient: gradient, weights: weights + elements.lowerBound,
                accumulator: accumulatorBuffer.baseAddress! + elements.lowerBound, count: elements.count,
                learningRate: learningRate, epsilon: epsilon)
        }
    }

    private static func loop(
        gradient: UnsafeRawPointer, weights: UnsafeMutablePointer<Float>, accumulator: UnsafeMutablePointer<Float>,
        count: Int, learningRate: Float, epsilon: Float
    ) {
        let rate = FloatVector(repeating: learningRate)
        let eps = FloatVector(repeating: epsilon)
        let wRaw = UnsafeMutableRawPointer(weights)
        let aRaw = UnsafeMutableRawPointer(accumulator)
        var index = 0
        while index &+ FloatVector.scalarCount <= count {
            let g = FloatAccess.vector(gradient, element: index)
            let a = FloatAccess.vector(aRaw, element: index) + g * g
            FloatAccess.store(a, aRaw, element: index)
            FloatAccess.store(FloatAccess.vector(wRaw, element: index) - rate * g / (a.squareRoot() + eps), wRaw, element: index)
            index &+= FloatVector.scalarCount
        }
        while index < count {
            let g = FloatAccess.scalar(gradient, element: index)
            let a = accumulator[index] + g * g
            accumulator[index] = a
            weights[index] -= learningRate * g / (a.squareRoot() + epsilon)
            index &+= 1
        }
    }
}
