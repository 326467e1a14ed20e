import ParasolWire

extension TensorDefinition {
    /// Checks everything a create must satisfy and returns the element layout.
    ///
    /// Used by `apply` for `createTensor` and by the snapshot decoder for every restored tensor,
    /// so a restored state is always one that commands could have built.
    func validate() throws(ErrorReply) -> Layout {
        try validateName()
        let layout = try validateShape()
        try validateInitializer()
        try validateOptimizer()
        return layout
    }

    private func validateName() throws(ErrorReply) {
        guard !name.isEmpty else { throw ShardFailure.badRequest("tensor name is empty") }
        let bytes = name.utf8.count
        guard bytes <= ShardLimits.tensorNameBytesMax else {
            throw ShardFailure.badRequest(
                "tensor name of \(bytes) bytes is longer than the limit of \(ShardLimits.tensorNameBytesMax)")
        }
    }

    private func validateShape() throws(ErrorReply) -> Layout {
        if let zero = shape.firstIndex(of: 0) {
            throw ShardFailure.badRequest("dimension \(zero) of tensor '\(name)' is 0 (shape \(shape))")
        }
        switch kind {
        case .dense:
            // An empty shape is a scalar: one element (the product of no dimensions).
            guard shape.count <= ShardLimits.rankMax else {
                throw ShardFailure.badRequest(
                    "dense tensor '\(name)' has \(shape.count) dimensions (shape \(shape)); at most \(ShardLimits.rankMax) are allowed")
            }
            var elements: UInt64 = 1
            for dimension in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= UInt64(ShardLimits.tensorElementsMax) else {
                    throw ShardFailure.tooLarge(
                        "dense tensor '\(name)' of shape \(shape) has more than the limit of \(ShardLimits.tensorElementsMax) elements")
                }
                elements = product
            }
            return .dense(elementCount: Int(elements))
        case .sparse:
            guard shape.count == 2 else {
                throw ShardFailure.badRequest(
                    "sparse table '\(name)' needs shape [rowCount, rowDimension], got \(shape)")
            }
            guard shape[1] <= UInt64(ShardLimits.tensorElementsMax) else {
                throw ShardFailure.tooLarge(
                    "sparse table '\(name)' has row dimension \(shape[1]), above the limit of \(ShardLimits.tensorElementsMax)")
            }
            return .sparse(rowCount: shape[0], rowDimension: Int(shape[1]))
        }
    }

    private func validateInitializer() throws(ErrorReply) {
        switch initializer {
        case .zeros:
            break
        case .constant(let value):
            try requireFinite(value, "constant initializer value")
        case let .uniform(low, high, _):
            try requireFinite(low, "uniform initializer low")
            try requireFinite(high, "uniform initializer high")
            guard low <= high, (high - low).isFinite else {
                throw ShardFailure.badRequest(
                    "tensor '\(name)': uniform initializer needs low ≤ high with a finite span, got [\(low), \(high))")
            }
        case let .normal(mean, stddev, _):
            try requireFinite(mean, "normal initializer mean")
            try requireFinite(stddev, "normal initializer stddev")
            guard stddev >= 0 else {
                throw ShardFailure.badRequest("tensor '\(name)': normal initializer stddev \(stddev) is negative")
            }
        }
    }

    private func validateOptimizer() throws(ErrorReply) {
        switch optimizer {
        case .sgd(let learningRate):
            try requireFinite(learningRate, "sgd learning rate")
        case let .momentum(learningRate, momentum, _):
            try requireFinite(learningRate, "momentum learning rate")
            try requireFraction(momentum, "momentum coefficient")
        case let .adam(learningRate, beta1, beta2, epsilon):
            try requireFinite(learningRate, "adam learning rate")
            try requireFraction(beta1, "adam beta1")
            try requireFraction(beta2, "adam beta2")
            try requirePositive(epsilon, "adam epsilon")
        case let .adagrad(learningRate, initialAccumulator, epsilon):
            try requireFinite(learningRate, "adagrad learning rate")
            try requireFinite(initialAccumulator, "adagrad initial accumulator")
            guard initialAccumulator >= 0 else {
                throw ShardFailure.badRequest(
                    "tensor '\(name)': adagrad initial accumulator \(initialAccumulator) is negative")
            }
            try requirePositive(epsilon, "adagrad epsilon")
        }
    }

    private func requireFinite(_ value: Float, _ what: String) throws(ErrorReply) {
        guard value.isFinite else {
            throw ShardFailure.badRequest("tensor '\(name)': \(what) \(value) is not finite")
        }
    }

    /// Decay coefficients must lie in [0, 1): 1 would never forget, and above it diverges.
    private func requireFraction(_ value: Float, _ what: String) throws(ErrorReply) {
        guard value >= 0, value < 1 else {
            throw ShardFailure.badRequest("tensor '\(name)': \(what) \(value) must be in [0, 1)")
        }
    }

    /// Epsilons keep a division away from zero, so they must be above it.
    private func requirePositive(_ value: Float, _ what: String) throws(ErrorReply) {
        guard value.isFinite, value > 0 else {
            throw ShardFailure.badRequest("tensor '\(name)': \(what) \(value) must be positive and finite")
        }
    }
}
