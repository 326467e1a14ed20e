import Foundation
import ParasolWire
@testable import ParasolJobs

/// A `ParameterStore` held in one actor that applies the optimizers the textbook way, so the
/// jobs can be tested without a server. Test-only: no shards, no persistence, no exactly-once.
///
/// `failingPushes` names pushes (1-based, counting dense and sparse pushes together) that throw
/// instead of being applied, to test how jobs count failures. Every push yields once while it
/// is "in flight" so that tests can observe how many a job keeps outstanding.
actor InMemoryParameterStore: ParameterStore {
    enum StoreError: Error, Equatable {
        case unknownTensor(String)
        case alreadyExists(String)
        case definitionMismatch(String)
        case wrongKind(String)
        case wrongGradientSize(String, expected: Int, received: Int)
        case rowOutOfRange(String, row: UInt64)
        case injectedFailure(push: Int)
    }

    /// Values and optimizer state of a dense tensor or of one sparse row.
    private struct Slot {
        var values: [Float]
        var first: [Float]
        var second: [Float]
        var steps = 0

        init(values: [Float]) {
            self.values = values
            first = [Float](repeating: 0, count: values.count)
            second = [Float](repeating: 0, count: values.count)
        }
    }

    private struct Tensor {
        let definition: CreateTensor
        var dense: Slot
        var rows: [UInt64: Slot] = [:]
    }

    private var tensors: [String: Tensor] = [:]
    private let failingPushes: Set<Int>
    private var pushesStarted = 0
    private var pushesInFlight = 0
    private(set) var pushesInFlightPeak = 0
    private(set) var pushesApplied = 0

    init(failingPushes: Set<Int> = []) {
        self.failingPushes = failingPushes
    }

    func createTensor(_ definition: CreateTensor) throws {
        if let existing = tensors[definition.name] {
            guard definition.ifNotExists else { throw StoreError.alreadyExists(definition.name) }
            guard existing.definition == definition else { throw StoreError.definitionMismatch(definition.name) }
            return
        }
        let denseCount = definition.kind == .dense ? definition.shape.reduce(1) { $0 * Int($1) } : 0
        tensors[definition.name] = Tensor(
            definition: definition,
            dense: Slot(values: Self.initialValues(definition.initializer, count: denseCount, stream: 0))
        )
    }

    func pushDense(_ name: String, gradient: [Float]) async throws {
        try await beginPush()
        defer { pushesInFlight -= 1 }
        var tensor = try lookUp(name, kind: .dense)
        guard gradient.count == tensor.dense.values.count else {
            throw StoreError.wrongGradientSize(name, expected: tensor.dense.values.count, received: gradient.count)
        }
        Self.apply(tensor.definition.optimizer, gradient: gradient[...], to: &tensor.dense)
        tensors[name] = tensor
        pushesApplied += 1
    }

    func pullDense(_ name: String) throws -> [Float] {
        try lookUp(name, kind: .dense).dense.values
    }

    func pushSparse(_ name: String, rowIDs: [UInt64], gradients: [Float]) async throws {
        try await beginPush()
        defer { pushesInFlight -= 1 }
        var tensor = try lookUp(name, kind: .sparse)
        let dimension = Int(tensor.definition.shape[1])
        guard gradients.count == rowIDs.count * dimension else {
            throw StoreError.wrongGradientSize(name, expected: rowIDs.count * dimension, received: gradients.count)
        }
        for (index, row) in rowIDs.enumerated() {
            var slot = try Self.row(row, of: tensor)
            Self.apply(tensor.definition.optimizer, gradient: gradients[(index * dimension)..<((index + 1) * dimension)], to: &slot)
            tensor.rows[row] = slot
        }
        tensors[name] = tensor
        pushesApplied += 1
    }

    func pullSparse(_ name: String, rowIDs: [UInt64]) throws -> [Float] {
        let tensor = try lookUp(name, kind: .sparse)
        return try rowIDs.flatMap { try Self.row($0, of: tensor).values }
    }

    private func beginPush() async throws {
        pushesStarted += 1
        if failingPushes.contains(pushesStarted) {
            throw StoreError.injectedFailure(push: pushesStarted)
        }
        pushesInFlight += 1
        pushesInFlightPeak = max(pushesInFlightPeak, pushesInFlight)
        await Task.yield()
    }

    private func lookUp(_ name: String, kind: TensorKind) throws -> Tensor {
        guard let tensor = tensors[name] else { throw StoreError.unknownTensor(name) }
        guard tensor.definition.kind == kind else { throw StoreError.wrongKind(name) }
        return tensor
    }

    /// A sparse row, created from the initializer (seeded by the row id) on first touch.
    private static func row(_ row: UInt64, of tensor: Tensor) throws -> Slot {
        guard row < tensor.definition.shape[0] else { throw StoreError.rowOutOfRange(tensor.definition.name, row: row) }
        return tensor.rows[row]
            ?? Slot(values: initialValues(tensor.definition.initializer, count: Int(tensor.definition.shape[1]), stream: row))
    }

    private static func initialValues(_ initializer: Initializer, count: Int, stream: UInt64) -> [Float] {
        switch initializer {
        case .zeros:
            return [Float](repeating: 0, count: count)
        case .constant(let value):
            return [Float](repeating: value, count: count)
        case let .uniform(low, high, seed):
            var generator = SplitMix64(seed: seed, stream: stream)
            return (0..<count).map { _ in low + (high - low) * generator.nextUnitFloat() }
        case let .normal(mean, stddev, seed):
            var generator = SplitMix64(seed: seed, stream: stream)
            return (0..<count).map { _ in mean + stddev * generator.nextStandardNormal() }
        }
    }

    private static func apply(_ optimizer: OptimizerConfig, gradient: ArraySlice<Float>, to slot: inout Slot) {
        slot.steps += 1
        let indices = zip(slot.values.indices, gradient.indices)
        switch optimizer {
        case .sgd(let learningRate):
            for (index, g) in indices {
                slot.values[index] -= learningRate * gradient[g]
            }
        case let .momentum(learningRate, momentum, nesterov):
            for (index, g) in indices {
                slot.first[index] = momentum * slot.first[index] + gradient[g]
                let step = nesterov ? gradient[g] + momentum * slot.first[index] : slot.first[index]
                slot.values[index] -= learningRate * step
            }
        case let .adam(learningRate, beta1, beta2, epsilon):
            let firstCorrection = 1 - pow(beta1, Float(slot.steps))
            let secondCorrection = 1 - pow(beta2, Float(slot.steps))
            for (index, g) in indices {
                slot.first[index] = beta1 * slot.first[index] + (1 - beta1) * gradient[g]
                slot.second[index] = beta2 * slot.second[index] + (1 - beta2) * gradient[g] * gradient[g]
                let firstCorrected = slot.first[index] / firstCorrection
                let secondCorrected = slot.second[index] / secondCorrection
                slot.values[index] -= learningRate * firstCorrected / (secondCorrected.squareRoot() + epsilon)
            }
        case let .adagrad(learningRate, initialAccumulator, epsilon):
            for (index, g) in indices {
                if slot.steps == 1 {
                    slot.second[index] = initialAccumulator
                }
                slot.second[index] += gradient[g] * gradient[g]
                slot.values[index] -= learningRate * gradient[g] / (slot.second[index].squareRoot() + epsilon)
            }
        }
    }
}
