import Foundation
import ParasolWire

/// The textbook, one-element-at-a-time optimizers the vectorized kernels are checked against.
/// Deliberately naive: plain loops, `pow`, formulas as the papers write them.
struct ReferenceOptimizer {
    let config: OptimizerConfig
    var weights: [Float]
    var first: [Float]
    var second: [Float]
    var step = 0

    init(config: OptimizerConfig, weights: [Float]) {
        self.config = config
        self.weights = weights
        first = Array(repeating: 0, count: weights.count)
        if case .adagrad(_, let initialAccumulator, _) = config {
            second = Array(repeating: initialAccumulator, count: weights.count)
        } else {
            second = Array(repeating: 0, count: weights.count)
        }
    }

    /// Applies `gradient` to elements `offset..<offset + gradient.count`; `advanceStep` is Adam's
    /// "this chunk starts a new step".
    mutating func apply(_ gradient: [Float], offset: Int = 0, advanceStep: Bool = true) {
        if advanceStep { step += 1 }
        let t = max(step, 1)
        for (k, g) in gradient.enumerated() {
            let i = offset + k
            switch config {
            case .sgd(let lr):
                weights[i] = weights[i] - lr * g
            case let .momentum(lr, mu, nesterov):
                first[i] = mu * first[i] + g
                weights[i] -= nesterov ? lr * (g + mu * first[i]) : lr * first[i]
            case let .adam(lr, beta1, beta2, epsilon):
                first[i] = beta1 * first[i] + (1 - beta1) * g
                second[i] = beta2 * second[i] + (1 - beta2) * g * g
                let mHat = first[i] / Float(1 - pow(Double(beta1), Double(t)))
                let vHat = second[i] / Float(1 - pow(Double(beta2), Double(t)))
                weights[i] -= lr * mHat / (vHat.squareRoot() + epsilon)
            case let .adagrad(lr, _, epsilon):
                second[i] += g * g
                weights[i] -= lr * g / (second[i].squareRoot() + epsilon)
            }
        }
    }
}
