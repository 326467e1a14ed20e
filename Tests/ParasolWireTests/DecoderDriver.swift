import NIOCore
import ParasolWire

/// Feeds bytes to a `FrameDecoder` the way `ByteToMessageHandler` does (append to a cumulation
/// buffer, decode until it needs more data, reclaim consumed bytes when the decoder asks), in chunks of chosen sizes.
/// Stands in for NIO's `ByteToMessageDecoderVerifier`, which lives in NIOTestUtils.
enum DecoderDriver {
    enum Outcome: Equatable {
        /// Every byte was fed without an error; `bufferedBytes` were left waiting for more.
        case decoded([Frame], bufferedBytes: Int)
        /// The decoder threw once `fedBytes` bytes had been fed, after delivering `frames`.
        case failed(WireError, fedBytes: Int, frames: [Frame])
    }

    static func oneByteAtATime(_ bytes: [UInt8], frameBytesMax: Int = 1 << 20) -> Outcome {
        feed(bytes, chunkSizes: Array(repeating: 1, count: bytes.count), frameBytesMax: frameBytesMax)
    }

    static func allAtOnce(_ bytes: [UInt8], frameBytesMax: Int = 1 << 20) -> Outcome {
        feed(bytes, chunkSizes: [bytes.count], frameBytesMax: frameBytesMax)
    }

    static func randomChunks(_ bytes: [UInt8], using random: inout SeededRandom, frameBytesMax: Int = 1 << 20) -> Outcome {
        var sizes: [Int] = []
        var remaining = bytes.count
        while remaining > 0 {
            let size = min(remaining, Int.random(in: 1...64, using: &random))
            sizes.append(size)
            remaining -= size
        }
        return feed(bytes, chunkSizes: sizes, frameBytesMax: frameBytesMax)
    }

    static func feed(_ bytes: [UInt8], chunkSizes: [Int], frameBytesMax: Int) -> Outcome {
        precondition(chunkSizes.reduce(0, +) == bytes.count, "chunk sizes must cover the input exactly")
        var decoder = FrameDecoder(frameBytesMax: frameBytesMax)
        var cumulation = ByteBufferAllocator().buffer(capacity: 0)
        var frames: [Frame] = []
        var fed = 0
        for size in chunkSizes {
            cumulation.writeBytes(bytes[fed..<fed + size])
            fed += size
            do {
                while let frame = try decoder.nextFrame(from: &cumulation) {
                    frames.append(frame)
                }
            } catch {
                return .failed(error, fedBytes: fed, frames: frames)
            }
            if decoder.shouldReclaimBytes(buffer: cumulation) { cumulation.discardReadBytes() }
        }
        return .decoded(frames, bufferedBytes: cumulation.readableBytes)
    }
}
