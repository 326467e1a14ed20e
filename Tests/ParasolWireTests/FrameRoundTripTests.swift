import NIOCore
import ParasolWire
import Testing

@Suite struct FrameRoundTripTests {
    @Test func samplesCoverEveryMessageTypeInitializerAndOptimizer() {
        let types = Set(SampleMessages.all.map(\.type.rawValue))
        #expect(types == Set(MessageType.allCases.map(\.rawValue)))
        var initializers = Set<String>()
        var optimizers = Set<String>()
        for case .createTensor(let create) in SampleMessages.all {
            initializers.insert(caseName(create.initializer))
            optimizers.insert(caseName(create.optimizer))
        }
        #expect(initializers == ["zeros", "constant", "uniform", "normal"])
        #expect(optimizers == ["sgd", "momentum", "adam", "adagrad"])
    }

    /// Exhaustive switches: a new case stops this file compiling, then fails the test until sampled.
    private func caseName(_ initializer: Initializer) -> String {
        switch initializer {
        case .zeros: "zeros"
        case .constant: "constant"
        case .uniform: "uniform"
        case .normal: "normal"
        }
    }

    private func caseName(_ optimizer: OptimizerConfig) -> String {
        switch optimizer {
        case .sgd: "sgd"
        case .momentum: "momentum"
        case .adam: "adam"
        case .adagrad: "adagrad"
        }
    }

    @Test(arguments: SampleMessages.all)
    func frameRoundTrips(_ message: Message) throws {
        let frame = Frame(requestID: 0xFEED_FACE_CAFE_BEEF, shardID: 0xDEAD_BEEF, flags: 0x8001, message: message)
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(frame, into: &buffer)
        #expect(Array(buffer.readableBytesView) == ReferenceLayout.encode(frame).bytes, "codec and wire.md disagree on \(message.type)")

        let decoded = try FrameCodec.decode(&buffer, frameBytesMax: 1 << 20)
        #expect(decoded == frame)
        #expect(buffer.readableBytes == 0)
    }

    /// The channel writes a frame's trailing floats as their own buffer: together the two parts
    /// must be exactly the single-buffer encoding (same length field, same CRC).
    @Test(arguments: SampleMessages.all)
    func aFrameWithDeferredFloatsIsTheSameBytes(_ message: Message) throws {
        let frame = Frame(requestID: 7, shardID: 3, flags: 0, message: message)
        var whole = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(frame, into: &whole)
        var head = ByteBufferAllocator().buffer(capacity: 0)
        let floats = FrameCodec.encodeDeferringFloats(frame, into: &head)
        #expect(Array(head.readableBytesView) + Array(floats?.readableBytesView ?? ByteBuffer().readableBytesView) == Array(whole.readableBytesView))
        switch message {
        case .pushDense, .pushSparse, .denseData, .sparseData: #expect(floats != nil)
        default: #expect(floats == nil)
        }
    }

    @Test(arguments: SampleMessages.all)
    func payloadRoundTrips(_ message: Message) throws {
        // The payload starts after a prefix byte: float blocks align relative to its start.
        let encoded = FrameCodec.encodePayload(of: message, prefix: 0xA7)
        #expect(encoded.first == 0xA7)
        #expect(Array(encoded.dropFirst()) == ReferenceLayout.payload(of: message))
        var buffer = ByteBuffer(bytes: encoded.dropFirst())
        #expect(try FrameCodec.decodePayload(type: message.type, from: &buffer) == message)
        #expect(buffer.readableBytes == 0)
    }

    @Test func decodedFloatsAreSlicesOfTheReceivedBufferNotCopies() throws {
        let gradient = ByteBuffer(floats: (0..<1000).map(Float.init))
        let frame = Frame(requestID: 1, shardID: 2, message: .pushDense(PushDense(
            id: PushID(clientID: 1, sequence: 1, acknowledgedBelow: 1), name: "w", offset: 0, gradient: gradient)))
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(frame, into: &buffer)
        let frameRange = buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress)..<UInt(bitPattern: $0.baseAddress! + $0.count) }

        guard case .pushDense(let push) = try FrameCodec.decode(&buffer, frameBytesMax: 1 << 20)?.message else {
            Issue.record("expected a pushDense frame")
            return
        }
        let floatsAddress = push.gradient.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(frameRange.contains(floatsAddress), "the gradient should point into the frame's bytes")
        #expect(floatsAddress % 4 == 0, "float blocks are 4-byte aligned relative to an aligned frame start")
        #expect(push.gradient.readableFloats() == (0..<1000).map(Float.init))
    }

    @Test func randomMessagesMatchTheReferenceLayoutAndRoundTrip() throws {
        let seed: UInt64 = 0x5EED_0001
        print("randomMessagesMatchTheReferenceLayoutAndRoundTrip seed: \(seed)")
        var random = SeededRandom(seed: seed)
        for round in 0..<300 {
            let message = randomMessage(using: &random)
            let frame = Frame(requestID: random.next(), shardID: UInt32.random(in: 0...9, using: &random), message: message)
            var buffer = ByteBufferAllocator().buffer(capacity: 0)
            FrameCodec.encode(frame, into: &buffer)
            #expect(Array(buffer.readableBytesView) == ReferenceLayout.encode(frame).bytes, "seed \(seed) round \(round): \(message.type)")
            #expect(try FrameCodec.decode(&buffer, frameBytesMax: 1 << 20) == frame, "seed \(seed) round \(round)")
        }
    }

    private func randomMessage(using random: inout SeededRandom) -> Message {
        let id = PushID(clientID: random.next(), sequence: random.next(), acknowledgedBelow: random.next())
        let rowIDs = (0..<Int.random(in: 0...5, using: &random)).map { _ in random.next() }
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            return .pushDense(PushDense(
                id: id, name: random.name(), offset: random.next(),
                gradient: ByteBuffer(floats: random.floats(Int.random(in: 0...9, using: &random)))))
        case 1:
            return .pushSparse(PushSparse(
                id: id, name: random.name(), rowIDs: rowIDs, gradients: ByteBuffer(floats: random.floats(rowIDs.count * 3))))
        case 2:
            return .sparseData(SparseData(
                version: random.next(), rowDimension: 3, rows: ByteBuffer(floats: random.floats(Int.random(in: 0...9, using: &random)))))
        case 3:
            return .pullSparse(PullSparse(name: random.name(), rowIDs: rowIDs, minVersion: random.next()))
        case 4:
            return .error(ErrorReply(code: ErrorCode.allCases.randomElement(using: &random)!, message: random.name(), leaderHint: random.name()))
        default:
            return .shardMap(ShardMap(epoch: random.next(), shards: rowIDs.map {
                ShardMap.Entry(shardID: UInt32(truncatingIfNeeded: $0), primaryNodeID: random.name(), primaryAddress: random.name())
            }))
        }
    }
}
