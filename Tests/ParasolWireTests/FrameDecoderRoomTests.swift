import NIOCore
import ParasolWire
import Testing

/// How the decoder makes room for a large frame while an earlier frame sliced from the same
/// buffer is still alive (a handler keeps a push's gradient until it is applied): only the
/// unconsumed bytes may move, once, and the rest of the frame must land without moving again.
@Suite struct FrameDecoderRoomTests {
    private static let floatsPerFrame = 1 << 20   // 4 MiB of gradient per frame

    private static func pushFrame(requestID: UInt64, fill: Float) -> (frame: Frame, bytes: [UInt8]) {
        var gradient = ByteBufferAllocator().buffer(capacity: floatsPerFrame * 4)
        for index in 0..<floatsPerFrame {
            gradient.writeInteger((fill + Float(index % 7)).bitPattern, endianness: .little)
        }
        let push = PushDense(id: PushID(clientID: 1, sequence: requestID, acknowledgedBelow: 0), name: "w", offset: 0, gradient: gradient)
        let frame = Frame(requestID: requestID, shardID: 0, flags: 0, message: .pushDense(push))
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(frame, into: &buffer)
        return (frame, buffer.readBytes(length: buffer.readableBytes)!)
    }

    private static func storageAddress(_ buffer: ByteBuffer) -> UInt {
        buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } - UInt(buffer.readerIndex)
    }

    @Test func aLiveEarlierFrameIsNotCopiedAndTheNextFrameLandsWithoutMoving() throws {
        let first = Self.pushFrame(requestID: 1, fill: 1)
        let second = Self.pushFrame(requestID: 2, fill: 2)
        let headOfSecond = 100
        var decoder = FrameDecoder(frameBytesMax: 16 << 20)
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeBytes(first.bytes)
        buffer.writeBytes(second.bytes[..<headOfSecond])

        let decodedFirst = try #require(try decoder.nextFrame(from: &buffer))
        #expect(try decoder.nextFrame(from: &buffer) == nil)

        // Only the 100 unconsumed bytes moved: the consumed first frame stayed behind with its slice.
        #expect(buffer.readerIndex == 0)
        #expect(buffer.readableBytes == headOfSecond)
        #expect(buffer.capacity >= second.bytes.count)
        #expect(buffer.capacity < first.bytes.count + second.bytes.count)

        let settled = Self.storageAddress(buffer)
        var fed = headOfSecond
        var decodedSecond: Frame?
        while fed < second.bytes.count {
            let end = min(fed + 64 * 1024, second.bytes.count)
            buffer.writeBytes(second.bytes[fed..<end])
            fed = end
            #expect(Self.storageAddress(buffer) == settled, "the buffer moved after \(fed) bytes")
            if let frame = try decoder.nextFrame(from: &buffer) { decodedSecond = frame }
        }
        #expect(decodedFirst == first.frame)
        #expect(decodedSecond == second.frame)
        #expect(buffer.readableBytes == 0)
    }

    /// The checksum runs as bytes arrive, across the move: a byte flipped among the first ones
    /// received (before the move) fails the frame exactly as when the frame arrives whole.
    @Test func aByteFlippedBeforeTheMoveFailsTheChecksum() throws {
        let first = Self.pushFrame(requestID: 1, fill: 1)
        var second = Self.pushFrame(requestID: 2, fill: 2).bytes
        second[60] ^= 0x10
        var whole = ByteBuffer(bytes: second)
        var expected: WireError?
        do { _ = try FrameCodec.decode(&whole, frameBytesMax: 16 << 20) } catch { expected = error }
        guard case .crcMismatch = try #require(expected) else { Issue.record("expected a CRC mismatch, got \(String(describing: expected))"); return }

        var decoder = FrameDecoder(frameBytesMax: 16 << 20)
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeBytes(first.bytes)
        buffer.writeBytes(second[..<100])
        #expect(try decoder.nextFrame(from: &buffer) == first.frame)
        var fed = 100
        #expect(throws: expected!) {
            while fed < second.count {
                let end = min(fed + 64 * 1024, second.count)
                buffer.writeBytes(second[fed..<end])
                fed = end
                _ = try decoder.nextFrame(from: &buffer)
            }
        }
        #expect(fed == second.count, "the mismatch is known only once the whole frame is there")
    }

    @Test func roomThatAlreadyFitsIsLeftAlone() throws {
        let small = Frame(requestID: 7, shardID: 0, flags: 0, message: .pullDense(PullDense(name: "w", offset: 0, count: 4, minVersion: 0)))
        var bytes = ByteBufferAllocator().buffer(capacity: 0)
        FrameCodec.encode(small, into: &bytes)
        var decoder = FrameDecoder(frameBytesMax: 1 << 20)
        var buffer = ByteBufferAllocator().buffer(capacity: 4 << 20)
        buffer.writeBytes(bytes.readableBytesView.prefix(10))
        let before = Self.storageAddress(buffer)
        #expect(try decoder.nextFrame(from: &buffer) == nil)
        #expect(Self.storageAddress(buffer) == before)
        buffer.writeBytes(bytes.readableBytesView.dropFirst(10))
        #expect(try decoder.nextFrame(from: &buffer) == small)
        #expect(!decoder.shouldReclaimBytes(buffer: buffer))
    }
}
