import NIOCore

/// A shard's state as of one applied index, captured cheaply on the event loop and turned into
/// the bytes of `Protocols/snapshot.md` later, on another thread, a chunk at a time.
///
/// Holds small fields as bytes and the float arrays by reference (see `SnapshotWriter`), so it
/// costs almost no memory of its own; streaming it never materializes the whole layout.
public struct SnapshotImage: Sendable {
    enum Segment: Sendable {
        case bytes(ByteBuffer)
        case floats([Float], rowOrder: [Int]?, rowElements: Int)
    }

    let segments: [Segment]
    let shufflesFloats: Bool

    /// The length of the layout in bytes.
    public var byteCount: Int {
        segments.reduce(0) { total, segment in
            switch segment {
            case .bytes(let bytes): total + bytes.readableBytes
            case .floats(let array, let rowOrder, let rowElements): total + 4 * (rowOrder.map { $0.count * rowElements } ?? array.count)
            }
        }
    }

    /// Hands the layout to `sink` in order, in pieces of exactly `chunkBytes` except the last
    /// (so an LZ4 frame fed with them gets full blocks). A piece is valid only during the call.
    public func stream(chunkBytes: Int, into sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 64)
        defer { scratch.deallocate() }
        // One block's byte-3 plane, plain and as bit planes (see `SnapshotFormat.signExponentBitPlanesFlag`).
        let plainPlane = UnsafeMutableRawPointer.allocate(byteCount: shufflesFloats ? SnapshotFormat.shuffleBlockFloats : 0, alignment: 64)
        let bitPlanes = UnsafeMutableRawPointer.allocate(byteCount: shufflesFloats ? SnapshotFormat.shuffleBlockFloats : 0, alignment: 64)
        defer {
            plainPlane.deallocate()
            bitPlanes.deallocate()
        }
        var filled = 0

        func flushIfFull() throws {
            guard filled == chunkBytes else { return }
            try sink(UnsafeRawBufferPointer(scratch))
            filled = 0
        }
        func append(_ piece: UnsafeRawBufferPointer) throws {
            var consumed = 0
            while consumed < piece.count {
                let take = min(piece.count - consumed, chunkBytes - filled)
                (scratch.baseAddress! + filled).copyMemory(from: piece.baseAddress! + consumed, byteCount: take)
                filled += take
                consumed += take
                try flushIfFull()
            }
        }
        /// Appends `count` floats' worth of output produced by `produce(destination, firstFloat, count)`.
        func appendFloats(count: Int, bytesPerFloat: Int, _ produce: (UnsafeMutableRawPointer, Int, Int) -> Void) throws {
            var done = 0
            while done < count {
                let take = min(count - done, (chunkBytes - filled) / bytesPerFloat)
                if take == 0 {
                    // Less room than one float's output is left: produce into a tiny bounce buffer.
                    var bounce = (UInt32(0))
                    try withUnsafeMutableBytes(of: &bounce) { tiny in
                        produce(tiny.baseAddress!, done, 1)
                        try append(UnsafeRawBufferPointer(rebasing: tiny[0..<bytesPerFloat]))
                    }
                    done += 1
                    continue
                }
                produce(scratch.baseAddress! + filled, done, take)
                filled += take * bytesPerFloat
                done += take
                try flushIfFull()
            }
        }

        for segment in segments {
            switch segment {
            case .bytes(let bytes):
                try bytes.withUnsafeReadableBytes { try append($0) }
            case .floats(let array, let rowOrder, let rowElements):
                try array.withUnsafeBytes { source in
                    let floats = source.baseAddress!
                    // Output float k is source float `sourceIndex(k)`: rows in `rowOrder`, or the array as is.
                    let total = rowOrder.map { $0.count * rowElements } ?? array.count
                    func forEachRun(from first: Int, count: Int, _ body: (_ sourceFloat: Int, _ outputOffset: Int, _ count: Int) -> Void) {
                        guard let rowOrder else { return body(first, 0, count) }
                        var k = first
                        while k < first + count {
                            let rank = k / rowElements, within = k % rowElements
                            let run = min(rowElements - within, first + count - k)
                            body(rowOrder[rank] * rowElements + within, k - first, run)
                            k += run
                        }
                    }
                    if shufflesFloats {
                        // Block by block, all four planes of a block while it is in cache.
                        let blockFloats = SnapshotFormat.shuffleBlockFloats
                        for blockStart in stride(from: 0, to: total, by: blockFloats) {
                            let blockCount = min(blockFloats, total - blockStart)
                            for plane in 0..<3 {
                                try appendFloats(count: blockCount, bytesPerFloat: 1) { destination, first, count in
                                    forEachRun(from: blockStart + first, count: count) { sourceFloat, outputOffset, run in
                                        ByteShuffle.extractPlane(
                                            plane, of: floats + sourceFloat * 4, count: run, into: destination + outputOffset)
                                    }
                                }
                            }
                            // Byte 3 as bit planes: they span the whole plane, so it is built apart.
                            forEachRun(from: blockStart, count: blockCount) { sourceFloat, outputOffset, run in
                                ByteShuffle.extractPlane(3, of: floats + sourceFloat * 4, count: run, into: plainPlane + outputOffset)
                            }
                            BitTranspose.transpose(plainPlane, count: blockCount, into: bitPlanes)
                            try append(UnsafeRawBufferPointer(start: bitPlanes, count: blockCount))
                        }
                    } else {
                        try appendFloats(count: total, bytesPerFloat: 4) { destination, first, count in
                            forEachRun(from: first, count: count) { sourceFloat, outputOffset, run in
                                (destination + outputOffset * 4).copyMemory(from: floats + sourceFloat * 4, byteCount: run * 4)
                            }
                        }
                    }
                }
            }
        }
        if filled > 0 { try sink(UnsafeRawBufferPointer(rebasing: scratch[0..<filled])) }
    }
}
