import Foundation
import NIOCore
@testable import ParasolTensors
import ParasolWire
import Testing

/// Initial values are a pure function of (initializer, row): the same on every replica, in any
/// touch order, and distributed as asked.
@Suite struct InitializerTests {
    @Test(arguments: [
        Initializer.zeros, .constant(2.5), .uniform(low: -0.5, high: 2, seed: 9), .normal(mean: 1, stddev: 3, seed: 9),
    ])
    func denseInitialValuesAreDeterministic(initializer: Initializer) {
        let first = ShardState(shardID: 0)
        let second = ShardState(shardID: 5)
        for state in [first, second] {
            state.applyNext(Commands.create("w", shape: [3, 333], initializer: initializer))
        }
        #expect(first.denseValues("w") == second.denseValues("w"))
        #expect(first.denseValues("w").count == 999)
    }

    @Test func constantAndZerosFillEveryElement() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("c", shape: [17], initializer: .constant(-1.25)))
        state.applyNext(Commands.create("z", shape: [17], initializer: .zeros))
        #expect(state.denseValues("c") == Array(repeating: -1.25, count: 17))
        #expect(state.denseValues("z") == Array(repeating: 0, count: 17))
    }

    @Test func uniformStaysInRangeAndCoversIt() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("u", shape: [100_000], initializer: .uniform(low: -3, high: 5, seed: 77)))
        let values = state.denseValues("u")
        #expect(values.allSatisfy { $0 >= -3 && $0 < 5 })
        let mean = values.reduce(0, +) / Float(values.count)
        #expect(abs(mean - 1) < 0.05, "mean \(mean)")
        #expect(values.min()! < -2.99 && values.max()! > 4.99)
    }

    @Test func normalHasTheRequestedMeanAndDeviation() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("n", shape: [100_001], initializer: .normal(mean: 2, stddev: 0.5, seed: 123)))
        let values = state.denseValues("n").map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        #expect(abs(mean - 2) < 0.01, "mean \(mean)")
        #expect(abs(variance.squareRoot() - 0.5) < 0.01, "stddev \(variance.squareRoot())")
        let beyondThreeSigma = values.filter { abs($0 - 2) > 1.5 }.count
        #expect(beyondThreeSigma > 100 && beyondThreeSigma < 450, "\(beyondThreeSigma) values beyond 3σ")
    }

    @Test func differentSeedsGiveDifferentValues() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("a", shape: [64], initializer: .normal(mean: 0, stddev: 1, seed: 1)))
        state.applyNext(Commands.create("b", shape: [64], initializer: .normal(mean: 0, stddev: 1, seed: 2)))
        #expect(state.denseValues("a") != state.denseValues("b"))
    }

    /// Rows materialized in different orders (by pushes in different orders) hold the same
    /// values, and an untouched row reads as its initializer.
    @Test func sparseRowValuesDoNotDependOnTouchOrder() {
        let initializer = Initializer.normal(mean: 0, stddev: 1, seed: 31)
        let forward = ShardState(shardID: 0)
        let backward = ShardState(shardID: 0)
        for state in [forward, backward] {
            state.applyNext(Commands.create("e", .sparse, shape: [1000, 9], initializer: initializer, optimizer: .sgd(learningRate: 0)))
        }
        let untouched = forward.sparseValues("e", rows: [5, 900, 42])
        for (sequence, row) in [5, 900, 42].enumerated() {
            forward.applyNext(Commands.pushSparse("e", rows: [UInt64(row)], Array(repeating: 1, count: 9), sequence: UInt64(sequence + 1)))
        }
        backward.applyNext(Commands.pushSparse("e", rows: [42, 900, 5], Array(repeating: 1, count: 27), sequence: 1))
        #expect(forward.sparseValues("e", rows: [5, 900, 42]) == untouched)
        #expect(backward.sparseValues("e", rows: [5, 900, 42]) == untouched)
        #expect(Set(untouched).count == 27, "rows must not share values")
    }

    @Test func rowStreamsAreDistinct() {
        var buffers: [[Float]] = []
        for row: UInt64 in [0, 1, 2, 1 << 40] {
            buffers.append([Float](unsafeUninitializedCapacity: 8) { buffer, count in
                Initializer.uniform(low: 0, high: 1, seed: 5).fill(buffer, rowID: row)
                count = 8
            })
        }
        #expect(Set(buffers.map { $0.map(\.bitPattern) }).count == 4)
    }

    /// The libm-free log and sincos agree with the platform's to near Double precision.
    @Test func deterministicMathMatchesLibm() {
        var random = TestRandom(seed: 99)
        for _ in 0..<20_000 {
            let x = Double((random.next() >> 11) + 1) * 0x1p-53
            let expected = Foundation.log(x)
            #expect(abs(DeterministicMath.log(x) - expected) <= 1e-14 * max(1, abs(expected)), "log(\(x))")
            let u = Double(random.next() >> 11) * 0x1p-53
            let (c, s) = DeterministicMath.cosSinOfTurns(u)
            #expect(abs(c - Foundation.cos(2 * Double.pi * u)) < 1e-14, "cos at \(u) turns")
            #expect(abs(s - Foundation.sin(2 * Double.pi * u)) < 1e-14, "sin at \(u) turns")
        }
        for x in [1.0, 0.5, 2.0, 0x1p-53, 1e300, 3.0] {
            #expect(abs(DeterministicMath.log(x) - Foundation.log(x)) <= 1e-14 * max(1, abs(Foundation.log(x))))
        }
        for u in [0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 0.999_999] {
            let (c, s) = DeterministicMath.cosSinOfTurns(u)
            #expect(abs(c - Foundation.cos(2 * Double.pi * u)) < 1e-14 && abs(s - Foundation.sin(2 * Double.pi * u)) < 1e-14, "\(u)")
        }
    }
}
