import Foundation
import Testing
@testable import ParasolJobs

@Suite("MLPNetwork forward and backward")
struct MLPNetworkTests {
    /// A network small enough to check every parameter, with widths that leave partial GEMM tiles.
    static let shape = MLPShape(layerWidths: [5, 7, 9, 3])
    static let batchSize = 4

    /// Seeds parameters, inputs and labels of the tiny network.
    static func makeNetwork(seed: UInt64) -> (MLPNetwork, MLPParameterBuffer) {
        var generator = SplitMix64(seed: seed)
        let network = MLPNetwork(shape: shape, batchCapacity: batchSize)
        let parameters = MLPParameterBuffer(shape: shape)
        for index in 0..<shape.parameterCount {
            parameters.storage[index] = generator.nextStandardNormal() * 0.6
        }
        for index in 0..<(batchSize * shape.inputWidth) {
            network.inputs[index] = generator.nextUnitFloat()
        }
        for row in 0..<batchSize {
            network.labels[row] = Int32(generator.next() % UInt64(shape.classCount))
        }
        return (network, parameters)
    }

    @Test func gradientsMatchCentralFiniteDifferences() {
        let seed: UInt64 = 20_240_611
        print("MLPNetworkTests seed \(seed)")
        let (network, parameters) = Self.makeNetwork(seed: seed)
        let gradients = MLPParameterBuffer(shape: Self.shape)
        _ = network.lossAndGradients(parameters: parameters, gradients: gradients, batchSize: Self.batchSize)

        func meanLoss() -> Double {
            network.evaluate(parameters: parameters, batchSize: Self.batchSize).lossSum / Double(Self.batchSize)
        }
        // A central difference is only meaningful where the loss is smooth: when a ReLU input lies
        // within `step` of zero, the one-sided slopes disagree and the parameter is skipped.
        let step: Float = 1e-3
        let center = meanLoss()
        var mismatches: [String] = []
        var kinks = 0
        for index in 0..<Self.shape.parameterCount {
            let original = parameters.storage[index]
            parameters.storage[index] = original + step
            let above = meanLoss()
            parameters.storage[index] = original - step
            let below = meanLoss()
            parameters.storage[index] = original
            let forwardSlope = (above - center) / Double(step)
            let backwardSlope = (center - below) / Double(step)
            if abs(forwardSlope - backwardSlope) > 0.05 {
                kinks += 1
                continue
            }
            let numeric = (forwardSlope + backwardSlope) / 2
            let analytic = Double(gradients.storage[index])
            if abs(numeric - analytic) > 2e-3 + 1e-2 * abs(analytic) {
                mismatches.append("parameter \(index): analytic \(analytic), numeric \(numeric)")
            }
        }
        #expect(kinks <= 3, "\(kinks) parameters sit on a ReLU kink; pick another seed")
        #expect(mismatches.count == 0, "\(mismatches.count) of \(Self.shape.parameterCount) gradients differ: \(mismatches.prefix(5))")
        #expect((0..<Self.shape.parameterCount).contains { gradients.storage[$0] != 0 })
    }

    @Test func lossIsTheMeanCrossEntropyOfTheSoftmax() {
        let (network, parameters) = Self.makeNetwork(seed: 7)
        let gradients = MLPParameterBuffer(shape: Self.shape)
        let loss = network.lossAndGradients(parameters: parameters, gradients: gradients, batchSize: Self.batchSize)
        let evaluated = network.evaluate(parameters: parameters, batchSize: Self.batchSize)

        #expect(abs(loss - evaluated.lossSum / Double(Self.batchSize)) < 1e-6)
        #expect((0...Self.batchSize).contains(evaluated.correct))
    }

    @Test func softmaxCrossEntropyOfKnownLogits() {
        let logits: [Float] = [1, 2, 3, 1000, 0, 0]
        let labels: [Int32] = [2, 1]
        var gradient = [Float](repeating: 0, count: 6)
        let lossSum = gradient.withUnsafeMutableBufferPointer { gradientBuffer in
            VectorKernels.softmaxCrossEntropy(
                logits: logits, labels: labels, rows: 2, classes: 3, gradient: gradientBuffer.baseAddress, gradientScale: 0.5
            )
        }
        let firstRowLoss = -log(exp(3.0) / (exp(1.0) + exp(2.0) + exp(3.0)))
        #expect(abs(lossSum - (firstRowLoss + 1000)) < 1e-3)
        #expect(abs(gradient[2] - Float(0.5 * (exp(-firstRowLoss) - 1))) < 1e-6)
        #expect(gradient[3] == 0.5 && gradient[4] == -0.5 && gradient[5] == 0)
    }

    @Test func reluKernelsHandleVectorBodyAndTail() {
        var values: [Float] = (0..<19).map { Float($0) - 9 }
        values.withUnsafeMutableBufferPointer { VectorKernels.rectifyInPlace($0.baseAddress!, count: $0.count) }
        let rectified: [Float] = (0..<19).map { index in max(Float(index) - 9, 0) }
        #expect(values == rectified)

        var gradient = [Float](repeating: 1, count: 19)
        gradient.withUnsafeMutableBufferPointer { VectorKernels.maskInactive($0.baseAddress!, activations: values, count: 19) }
        let masked: [Float] = values.map { value in value > 0 ? 1 : 0 }
        #expect(gradient == masked)

        var sums = [Float](repeating: 7, count: 9)
        let matrix: [Float] = (0..<27).map(Float.init)
        sums.withUnsafeMutableBufferPointer { VectorKernels.columnSums(of: matrix, rows: 3, width: 9, into: $0.baseAddress!) }
        let expectedSums: [Float] = (0..<9).map { column in Float(3 * column + 27) }
        #expect(sums == expectedSums)
    }
}
