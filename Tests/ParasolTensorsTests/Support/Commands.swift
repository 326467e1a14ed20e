import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// Shorthands for building commands in tests.
enum Commands {
    static func create(
        _ name: String, _ kind: TensorKind = .dense, shape: [UInt64], initializer: Initializer = .zeros,
        optimizer: OptimizerConfig = .sgd(learningRate: 0.5), ifNotExists: Bool = false
    ) -> ShardCommand {
        .createTensor(CreateTensor(
            name: name, kind: kind, shape: shape, initializer: initializer, optimizer: optimizer, ifNotExists: ifNotExists))
    }

    static func pushDense(
        _ name: String, _ gradient: [Float], offset: UInt64 = 0, client: UInt64 = 1, sequence: UInt64,
        acknowledgedBelow: UInt64 = 0, misalignment: Int = 1
    ) -> ShardCommand {
        .pushDense(PushDense(
            id: PushID(clientID: client, sequence: sequence, acknowledgedBelow: acknowledgedBelow), name: name,
            offset: offset, gradient: FloatBuffers.make(gradient, misalignment: misalignment)))
    }

    static func pushSparse(
        _ name: String, rows: [UInt64], _ gradients: [Float], client: UInt64 = 1, sequence: UInt64,
        acknowledgedBelow: UInt64 = 0, misalignment: Int = 3
    ) -> ShardCommand {
        .pushSparse(PushSparse(
            id: PushID(clientID: client, sequence: sequence, acknowledgedBelow: acknowledgedBelow), name: name,
            rowIDs: rows, gradients: FloatBuffers.make(gradients, misalignment: misalignment)))
    }
}

/// Applies commands with consecutive indices after the state's current one.
extension ShardState {
    @discardableResult
    func applyNext(_ command: ShardCommand) -> Message {
        apply(command, index: appliedIndex + 1)
    }

    func snapshotBytes(shuffleFloats: Bool = true) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        encodeSnapshot(into: &buffer, shuffleFloats: shuffleFloats)
        return FloatBuffers.bytes(buffer)
    }

    /// Whole dense tensor values, failing the test on an error reply.
    func denseValues(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Float] {
        let reply = pullDense(PullDense(name: name, offset: 0, count: 0, minVersion: 0), allocator: ByteBufferAllocator())
        guard case .denseData(let data) = reply else {
            Issue.record("pull of \(name) failed: \(reply)", sourceLocation: sourceLocation)
            return []
        }
        return FloatBuffers.floats(data.values)
    }

    func sparseValues(_ name: String, rows: [UInt64], sourceLocation: SourceLocation = #_sourceLocation) -> [Float] {
        let reply = pullSparse(PullSparse(name: name, rowIDs: rows, minVersion: 0), allocator: ByteBufferAllocator())
        guard case .sparseData(let data) = reply else {
            Issue.record("pull of \(name) rows \(rows) failed: \(reply)", sourceLocation: sourceLocation)
            return []
        }
        return FloatBuffers.floats(data.rows)
    }
}

/// The reply's error, or a recorded issue.
func expectError(
    _ reply: Message, _ code: ErrorCode, mentioning fragments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) {
    guard case .error(let error) = reply else {
        Issue.record("expected a \(code) error, got \(reply)", sourceLocation: sourceLocation)
        return
    }
    #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(error.message.contains(fragment), "'\(error.message)' should mention '\(fragment)'", sourceLocation: sourceLocation)
    }
}

func expectAck(
    _ reply: Message, version: UInt64, duplicate: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply == .pushAck(PushAck(version: version, duplicate: duplicate)), sourceLocation: sourceLocation)
}
