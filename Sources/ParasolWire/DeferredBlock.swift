import NIOCore

/// A large block of bytes an encoder left out of the buffer it wrote, because the bytes already
/// sit in a buffer of their own: the socket gathers both (one `writev`) instead of the encoder
/// copying a 4 MiB gradient or log entry into every frame that carries it.
struct DeferredBlock {
    /// Blocks smaller than this are copied: a few KiB cost less to copy than an extra iovec.
    static let bytesMin = 16 << 10

    /// Where in the encoded buffer (an absolute writer index) the block belongs.
    let offset: Int
    let bytes: ByteBuffer
}

extension ByteBuffer {
    /// The buffer's readable bytes with `blocks` (offsets ascending, within the readable bytes)
    /// put back where they belong, as the parts to send in order: slices, nothing copied.
    func splicing(_ blocks: [DeferredBlock]) -> [ByteBuffer] {
        var parts: [ByteBuffer] = []
        parts.reserveCapacity(2 * blocks.count + 1)
        var position = readerIndex
        for block in blocks {
            if block.offset > position { parts.append(getSlice(at: position, length: block.offset - position)!) }
            parts.append(block.bytes)
            position = block.offset
        }
        if writerIndex > position || parts.isEmpty { parts.append(getSlice(at: position, length: writerIndex - position)!) }
        return parts
    }
}
