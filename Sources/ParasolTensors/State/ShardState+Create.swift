import ParasolWire

extension ShardState {
    /// Creates a tensor. An existing tensor of the same name is `alreadyExists` without
    /// `ifNotExists`; with it, an identical definition succeeds with `created: false` and a
    /// different one is `shapeMismatch` (Protocols/wire.md, createTensor).
    func createTensor(_ create: CreateTensor) throws(ErrorReply) -> TensorCreated {
        let definition = TensorDefinition(create)
        let layout = try definition.validate()
        if let existing = tensors[create.name] {
            guard create.ifNotExists else {
                throw ErrorReply(code: .alreadyExists, message: "tensor '\(create.name)' already exists on shard \(shardID)")
            }
            guard existing.definition == definition else {
                throw ErrorReply(
                    code: .shapeMismatch,
                    message: "tensor '\(create.name)' already exists as \(existing.definition.summary); the request defines \(definition.summary)")
            }
            return TensorCreated(version: existing.version, created: false)
        }
        guard tensors.count < ShardLimits.tensorsMax else {
            throw ShardFailure.tooLarge(
                "shard \(shardID) already holds \(tensors.count) tensors, the limit; cannot create '\(create.name)'")
        }
        switch layout {
        case .dense(let elementCount):
            tensors[create.name] = .dense(DenseTensor(definition: definition, elementCount: elementCount))
        case let .sparse(rowCount, rowDimension):
            tensors[create.name] = .sparse(SparseTable(definition: definition, rowCount: rowCount, rowDimension: rowDimension))
        }
        return TensorCreated(version: 0, created: true)
    }
}
