extension MLPParameterBuffer {
    /// Pulls every tensor (concurrently: six round trips cost about one) into the buffer,
    /// checking each against the size the shape expects.
    func pull(_ names: [String], from store: some ParameterStore) async throws {
        precondition(names.count == tensorCount, "\(names.count) names for \(tensorCount) tensors")
        let pulled = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, name) in names.enumerated() {
                group.addTask { (index, try await store.pullDense(name)) }
            }
            var pulled = [[Float]](repeating: [], count: names.count)
            for try await (index, values) in group {
                pulled[index] = values
            }
            return pulled
        }
        for (index, values) in pulled.enumerated() {
            try StoreReplyError.check(values, tensor: names[index], expectedFloats: floatCount(ofTensor: index))
            load(tensor: index, from: values)
        }
    }

    /// Copies of every tensor multiplied by `factor`, in tensor order: what a push sends.
    func tensorArrays(scaledBy factor: Float) -> [[Float]] {
        (0..<tensorCount).map { index in
            let source = tensor(index)
            return [Float](unsafeUninitializedCapacity: source.count) { destination, initialized in
                for element in 0..<source.count {
                    destination[element] = source[element] * factor
                }
                initialized = source.count
            }
        }
    }
}

extension ParameterStore {
    /// Pushes one gradient per tensor, concurrently.
    func pushDense(_ names: [String], gradients: [[Float]]) async throws {
        precondition(names.count == gradients.count, "\(names.count) names for \(gradients.count) gradients")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, gradient) in zip(names, gradients) {
                group.addTask { try await self.pushDense(name, gradient: gradient) }
            }
            try await group.waitForAll()
        }
    }
}
