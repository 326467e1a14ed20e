import CZlib

/// Why a gzip stream could not be decompressed; `DatasetError` adds the file name.
enum GunzipFailure: Error, Equatable {
    /// The input does not start with the gzip magic bytes 1f 8b.
    case notGzip
    /// zlib rejected the stream (bad header, bad CRC, invalid deflate data); zlib's own message.
    case corrupt(String)
    /// The stream ended before its last member was complete.
    case truncated
    /// The decompressed data would exceed the caller's limit.
    case outputTooLarge(limitBytes: Int)
}

/// Decompresses gzip data (one or more concatenated members) with zlib.
enum Gunzip {
    private static let magic: (UInt8, UInt8) = (0x1F, 0x8B)
    /// Adding 16 to the window bits makes `inflate` expect and verify a gzip header and trailer.
    private static let gzipWindowBits = 16 + MAX_WBITS

    /// Inflates `input`, never growing the output beyond `maximumOutputBytes`.
    ///
    /// The gzip trailer's ISIZE field (the last member's length mod 2³²) sizes the first output
    /// allocation, but only after it is clamped to the limit: it is a claim, not a fact.
    static func decompress(_ input: UnsafeRawBufferPointer, maximumOutputBytes: Int) throws(GunzipFailure) -> [UInt8] {
        guard input.count >= 2, input[0] == magic.0, input[1] == magic.1 else { throw .notGzip }
        guard input.count <= Int(UInt32.max) else {
            throw .corrupt("\(input.count) compressed bytes exceed the 4 GiB one zlib call accepts")
        }

        var stream = z_stream()
        guard inflateInit2_(&stream, gzipWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }

        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = UInt32(input.count)

        // One spare byte beyond the limit tells "exactly at the limit" from "beyond it" without a
        // zero-room inflate call.
        let capacityMax = maximumOutputBytes + 1
        var output = [UInt8](repeating: 0, count: min(initialCapacity(for: input) + 1, capacityMax))
        var produced = 0
        while true {
            if produced == output.count {
                let grown = min(max(output.count * 2, 1 << 16), capacityMax)
                output.append(contentsOf: repeatElement(0, count: grown - output.count))
            }
            let status = output.withUnsafeMutableBufferPointer { buffer in
                let room = min(buffer.count - produced, Int(UInt32.max))
                stream.next_out = buffer.baseAddress! + produced
                stream.avail_out = UInt32(room)
                let status = inflate(&stream, Z_NO_FLUSH)
                produced += room - Int(stream.avail_out)
                return status
            }
            guard produced <= maximumOutputBytes else { throw .outputTooLarge(limitBytes: maximumOutputBytes) }
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                guard stream.avail_in > 0 else {
                    output.removeLast(output.count - produced)
                    return output
                }
                guard stream.avail_in >= 2, stream.next_in[0] == magic.0, stream.next_in[1] == magic.1 else {
                    throw .corrupt("\(stream.avail_in) bytes after the end of the gzip stream are not another gzip member")
                }
                guard inflateReset(&stream) == Z_OK else { throw .corrupt("inflateReset failed") }
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw .truncated
            default:
                throw .corrupt(stream.msg.map { String(cString: $0) } ?? "zlib status \(status)")
            }
        }
    }

    /// ISIZE of the last member, or a guess from the compressed size when it looks unusable.
    private static func initialCapacity(for input: UnsafeRawBufferPointer) -> Int {
        guard input.count >= 18 else { return 1 << 16 }
        let trailer = input.count - 4
        let isize = (0..<4).reduce(0) { $0 | Int(input[trailer + $1]) << (8 * $1) }
        return isize > 0 ? isize : input.count * 4
    }
}
