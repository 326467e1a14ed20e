import NIOCore
import ParasolTensors
import ParasolWire

/// A seeded random sequence of shard commands: creates (some repeated, some conflicting),
/// dense pushes in ranges and chunks, sparse pushes with repeated rows, retries of earlier
/// pushes, floors that advance, and a share of invalid commands. Same seed, same commands.
struct CommandScript {
    private(set) var commands: [ShardCommand] = []

    private struct Tensor {
        let create: CreateTensor
        var elementCount: Int { Int(create.shape.reduce(1, *)) }
    }

    init(seed: UInt64, count: Int) {
        var random = TestRandom(seed: seed)
        let tensors = (0..<6).map { Self.randomTensor(index: $0, random: &random) }
        var nextSequence: [UInt64: UInt64] = [1: 1, 2: 1, 3: 1]
        var sent: [ShardCommand] = []
        for _ in 0..<count {
            let roll = Int.random(in: 0..<100, using: &random)
            let tensor = tensors.randomElement(using: &random)!
            let client = UInt64.random(in: 1...3, using: &random)
            let sequence = nextSequence[client]!
            let floor = sequence > 6 && Bool.random(using: &random) ? sequence - UInt64.random(in: 1...6, using: &random) : 0
            let id = PushID(clientID: client, sequence: sequence, acknowledgedBelow: floor)
            let command: ShardCommand
            switch roll {
            case 0..<12:
                var create = tensor.create
                create.ifNotExists = Int.random(in: 0..<4, using: &random) != 0
                if Int.random(in: 0..<8, using: &random) == 0 { create.shape[0] += 1 }
                command = .createTensor(create)
            case 12..<20 where !sent.isEmpty:
                command = sent.randomElement(using: &random)!
            case 20..<28:
                command = .pushDense(PushDense(
                    id: id, name: tensor.create.name, offset: UInt64.random(in: 0...40, using: &random),
                    gradient: FloatBuffers.make(random.floats(Int.random(in: 0...9, using: &random)), misalignment: 2)))
            default:
                command = Self.validPush(to: tensor, id: id, random: &random)
            }
            if case .createTensor = command {} else { nextSequence[client]! += 1 }
            if case .createTensor = command {} else { sent.append(command) }
            commands.append(command)
        }
    }

    private static func randomTensor(index: Int, random: inout TestRandom) -> Tensor {
        let optimizers: [OptimizerConfig] = [
            .sgd(learningRate: 0.1), .momentum(learningRate: 0.05, momentum: 0.9, nesterov: index % 2 == 0),
            .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
            .adagrad(learningRate: 0.1, initialAccumulator: 0.1, epsilon: 1e-7),
        ]
        let initializers: [Initializer] = [
            .zeros, .constant(0.5), .uniform(low: -1, high: 1, seed: random.next()),
            .normal(mean: 0, stddev: 0.1, seed: random.next()),
        ]
        let sparse = index % 3 == 2
        let shape: [UInt64] = sparse
            ? [UInt64.random(in: 20...1000, using: &random), UInt64.random(in: 1...20, using: &random)]
            : [UInt64.random(in: 1...40, using: &random), UInt64.random(in: 1...3, using: &random)]
        return Tensor(create: CreateTensor(
            name: "t\(index)", kind: sparse ? .sparse : .dense, shape: shape,
            initializer: initializers.randomElement(using: &random)!, optimizer: optimizers.randomElement(using: &random)!,
            ifNotExists: true))
    }

    private static func validPush(to tensor: Tensor, id: PushID, random: inout TestRandom) -> ShardCommand {
        let create = tensor.create
        if create.kind == .sparse {
            let rowCount = create.shape[0]
            let rows = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                UInt64.random(in: 0..<(rowCount + 1), using: &random)  // occasionally out of range
            }
            return .pushSparse(PushSparse(
                id: id, name: create.name, rowIDs: rows,
                gradients: FloatBuffers.make(random.floats(rows.count * Int(create.shape[1])), misalignment: 1)))
        }
        let offset = Bool.random(using: &random) ? 0 : Int.random(in: 0..<tensor.elementCount, using: &random)
        let count = Int.random(in: 1...(tensor.elementCount - offset), using: &random)
        return .pushDense(PushDense(
            id: id, name: create.name, offset: UInt64(offset), gradient: FloatBuffers.make(random.floats(count), misalignment: 3)))
    }
}
