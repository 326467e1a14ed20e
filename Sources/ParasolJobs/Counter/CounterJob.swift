import ParasolWire

/// Adds 1 to a one-element tensor `count` times and reads it back: the smallest end-to-end check
/// that pushes are applied exactly once, including across failovers.
///
/// The tensor uses SGD with learning rate −1, so `w ← w − (−1)·g` makes a push of `[1]` add one.
/// Up to `inFlight` pushes are outstanding at a time. A push that throws is *not acknowledged*:
/// it may or may not have been applied, which is exactly what a checker comparing `value` with
/// `acknowledged` (and `acknowledged + failed`) wants to know. With no other writer,
/// `acknowledged ≤ value − initialValue ≤ acknowledged + failed`.
public struct CounterJob: Sendable {
    public let count: Int
    public let inFlight: Int
    public let tensorName: String

    /// `count == 0` only creates the tensor if needed and reads it.
    public init(count: Int, inFlight: Int, tensorName: String = "counter") throws {
        try JobOptionsError.checkAtLeast(0, count, option: "count")
        try JobOptionsError.checkAtLeast(1, inFlight, option: "inFlight")
        self.count = count
        self.inFlight = inFlight
        self.tensorName = tensorName
    }

    /// The definition every counter run shares, so concurrent or repeated runs count into one tensor.
    public var definition: CreateTensor {
        CreateTensor(
            name: tensorName, kind: .dense, shape: [1], initializer: .zeros,
            optimizer: .sgd(learningRate: -1), ifNotExists: true
        )
    }

    public func run(store: some ParameterStore) async throws -> CounterReport {
        try await store.createTensor(definition)
        let name = tensorName
        let initialValue = try await readCounter(from: store)
        let tally = await withTaskGroup(of: String?.self) { group in
            var tally = (acknowledged: 0, failed: 0, firstFailure: String?.none)
            func record(_ failure: String?) {
                if let failure {
                    tally.failed += 1
                    tally.firstFailure = tally.firstFailure ?? failure
                } else {
                    tally.acknowledged += 1
                }
            }
            for pushIndex in 0..<count {
                if pushIndex >= inFlight, let finished = await group.next() {
                    record(finished)
                }
                group.addTask {
                    do {
                        try await store.pushDense(name, gradient: [1])
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            for await finished in group {
                record(finished)
            }
            return tally
        }
        return try await CounterReport(
            requested: count, acknowledged: tally.acknowledged, failed: tally.failed, initialValue: initialValue,
            value: readCounter(from: store), firstFailure: tally.firstFailure
        )
    }

    private func readCounter(from store: some ParameterStore) async throws -> Double {
        let values = try await store.pullDense(tensorName)
        try StoreReplyError.check(values, tensor: tensorName, expectedFloats: 1)
        return Double(values[0])
    }
}
