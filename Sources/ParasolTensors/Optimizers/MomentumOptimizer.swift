import ParasolWire

/// SGD with momentum, as PyTorch defines it: `v ← μ·v + g`, then `w ← w − lr·v`, or with
/// Nesterov `w ← w − lr·(g + μ·v)` using the updated `v`. Keeps the velocity `v` per element.
final class MomentumOptimizer: TensorOptimizer {
    let learningRate: Float
    let momentum: Float
    let nesterov: Bool
    private(set) var velocity: [Float]

    init(learningRate: Float, momentum: Float, nesterov: Bool, velocity: [Float]) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = velocity
    }

    var config: OptimizerConfig { .momentum(learningRate: learningRate, momentum: momentum, nesterov: nesterov) }
    var slotArrays: [[Float]] { [velocity] }
    var rowSteps: [UInt64] { [] }
    var slotBytes: Int { velocity.count * 4 }

    func appendRows(_ rowCount: Int, rowElements: Int) {
        velocity.append(contentsOf: repeatElement(0, count: rowCount * rowElements))
    }

    func apply(
        gradient: UnsafeRawPointer, to weights: UnsafeMutablePointer<Float>, elements: Range<Int>, row: Int,
        startsRow: Bool
    ) {
        velocity.withUnsafeMutableBufferPointer { velocityBuffer in
            let v = velocityBuffer.baseAddress! + elements.lowerBound
            let w = weights + elements.lowerBound
            if nesterov {
                Self.nesterovLoop(gradient: gradient, weights: w, velocity: v, count: elements.count,
                                  learningRate: learningRate, momentum: momentum)
            } else {
                Self.classicLoop(gradient: gradient, weights: w, velocity: v, count: elements.count,
                                 learningRate: learningRate, momentum: momentum)
            }
        }
    }

    private static func classicLoop(
        gradient: UnsafeRawPointer, weights: UnsafeMutablePointer<Float>, velocity: UnsafeMutablePointer<Float>,
        count: Int, learningRate: Float, momentum: Float
    ) {
        let rate = FloatVector(repeating: learningRate)
        let mu = FloatVector(repeating: momentum)
        let wRaw = UnsafeMutableRawPointer(weights)
        let vRaw = UnsafeMutableRawPointer(velocity)
        var index = 0
        while index &+ FloatVector.scalarCount <= count {
            let g = FloatAccess.vector(gradient, element: index)
            let v = mu * FloatAccess.vector(vRaw, element: index) + g
            FloatAccess.store(v, vRaw, element: index)
            FloatAccess.store(FloatAccess.vector(wRaw, element: index) - rate * v, wRaw, element: index)
            index &+= FloatVector.scalarCount
        }
        while index < count {
            let g = FloatAccess.scalar(gradient, element: index)
            let v = momentum * velocity[index] + g
            velocity[index] = v
            weights[index] -= learningRate * v
            index &+= 1
        }
    }

    private static func nesterovLoop(
        gradient: UnsafeRawPointer, weights: UnsafeMutablePointer<Float>, velocity: UnsafeMutablePointer<Float>,
        count: Int, learningRate: Float, momentum: Float
    ) {
        let rate = FloatVector(repeating: learningRate)
        let mu = FloatVector(repeating: momentum)
        let wRaw = UnsafeMutableRawPointer(weights)
        let vRaw = UnsafeMutableRawPointer(velocity)
        var index = 0
        while index &+ FloatVector.scalarCount <= count {
            let g = FloatAccess.vector(gradient, element: index)
            let v = mu * FloatAccess.vector(vRaw, element: index) + g
            FloatAccess.store(v, vRaw, element: index)
            FloatAccess.store(FloatAccess.vector(wRaw, element: index) - rate * (g + mu * v), wRaw, element: index)
            index &+= FloatVector.scalarCount
        }
        while index < count {
            let g = FloatAccess.scalar(gradient, element: index)
            let v = momentum * velocity[index] + g
            velocity[index] = v
            weights[index] -= learningRate * (g + momentum * v)
            index &+= 1
        }
    }
}
