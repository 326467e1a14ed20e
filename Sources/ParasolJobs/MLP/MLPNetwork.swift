/// Forward and backward passes of an `MLPShape` network over minibatches of up to
/// `batchCapacity` examples, with softmax cross-entropy on the last layer.
///
/// Every buffer (inputs, activations, deltas, GEMM packing) is allocated once here and reused by
/// each step. Callers write a minibatch into `inputs` and `labels`, then call
/// `lossAndGradients` or `evaluate`. Not thread-safe: one network per task.
final class MLPNetwork {
    let shape: MLPShape
    let batchCapacity: Int
    /// `batchCapacity × inputWidth` floats; rows beyond the current batch size are ignored.
    let inputs: UnsafeMutablePointer<Float>
    /// `batchCapacity` class indices.
    let labels: UnsafeMutablePointer<Int32>
    /// Each layer's output: ReLU activations, logits for the last layer.
    private let outputs: [UnsafeMutablePointer<Float>]
    /// Each layer's loss gradient with respect to its pre-activation output.
    private let deltas: [UnsafeMutablePointer<Float>]
    private let multiplier = MatrixMultiplier()

    init(shape: MLPShape, batchCapacity: Int) {
        precondition(batchCapacity >= 1, "batch capacity must be at least 1")
        self.shape = shape
        self.batchCapacity = batchCapacity
        inputs = .allocate(capacity: batchCapacity * shape.inputWidth)
        inputs.initialize(repeating: 0, count: batchCapacity * shape.inputWidth)
        labels = .allocate(capacity: batchCapacity)
        labels.initialize(repeating: 0, count: batchCapacity)
        let widths = shape.layerWidths.dropFirst()
        outputs = widths.map { width in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: batchCapacity * width)
            buffer.initialize(repeating: 0, count: batchCapacity * width)
            return buffer
        }
        deltas = widths.map { width in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: batchCapacity * width)
            buffer.initialize(repeating: 0, count: batchCapacity * width)
            return buffer
        }
    }

    deinit {
        inputs.deallocate()
        labels.deallocate()
        outputs.forEach { $0.deallocate() }
        deltas.forEach { $0.deallocate() }
    }

    /// Runs the first `batchSize` examples forward and backward, overwrites `gradients` with the
    /// gradient of the *mean* loss over the batch, and returns that mean loss.
    func lossAndGradients(parameters: MLPParameterBuffer, gradients: MLPParameterBuffer, batchSize: Int) -> Double {
        precondition(parameters.shape == shape && gradients.shape == shape, "parameter buffers have another shape")
        forward(parameters: parameters, batchSize: batchSize)
        let last = shape.layerCount - 1
        let lossSum = VectorKernels.softmaxCrossEntropy(
            logits: outputs[last], labels: labels, rows: batchSize, classes: shape.classCount,
            gradient: deltas[last], gradientScale: 1 / Float(batchSize)
        )
        for layer in stride(from: last, through: 0, by: -1) {
            let inputWidth = shape.layerWidths[layer]
            let outputWidth = shape.layerWidths[layer + 1]
            let delta = MatrixView(rowMajor: deltas[layer], rows: batchSize, columns: outputWidth)
            multiplier.multiply(
                layerInput(layer, batchSize: batchSize).transposed, delta,
                into: MutableMatrixView(rowMajor: gradients.weights(layer: layer), rows: inputWidth, columns: outputWidth),
                accumulate: false
            )
            VectorKernels.columnSums(
                of: deltas[layer], rows: batchSize, width: outputWidth, into: gradients.biases(layer: layer)
            )
            guard layer > 0 else { break }
            let weights = MatrixView(rowMajor: parameters.weights(layer: layer), rows: inputWidth, columns: outputWidth)
            multiplier.multiply(
                delta, weights.transposed,
                into: MutableMatrixView(rowMajor: deltas[layer - 1], rows: batchSize, columns: inputWidth),
                accumulate: false
            )
            VectorKernels.maskInactive(deltas[layer - 1], activations: outputs[layer - 1], count: batchSize * inputWidth)
        }
        return lossSum / Double(batchSize)
    }

    /// Runs the first `batchSize` examples forward; returns how many are classified correctly
    /// and their summed loss.
    func evaluate(parameters: MLPParameterBuffer, batchSize: Int) -> (correct: Int, lossSum: Double) {
        precondition(parameters.shape == shape, "parameter buffer has another shape")
        forward(parameters: parameters, batchSize: batchSize)
        let logits = outputs[shape.layerCount - 1]
        let classes = shape.classCount
        let correct = (0..<batchSize).count { row in
            VectorKernels.argmax(of: logits + row * classes, classes: classes) == Int(labels[row])
        }
        let lossSum = VectorKernels.softmaxCrossEntropy(
            logits: logits, labels: labels, rows: batchSize, classes: classes, gradient: nil, gradientScale: 0
        )
        return (correct, lossSum)
    }

    /// Fills `outputs`: bias, then `+= input·W`, then ReLU on every layer but the last.
    private func forward(parameters: MLPParameterBuffer, batchSize: Int) {
        precondition((1...batchCapacity).contains(batchSize), "batch size \(batchSize) is not in 1...\(batchCapacity)")
        for layer in 0..<shape.layerCount {
            let inputWidth = shape.layerWidths[layer]
            let outputWidth = shape.layerWidths[layer + 1]
            VectorKernels.broadcast(
                row: parameters.biases(layer: layer), into: outputs[layer], rows: batchSize, width: outputWidth
            )
            multiplier.multiply(
                layerInput(layer, batchSize: batchSize),
                MatrixView(rowMajor: parameters.weights(layer: layer), rows: inputWidth, columns: outputWidth),
                into: MutableMatrixView(rowMajor: outputs[layer], rows: batchSize, columns: outputWidth),
                accumulate: true
            )
            if layer < shape.layerCount - 1 {
                VectorKernels.rectifyInPlace(outputs[layer], count: batchSize * outputWidth)
            }
        }
    }

    private func layerInput(_ layer: Int, batchSize: Int) -> MatrixView {
        MatrixView(
            rowMajor: layer == 0 ? inputs : outputs[layer - 1], rows: batchSize, columns: shape.layerWidths[layer]
        )
    }
}
