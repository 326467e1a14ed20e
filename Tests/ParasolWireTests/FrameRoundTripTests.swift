import NIOCore
import ParasolConsensus
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

    /// The channel writes a frame's trailing floats as their own buffer: together the parts
    /// must be exactly the single-buffer encoding (same length field, same CRC).
    @Test(arguments: SampleMessages.all)
    func aFrameInPartsIsTheSameBytes(_ message: Message) throws {
        let frame = Frame(requestID: 7, shardID: 3, flags: 0, message: message)
        var whole = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(frame, into: &whole)
        var head = ByteBufferAllocator().buffer(capacity: 0)
        let parts = FrameCodec.encodeParts(frame, into: &head)
        #expect(parts.flatMap { Array($0.readableBytesView) } == Array(whole.readableBytesView))
        switch message {
        case .pushDense, .pushSparse, .denseData, .sparseData: #expect(parts.count == 2)
        default: #expect(parts.count == 1)
        }
    }

    /// A primary replicates a large entry from the buffer it was encoded into, and a follower
    /// logs it as a slice of the frame it received; small entries are copied both ways.
    @Test func largeLogEntriesTravelAsTheyAreAndArriveAsSlices() throws {
        func pushFrame(floats: Int) -> ByteBuffer {
            var frame = ByteBufferAllocator().buffer(capacity: 0)
            FrameCodec.encode(Frame(requestID: 9, shardID: 4, message: .pushDense(PushDense(
                id: PushID(clientID: 1, sequence: 1, acknowledgedBelow: 1), name: "w", offset: 0,
                gradient: ByteBuffer(floats: (0..<floats).map(Float.init))))), into: &frame)
            return frame
        }
        let large = pushFrame(floats: 100_000)
        let small = pushFrame(floats: 4)
        let entries = [large, small, large].enumerated().map { position, payload in
            LogEntry(term: 2, index: 11 + UInt64(position), payload: EntryPayload(payload))
        }
        let append = RaftMessage(from: NodeID(1), to: NodeID(2), term: 2, kind: .append(AppendRequest(
            prevIndex: 10, prevTerm: 2, entries: entries, commit: 10, sentAtTick: 5)))
        let frame = Frame(requestID: 1, shardID: 0, message: .raftMessages(RaftBatch(messages: [ShardRaftMessage(shardID: 4, message: append)])))

        var head = ByteBufferAllocator().buffer(capacity: 0)
        let parts = FrameCodec.encodeParts(frame, into: &head)
        // fields, entry 11, fields with entry 12 copied in, entry 13, the last fields
        #expect(parts.count == 5)
        let address = { (buffer: ByteBuffer) in buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } }
        #expect(address(parts[1]) == address(large), "a large entry should be sent from its own buffer")
        var whole = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(frame, into: &whole)
        #expect(parts.flatMap { Array($0.readableBytesView) } == Array(whole.readableBytesView))

        let frameStart = address(whole)
        let frameRange = frameStart..<(frameStart + UInt(whole.readableBytes))
        guard case .raftMessages(let batch) = try FrameCodec.decode(&whole, frameBytesMax: 1 << 20)?.message,
              case .append(let received) = batch.messages.first?.message.kind
        else {
            Issue.record("expected one append")
            return
        }
        #expect(received.entries == entries)
        let receivedAddresses = received.entries.map { $0.payload.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } }
        #expect(frameRange.contains(receivedAddresses[0]) && frameRange.contains(receivedAddresses[2]), "large entries should be slices of the frame")
        #expect(!frameRange.contains(receivedAddresses[1]), "a small entry should not keep the frame's buffer alive")
    }

    /// A log entry is a request frame as it arrived: it decodes to the same frame, and whatever
    /// surrounds one frame is refused.
    @Test(arguments: SampleMessages.all)
    func aLoggedFrameDecodesToTheSameFrame(_ message: Message) throws {
        let frame = Frame(requestID: 5, shardID: 6, message: message)
        var encoded = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(frame, into: &encoded)
        #expect(try FrameCodec.decodeLogged(encoded) == frame)

        var longer = encoded
        longer.writeInteger(UInt8(0))
        #expect(throws: WireError.malformedPayload(type: message.type, reason: "1 bytes follow the frame")) { try FrameCodec.decodeLogged(longer) }
        let shorter = encoded.getSlice(at: encoded.readerIndex, length: encoded.readableBytes - 1)!
        #expect(throws: WireError.truncated(bufferedBytes: shorter.readableBytes)) { try FrameCodec.decodeLogged(shorter) }
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
