import ParasolWire

/// What a `CreateTensor` defines, minus the request flag: the identity of a tensor. Two creates
/// with equal definitions describe the same tensor (`ifNotExists` then succeeds).
struct TensorDefinition: Equatable {
    let name: String
    let kind: TensorKind
    let shape: [UInt64]
    let initializer: Initializer
    let optimizer: OptimizerConfig

    init(name: String, kind: TensorKind, shape: [UInt64], initializer: Initializer, optimizer: OptimizerConfig) {
        self.name = name
        self.kind = kind
        self.shape = shape
        self.initializer = initializer
        self.optimizer = optimizer
    }

    init(_ create: CreateTensor) {
        self.init(
            name: create.name, kind: create.kind, shape: create.shape, initializer: create.initializer,
            optimizer: create.optimizer)
    }

    /// How the definition lays out elements, once validated.
    enum Layout {
        case dense(elementCount: Int)
        case sparse(rowCount: UInt64, rowDimension: Int)
    }

    /// A human description for error messages: `dense [3, 4] sgd(learningRate: 0.1) zeros`.
    var summary: String {
        "\(kind.label) \(shape) \(optimizer) \(initializer)"
    }
}
