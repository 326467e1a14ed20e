import CLZ4
import NIOCore

/// Decompresses one LZ4 frame read piece by piece, verifying the frame's content checksum when
/// it has one (snapshots written before the manifest kept a CRC-32C of the content).
///
/// The output starts at the frame's declared content size, or at `expectedBytes`, or small, and
/// doubles as needed: frames written by the `lz4` CLI declare no content size. It never grows
/// past `bytesMax`, so a damaged or hostile frame cannot make it allocate without bound.
/// Not thread-safe: one decompression at a time.
final class LZ4FrameDecompressor {
    enum Failure: Error, Equatable {
        case lz4(LZ4FrameError)
        /// Reading the input failed.
        case read(FileSystemError)
        /// The input ended before the frame did.
        case truncated
        /// Input continues after the end of the frame.
        case trailingBytes
        /// The content is larger than `bytesMax` (`bytes` is what it reached or declared).
        case tooLarge(bytes: Int)
    }

    /// The first output size when neither the frame nor the caller knows the content size.
    static let initialGuessBytes = 1 << 20

    private let context: OpaquePointer

    init() throws(LZ4FrameError) {
        var context: OpaquePointer?
        _ = try LZ4FrameError.check(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION)))
        self.context = context!
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
    }

    /// Decompresses the frame that `read` yields. `read` fills as much of the given buffer as it
    /// can and returns how many bytes it wrote, 0 at the end of the input; `input` is the
    /// reused buffer it is handed.
    func decompress(
        input: UnsafeMutableRawBufferPointer,
        expectedBytes: Int?,
        bytesMax: Int,
        read: (UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int
    ) throws(Failure) -> ByteBuffer {
        LZ4F_resetDecompressionContext(context)
        var output = ByteBuffer()
        var inputStart = 0
        var inputEnd = 0
        var inputExhausted = false
        var headerRead = false
        while true {
            if inputStart == inputEnd && !inputExhausted {
                inputStart = 0
                inputEnd = try readChecked(read, into: input)
                inputExhausted = inputEnd == 0
            }
            let source = input.baseAddress! + inputStart
            var sourceBytes = inputEnd - inputStart
            if !headerRead {
                guard sourceBytes > 0 else { throw Failure.truncated }
                var frameInfo = LZ4F_frameInfo_t()
                let hint = LZ4F_getFrameInfo(context, &frameInfo, source, &sourceBytes)
                guard LZ4F_isError(hint) == 0 else { throw Failure.lz4(LZ4FrameError(code: hint)) }
                inputStart += sourceBytes
                headerRead = true
                let declaredBytes = frameInfo.contentSize > 0 ? Int(clamping: frameInfo.contentSize) : nil
                if let declaredBytes, declaredBytes > bytesMax { throw Failure.tooLarge(bytes: declaredBytes) }
                output.reserveCapacity(min(declaredBytes ?? expectedBytes ?? Self.initialGuessBytes, bytesMax))
                continue
            }
            var hint = 0
            let producedBytes = output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { target in
                var targetBytes = target.count
                hint = LZ4F_decompress(context, target.baseAddress, &targetBytes, source, &sourceBytes, nil)
                return LZ4F_isError(hint) == 0 ? targetBytes : 0
            }
            guard LZ4F_isError(hint) == 0 else { throw Failure.lz4(LZ4FrameError(code: hint)) }
            inputStart += sourceBytes
            if output.writerIndex > bytesMax { throw Failure.tooLarge(bytes: output.writerIndex) }
            if hint == 0 {
                // The frame ended (and liblz4 verified its content checksum, if it has one).
                let trailingBytes = inputEnd - inputStart + (inputExhausted ? 0 : try readChecked(read, into: input))
                guard trailingBytes == 0 else { throw Failure.trailingBytes }
                return output
            }
            guard producedBytes == 0 && sourceBytes == 0 else { continue }
            // No progress: liblz4 needs room for bytes it has decoded, or input that is not there.
            if output.writableBytes == 0 {
                guard output.writerIndex < bytesMax else { throw Failure.tooLarge(bytes: output.writerIndex + 1) }
                output.reserveCapacity(min(max(output.capacity * 2, Self.initialGuessBytes), bytesMax + 1))
            } else if inputExhausted {
                throw Failure.truncated
            } else {
                throw Failure.lz4(LZ4FrameError(name: "no progress with input and output room available"))
            }
        }
    }

    private func readChecked(
        _ read: (UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int, into input: UnsafeMutableRawBufferPointer
    ) throws(Failure) -> Int {
        do {
            return try read(input)
        } catch {
            throw .read(error)
        }
    }
}
