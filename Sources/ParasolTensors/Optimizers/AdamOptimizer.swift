import ParasolWire

/// Adam (Kingma & Ba, algorithm 1): `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, then
/// `w ← w − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)`. Keeps `m` and `v` per element and the
/// step `t` per row.
///
/// Step counting: a dense tensor is one row. Its step advances on a push whose range starts at
/// element 0; a push at a later offset uses the current step. So a big tensor pushed as chunks
/// (offset 0 first, or in any order within one logical step) applies every chunk with the same
/// `t`. A chunk at a later offset that arrives before any push at offset 0 uses `t = 1` without
/// recording it. Sparse rows are always pushed whole, so each push touching a row advances that
/// row's step (a row listed twice in one push is stepped twice, in request order).
///
/// The bias corrections are computed in Double with an integer power by squaring, not `pow`,
/// so every platform gets the same bits.
final class AdamOptimizer: TensorOptimizer {
    let learningRate: Float
    let beta1: Float
    let beta2: Float
    let epsilon: Float
    private(set) var firstMoment: [Float]
    private(set) var secondMoment: [Float]
    private(set) var rowSteps: [UInt64]

    init(
        learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, firstMoment: [Float], secondMoment: [Float],
        rowSteps: [UInt64]
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
        self.rowSteps = rowSteps
    }

    var config: OptimizerConfig { .adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon) }
    var slotArrays: [[Float]] { [firstMoment, secondMoment] }
    var slotBytes: Int { (firstMoment.count + secondMoment.count) * 4 + rowSteps.count * 8 }

    func appendRows(_ rowCount: Int, rowElements: Int) {
        firstMoment.append(contentsOf: repeatElement(0, count: rowCount * rowElements))
        secondMoment.append(contentsOf: repeatElement(0, count: rowCount * rowElements))
        rowSteps.append(contentsOf: repeatElement(0, count: rowCount))
    }

    func apply(
        gradient: UnsafeRawPointer, to weights: UnsafeMutablePointer<Float>, elements: Range<Int>, row: Int,
        startsRow: Bool
    ) {
        if startsRow {
            rowSteps[row] += 1
        }
        let step = max(rowSteps[row], 1)
        let firstCorrection = 1 - Self.power(Double(beta1), step)
        let secondCorrection = 1 - Self.power(Double(beta2), step)
        let coefficients = Coefficients(
            stepSize: Float(Double(learningRate) / firstCorrection),
            secondScale: Float(1 / secondCorrection),
            beta1: beta1, beta2: beta2, epsilon: epsilon)
        firstMoment.withUnsafeMutableBufferPointer { mBuffer in
            secondMoment.withUnsafeMutableBufferPointer { vBuffer in
                Self.loop(
                    gradient: gradient, weights: weights + elements.lowerBound,
                    first: mBuffer.baseAddress! + elements.lowerBound,
                    second: vBuffer.baseAddress! + elements.lowerBound,
                    count: elements.count, coefficients)
            }
        }
    }

    /// `base` to the power `exponent` by repeated squaring (exact operation order on every platform).
    static func power(_ base: Double, _ exponent: UInt64) -> Double {
        var result = 1.0
        var square = base
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 { result *= square }
            square *= square
            remaining >>= 1
        }
        return result
    }

    private struct Coefficients {
        let stepSize: Float
        let secondScale: Float
        let beta1: Float
        let beta2: Float
        let epsilon: Float
    }

    private static func loop(
        gradient: UnsafeRawPointer, weights: UnsafeMutablePointer<Float>, first: UnsafeMutablePointer<Float>,
        second: UnsafeMutablePointer<Float>, count: Int, _ c: Coefficients
    ) {
        let b1 = FloatVector(repeating: c.beta1)
        let oneMinusB1 = FloatVector(repeating: 1 - c.beta1)
        let b2 = FloatVector(repeating: c.beta2)
        let oneMinusB2 = FloatVector(repeating: 1 - c.beta2)
        let stepSize = FloatVector(repeating: c.stepSize)
        let secondScale = FloatVector(repeating: c.secondScale)
        let epsilon = FloatVector(repeating: c.epsilon)
        let wRaw = UnsafeMutableRawPointer(weights)
        let mRaw = UnsafeMutableRawPointer(first)
        let vRaw = UnsafeMutableRawPointer(second)
        var index = 0
        while index &+ FloatVector.scalarCount <= count {
            let g = FloatAccess.vector(gradient, element: index)
            let m = b1 * FloatAccess.vector(mRaw, element: index) + oneMinusB1 * g
            let v = b2 * FloatAccess.vector(vRaw, element: index) + oneMinusB2 * (g * g)
            FloatAccess.store(m, mRaw, element: index)
            FloatAccess.store(v, vRaw, element: index)
            let update = stepSize * m / ((v * secondScale).squareRoot() + epsilon)
            FloatAccess.store(FloatAccess.vector(wRaw, element: index) - update, wRaw, element: index)
            index &+= FloatVector.scalarCount
        }
        while index < count {
            let g = FloatAccess.scalar(gradient, element: index)
            let m = c.beta1 * first[index] + (1 - c.beta1) * g
            let v = c.beta2 * second[index] + (1 - c.beta2) * (g * g)
            first[index] = m
            second[index] = v
            weights[index] -= c.stepSize * m / ((v * c.secondScale).squareRoot() + c.epsilon)
            index &+= 1
        }
    }
}
