import CLZ4

/// liblz4 refused a frame; `name` is its error name, such as `ERROR_contentChecksum_invalid`.
struct LZ4FrameError: Error, Equatable {
    var name: String

    init(code: Int) {
        name = String(cString: LZ4F_getErrorName(code))
    }

    init(name: String) {
        self.name = name
    }

    /// Returns `result` when it is not an liblz4 error code, throws otherwise.
    static func check(_ result: Int) throws(LZ4FrameError) -> Int {
        guard LZ4F_isError(result) == 0 else { throw LZ4FrameError(code: result) }
        return result
    }
}

/// Compresses content into one LZ4 frame that the `lz4` CLI can read: 4 MiB independent blocks, the
/// fast level, no content checksum (the manifest's CRC-32C of the content does that job). The
/// header carries no content size: the manifest records it and loading checks it, and leaving it
/// out keeps the file no larger than what `lz4 -1` writes for the same bytes.
///
/// Streams block by block through one reused output buffer (about 4 MiB), so compressing a
/// 1 GiB snapshot needs no 1 GiB output buffer and touches no fresh memory after the first use.
/// Not thread-safe: one compression at a time.
final class LZ4FrameCompressor {
    static let blockBytes = 4 << 20

    private let context: OpaquePointer
    private let output: UnsafeMutableRawBufferPointer

    init() throws(LZ4FrameError) {
        var context: OpaquePointer?
        _ = try LZ4FrameError.check(LZ4F_createCompressionContext(&context, UInt32(LZ4F_VERSION)))
        self.context = context!
        var preferences = Self.preferences
        output = .allocate(byteCount: LZ4F_compressBound(Self.blockBytes, &preferences), alignment: 16)
    }

    deinit {
        LZ4F_freeCompressionContext(context)
        output.deallocate()
    }

    private static var preferences: LZ4F_preferences_t {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max4MB
        // Independent blocks, as `lz4` writes them: on block-shuffled floats linked blocks made
        // files larger (77 KB in 559 MB), not smaller, and cost the dictionary upkeep.
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        // No xxHash32 content checksum: it took a third of the write time. The manifest keeps
        // a CRC-32C of the content instead (hardware-accelerated), checked after decompression.
        preferences.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum
        preferences.compressionLevel = 0
        preferences.autoFlush = 1
        return preferences
    }

    /// Compresses, as one frame, the content that `produce` hands to its argument piece by
    /// piece, so the content never has to exist in one piece. Pieces of `blockBytes` make full
    /// blocks. Returns the content's length.
    func compress(
        into sink: (UnsafeRawBufferPointer) throws -> Void, content produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> Int {
        var preferences = Self.preferences
        let headerBytes = try LZ4FrameError.check(LZ4F_compressBegin(context, output.baseAddress, output.count, &preferences))
        try sink(UnsafeRawBufferPointer(rebasing: output[0..<headerBytes]))
        var contentBytes = 0
        try withoutActuallyEscaping(sink) { sink in
            try produce { piece in
                var offset = 0
                while offset < piece.count {
                    let blockBytes = min(Self.blockBytes, piece.count - offset)
                    let written = try LZ4FrameError.check(LZ4F_compressUpdate(
                        context, output.baseAddress, output.count, piece.baseAddress! + offset, blockBytes, nil))
                    try sink(UnsafeRawBufferPointer(rebasing: output[0..<written]))
                    offset += blockBytes
                }
                contentBytes += piece.count
            }
        }
        let endBytes = try LZ4FrameError.check(LZ4F_compressEnd(context, output.baseAddress, output.count, nil))
        try sink(UnsafeRawBufferPointer(rebasing: output[0..<endBytes]))
        return contentBytes
    }
}
