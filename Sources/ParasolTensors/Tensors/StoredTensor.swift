import ParasolWire

/// One tensor of a shard, dense or sparse.
enum StoredTensor {
    case dense(DenseTensor)
    case sparse(SparseTable)

    var definition: TensorDefinition {
        switch self {
        case .dense(let tensor): tensor.definition
        case .sparse(let table): table.definition
        }
    }

    var version: UInt64 {
        switch self {
        case .dense(let tensor): tensor.version
        case .sparse(let table): table.version
        }
    }

    var optimizer: any TensorOptimizer {
        switch self {
        case .dense(let tensor): tensor.optimizer
        case .sparse(let table): table.optimizer
        }
    }

    var weightBytes: Int {
        switch self {
        case .dense(let tensor): tensor.weights.count * 4
        case .sparse(let table): table.weights.count * 4
        }
    }

    var materializedRowCount: Int {
        switch self {
        case .dense: 0
        case .sparse(let table): table.materializedRowCount
        }
    }
}
