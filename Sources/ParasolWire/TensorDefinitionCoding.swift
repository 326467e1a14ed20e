import NIOCore

/// Encodings of the value types that several messages share: tensor kinds, initializers and
/// optimizer configurations (a tag byte, then that case's fields) and push ids.
///
/// Tag values are part of the wire format: new cases take new tags, old tags keep their meaning.
enum InitializerTag: UInt8 {
    case zeros = 0
    case constant = 1
    case uniform = 2
    case normal = 3
}

enum OptimizerTag: UInt8 {
    case sgd = 0
    case momentum = 1
    case adam = 2
    case adagrad = 3
}

extension ByteBuffer {
    mutating func writeWireKind(_ kind: TensorKind) {
        writeWireU8(kind.rawValue)
    }

    mutating func writeWireInitializer(_ initializer: Initializer) {
        switch initializer {
        case .zeros:
            writeWireU8(InitializerTag.zeros.rawValue)
        case .constant(let value):
            writeWireU8(InitializerTag.constant.rawValue)
            writeWireF32(value)
        case .uniform(let low, let high, let seed):
            writeWireU8(InitializerTag.uniform.rawValue)
            writeWireF32(low)
            writeWireF32(high)
            writeWireU64(seed)
        case .normal(let mean, let stddev, let seed):
            writeWireU8(InitializerTag.normal.rawValue)
            writeWireF32(mean)
            writeWireF32(stddev)
            writeWireU64(seed)
        }
    }

    mutating func writeWireOptimizer(_ optimizer: OptimizerConfig) {
        switch optimizer {
        case .sgd(let learningRate):
            writeWireU8(OptimizerTag.sgd.rawValue)
            writeWireF32(learningRate)
        case .momentum(let learningRate, let momentum, let nesterov):
            writeWireU8(OptimizerTag.momentum.rawValue)
            writeWireF32(learningRate)
            writeWireF32(momentum)
            writeWireBool(nesterov)
        case .adam(let learningRate, let beta1, let beta2, let epsilon):
            writeWireU8(OptimizerTag.adam.rawValue)
            writeWireF32(learningRate)
            writeWireF32(beta1)
            writeWireF32(beta2)
            writeWireF32(epsilon)
        case .adagrad(let learningRate, let initialAccumulator, let epsilon):
            writeWireU8(OptimizerTag.adagrad.rawValue)
            writeWireF32(learningRate)
            writeWireF32(initialAccumulator)
            writeWireF32(epsilon)
        }
    }

    mutating func writeWirePushID(_ id: PushID) {
        writeWireU64(id.clientID)
        writeWireU64(id.sequence)
        writeWireU64(id.acknowledgedBelow)
    }
}

extension PayloadReader {
    mutating func readKind(_ field: @autoclosure () -> String) throws(WireError) -> TensorKind {
        let raw = try readU8(field())
        guard let kind = TensorKind(rawValue: raw) else {
            throw malformed("\(field()) is \(raw); known tensor kinds are 0 (dense) and 1 (sparse)")
        }
        return kind
    }

    mutating func readInitializer(_ field: @autoclosure () -> String) throws(WireError) -> Initializer {
        let raw = try readU8("\(field()) tag")
        switch InitializerTag(rawValue: raw) {
        case .zeros:
            return .zeros
        case .constant:
            return .constant(try readF32("\(field()).value"))
        case .uniform:
            return .uniform(low: try readF32("\(field()).low"), high: try readF32("\(field()).high"), seed: try readU64("\(field()).seed"))
        case .normal:
            return .normal(mean: try readF32("\(field()).mean"), stddev: try readF32("\(field()).stddev"), seed: try readU64("\(field()).seed"))
        case nil:
            throw malformed("\(field()) tag is \(raw); known initializers are 0 zeros, 1 constant, 2 uniform, 3 normal")
        }
    }

    mutating func readOptimizer(_ field: @autoclosure () -> String) throws(WireError) -> OptimizerConfig {
        let raw = try readU8("\(field()) tag")
        switch OptimizerTag(rawValue: raw) {
        case .sgd:
            return .sgd(learningRate: try readF32("\(field()).learningRate"))
        case .momentum:
            return .momentum(
                learningRate: try readF32("\(field()).learningRate"),
                momentum: try readF32("\(field()).momentum"),
                nesterov: try readBool("\(field()).nesterov"))
        case .adam:
            return .adam(
                learningRate: try readF32("\(field()).learningRate"),
                beta1: try readF32("\(field()).beta1"),
                beta2: try readF32("\(field()).beta2"),
                epsilon: try readF32("\(field()).epsilon"))
        case .adagrad:
            return .adagrad(
                learningRate: try readF32("\(field()).learningRate"),
                initialAccumulator: try readF32("\(field()).initialAccumulator"),
                epsilon: try readF32("\(field()).epsilon"))
        case nil:
            throw malformed("\(field()) tag is \(raw); known optimizers are 0 sgd, 1 momentum, 2 adam, 3 adagrad")
        }
    }

    mutating func readPushID() throws(WireError) -> PushID {
        PushID(
            clientID: try readU64("id.clientID"),
            sequence: try readU64("id.sequence"),
            acknowledgedBelow: try readU64("id.acknowledgedBelow"))
    }
}
