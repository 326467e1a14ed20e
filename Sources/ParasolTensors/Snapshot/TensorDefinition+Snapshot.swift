import ParasolWire

extension TensorDefinition {
    /// Name, kind, shape, initializer and optimizer, as `Protocols/snapshot.md` lays them out.
    func encode(into writer: inout SnapshotWriter) {
        writer.write(UInt16(name.utf8.count))
        writer.writeBytes(name.utf8)
        writer.write(kind.rawValue)
        writer.write(UInt8(shape.count))
        writer.write(shape)
        switch initializer {
        case .zeros:
            writer.write(SnapshotFormat.InitializerTag.zeros.rawValue)
        case .constant(let value):
            writer.write(SnapshotFormat.InitializerTag.constant.rawValue)
            writer.write(value)
        case let .uniform(low, high, seed):
            writer.write(SnapshotFormat.InitializerTag.uniform.rawValue)
            writer.write(low)
            writer.write(high)
            writer.write(seed)
        case let .normal(mean, stddev, seed):
            writer.write(SnapshotFormat.InitializerTag.normal.rawValue)
            writer.write(mean)
            writer.write(stddev)
            writer.write(seed)
        }
        switch optimizer {
        case .sgd(let learningRate):
            writer.write(SnapshotFormat.OptimizerTag.sgd.rawValue)
            writer.write(learningRate)
        case let .momentum(learningRate, momentum, nesterov):
            writer.write(SnapshotFormat.OptimizerTag.momentum.rawValue)
            writer.write(learningRate)
            writer.write(momentum)
            writer.write(nesterov)
        case let .adam(learningRate, beta1, beta2, epsilon):
            writer.write(SnapshotFormat.OptimizerTag.adam.rawValue)
            writer.write(learningRate)
            writer.write(beta1)
            writer.write(beta2)
            writer.write(epsilon)
        case let .adagrad(learningRate, initialAccumulator, epsilon):
            writer.write(SnapshotFormat.OptimizerTag.adagrad.rawValue)
            writer.write(learningRate)
            writer.write(initialAccumulator)
            writer.write(epsilon)
        }
    }

    /// Reads a definition written by `encode`; `position` (0-based) names the tensor until its
    /// name is known. The caller validates the result.
    static func decode(from reader: inout SnapshotReader, position: Int) throws(SnapshotDecodeError) -> TensorDefinition {
        let nameLength = try reader.readCount(
            UInt16.self, limit: ShardLimits.tensorNameBytesMax, "tensor \(position) name length")
        let nameBytes = try reader.readBytes(count: nameLength, "tensor \(position) name")
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw .invalidUTF8(field: "tensor \(position) name")
        }
        let label = "tensor '\(name)'"
        let kindTag = try reader.read(UInt8.self, "\(label) kind")
        guard let kind = TensorKind(rawValue: kindTag) else { throw .unknownTag(field: "\(label) kind", value: kindTag) }
        let rank = try reader.readCount(UInt8.self, limit: ShardLimits.rankMax, "\(label) rank")
        let shape = try reader.readUInt64s(count: rank, "\(label) shape")
        let initializer = try decodeInitializer(from: &reader, label: label)
        let optimizer = try decodeOptimizer(from: &reader, label: label)
        return TensorDefinition(name: name, kind: kind, shape: shape, initializer: initializer, optimizer: optimizer)
    }

    private static func decodeInitializer(
        from reader: inout SnapshotReader, label: String
    ) throws(SnapshotDecodeError) -> Initializer {
        let field = "\(label) initializer"
        let tag = try reader.read(UInt8.self, field)
        switch SnapshotFormat.InitializerTag(rawValue: tag) {
        case .zeros:
            return .zeros
        case .constant:
            return .constant(try reader.readFloat("\(field) value"))
        case .uniform:
            let low = try reader.readFloat("\(field) low")
            let high = try reader.readFloat("\(field) high")
            return .uniform(low: low, high: high, seed: try reader.read(UInt64.self, "\(field) seed"))
        case .normal:
            let mean = try reader.readFloat("\(field) mean")
            let stddev = try reader.readFloat("\(field) stddev")
            return .normal(mean: mean, stddev: stddev, seed: try reader.read(UInt64.self, "\(field) seed"))
        case nil:
            throw .unknownTag(field: field, value: tag)
        }
    }

    private static func decodeOptimizer(
        from reader: inout SnapshotReader, label: String
    ) throws(SnapshotDecodeError) -> OptimizerConfig {
        let field = "\(label) optimizer"
        let tag = try reader.read(UInt8.self, field)
        switch SnapshotFormat.OptimizerTag(rawValue: tag) {
        case .sgd:
            return .sgd(learningRate: try reader.readFloat("\(field) learning rate"))
        case .momentum:
            let learningRate = try reader.readFloat("\(field) learning rate")
            let momentum = try reader.readFloat("\(field) momentum")
            return .momentum(learningRate: learningRate, momentum: momentum, nesterov: try reader.readBool("\(field) nesterov"))
        case .adam:
            let learningRate = try reader.readFloat("\(field) learning rate")
            let beta1 = try reader.readFloat("\(field) beta1")
            let beta2 = try reader.readFloat("\(field) beta2")
            let epsilon = try reader.readFloat("\(field) epsilon")
            return .adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
        case .adagrad:
            let learningRate = try reader.readFloat("\(field) learning rate")
            let initialAccumulator = try reader.readFloat("\(field) initial accumulator")
            let epsilon = try reader.readFloat("\(field) epsilon")
            return .adagrad(learningRate: learningRate, initialAccumulator: initialAccumulator, epsilon: epsilon)
        case nil:
            throw .unknownTag(field: field, value: tag)
        }
    }
}
