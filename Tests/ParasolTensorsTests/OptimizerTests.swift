import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// Every vectorized optimizer agrees with the textbook scalar version, over several steps, on
/// awkward lengths (SIMD body + scalar tail) and gradients at every byte misalignment.
@Suite struct OptimizerTests {
    static let optimizers: [OptimizerConfig] = [
        .sgd(learningRate: 0.1),
        .sgd(learningRate: -1),
        .momentum(learningRate: 0.05, momentum: 0.9, nesterov: false),
        .momentum(learningRate: 0.05, momentum: 0.9, nesterov: true),
        .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
        .adam(learningRate: 0.003, beta1: 0.5, beta2: 0.9, epsilon: 1e-6),
        .adagrad(learningRate: 0.1, initialAccumulator: 0.1, epsilon: 1e-7),
    ]
    static let lengths = [1, 7, 17, 1000, 4099]
    static let steps = 6

    @Test(arguments: optimizers, lengths)
    func denseMatchesScalarReference(optimizer: OptimizerConfig, length: Int) {
        let seed = UInt64(length) &* 7919 &+ UInt64(Self.optimizers.firstIndex(of: optimizer)!)
        var random = TestRandom(seed: seed)
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create(
            "w", shape: [UInt64(length)], initializer: .uniform(low: -1, high: 1, seed: seed), optimizer: optimizer))
        var reference = ReferenceOptimizer(config: optimizer, weights: state.denseValues("w"))
        for step in 1...Self.steps {
            let gradient = random.floats(length, in: -2...2)
            reference.apply(gradient)
            let reply = state.applyNext(Commands.pushDense("w", gradient, sequence: UInt64(step), misalignment: step % 4))
            expectAck(reply, version: UInt64(step))
        }
        let actual = state.denseValues("w")
        let mismatch = firstMismatch(actual, reference.weights)
        #expect(mismatch == nil, "seed \(seed) \(optimizer) length \(length): element \(mismatch ?? -1) is \(mismatch.map { actual[$0] } ?? 0), reference \(mismatch.map { reference.weights[$0] } ?? 0)")
    }

    /// A big tensor pushed in chunks: the chunk at offset 0 advances Adam's step and the other
    /// chunks of that logical step reuse it, so the result equals whole-tensor pushes.
    @Test func adamChunkedPushesShareOneStep() {
        let seed: UInt64 = 42
        var random = TestRandom(seed: seed)
        let optimizer = OptimizerConfig.adam(learningRate: 0.01, beta1: 0.9, beta2: 0.99, epsilon: 1e-8)
        let chunked = ShardState(shardID: 0)
        let whole = ShardState(shardID: 0)
        for state in [chunked, whole] {
            state.applyNext(Commands.create("w", shape: [4099], initializer: .normal(mean: 0, stddev: 1, seed: seed), optimizer: optimizer))
        }
        var reference = ReferenceOptimizer(config: optimizer, weights: whole.denseValues("w"))
        var sequence: UInt64 = 0
        for _ in 1...5 {
            let gradient = random.floats(4099)
            reference.apply(gradient)
            sequence += 1
            whole.applyNext(Commands.pushDense("w", gradient, sequence: sequence))
            for range in [0..<1000, 1000..<3001, 3001..<4099] {
                chunked.applyNext(Commands.pushDense(
                    "w", Array(gradient[range]), offset: UInt64(range.lowerBound), sequence: sequence * 10 + UInt64(range.lowerBound)))
            }
        }
        #expect(chunked.denseValues("w") == whole.denseValues("w"))
        #expect(firstMismatch(chunked.denseValues("w"), reference.weights) == nil, "seed \(seed)")
    }

    /// A chunk at a later offset arriving before any push at offset 0 uses step 1 without
    /// recording it; the first push at offset 0 is then step 1 too.
    @Test func adamChunkBeforeFirstStepUsesStepOne() {
        let optimizer = OptimizerConfig.adam(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("w", shape: [20], optimizer: optimizer))
        var reference = ReferenceOptimizer(config: optimizer, weights: Array(repeating: 0, count: 20))
        let tail: [Float] = Array(repeating: 0.5, count: 10)
        let full: [Float] = (0..<20).map { Float($0) / 10 - 1 }
        reference.apply(tail, offset: 10, advanceStep: false)
        reference.apply(full)
        state.applyNext(Commands.pushDense("w", tail, offset: 10, sequence: 1))
        state.applyNext(Commands.pushDense("w", full, sequence: 2))
        #expect(reference.step == 1)
        #expect(firstMismatch(state.denseValues("w"), reference.weights) == nil)
    }

    /// Sparse rows keep their own slots and their own Adam step: each row is checked against its
    /// own reference, stepped only when a push touches it (twice when listed twice).
    @Test(arguments: optimizers)
    func sparseRowsMatchPerRowReference(optimizer: OptimizerConfig) {
        let seed: UInt64 = 2024
        var random = TestRandom(seed: seed)
        let dimension = 19
        let state = ShardState(shardID: 3)
        state.applyNext(Commands.create(
            "e", .sparse, shape: [50, UInt64(dimension)], initializer: .normal(mean: 0, stddev: 0.1, seed: seed),
            optimizer: optimizer))
        var references: [UInt64: ReferenceOptimizer] = [:]
        for push in 1...8 {
            let rows = (0..<Int.random(in: 1...6, using: &random)).map { _ in UInt64.random(in: 0..<12, using: &random) }
            let gradients = random.floats(rows.count * dimension)
            for (position, row) in rows.enumerated() {
                var reference = references[row]
                    ?? ReferenceOptimizer(config: optimizer, weights: state.sparseValues("e", rows: [row]))
                reference.apply(Array(gradients[(position * dimension)..<((position + 1) * dimension)]))
                references[row] = reference
            }
            expectAck(state.applyNext(Commands.pushSparse("e", rows: rows, gradients, sequence: UInt64(push))), version: UInt64(push))
        }
        for (row, reference) in references.sorted(by: { $0.key < $1.key }) {
            let actual = state.sparseValues("e", rows: [row])
            #expect(firstMismatch(actual, reference.weights) == nil, "seed \(seed) \(optimizer) row \(row)")
        }
    }
}
