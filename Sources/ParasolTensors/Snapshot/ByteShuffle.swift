/// Blosc-style byte shuffle of float32 arrays: byte 0 (the least significant byte of the
/// little-endian encoding) of every float, then byte 1 of every float, and so on.
///
/// Why: neighbouring weights share sign and exponent bytes, so after shuffling those planes are
/// long runs of few distinct bytes that LZ4 compresses, while the noisy low mantissa bytes stay
/// out of their way. Loops handle 16 floats per step with SIMD and finish with a scalar tail.
///
/// The planes of an array (or of one block of it: `SnapshotFormat.shuffleBlockFloats`) of `n`
/// floats are four runs of `n` bytes; `position` lets it be assembled from several runs of
/// floats (sparse rows gathered in row-id order).
enum ByteShuffle {
    private typealias Words = SIMD16<UInt32>
    private typealias Bytes = SIMD16<UInt8>

    /// Writes byte `j` of float `i` of `source` to `planes + j·planeBytes + position + i`: all four
    /// planes in one pass. Snapshots are streamed a plane at a time (`extractPlane`); this whole-array
    /// form is the independent reference the layout tests check the streamed bytes against.
    static func shuffle(
        _ source: UnsafeRawPointer, count: Int, into planes: UnsafeMutableRawPointer, planeBytes: Int, position: Int
    ) {
        let plane0 = planes + position
        let plane1 = plane0 + planeBytes
        let plane2 = plane1 + planeBytes
        let plane3 = plane2 + planeBytes
        var index = 0
        while index &+ Words.scalarCount <= count {
            let words = source.loadUnaligned(fromByteOffset: index &* 4, as: Words.self)
            plane0.storeBytes(of: Bytes(truncatingIfNeeded: words), toByteOffset: index, as: Bytes.self)
            plane1.storeBytes(of: Bytes(truncatingIfNeeded: words &>> 8), toByteOffset: index, as: Bytes.self)
            plane2.storeBytes(of: Bytes(truncatingIfNeeded: words &>> 16), toByteOffset: index, as: Bytes.self)
            plane3.storeBytes(of: Bytes(truncatingIfNeeded: words &>> 24), toByteOffset: index, as: Bytes.self)
            index &+= Words.scalarCount
        }
        while index < count {
            let word = source.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self)
            plane0.storeBytes(of: UInt8(truncatingIfNeeded: word), toByteOffset: index, as: UInt8.self)
            plane1.storeBytes(of: UInt8(truncatingIfNeeded: word &>> 8), toByteOffset: index, as: UInt8.self)
            plane2.storeBytes(of: UInt8(truncatingIfNeeded: word &>> 16), toByteOffset: index, as: UInt8.self)
            plane3.storeBytes(of: UInt8(truncatingIfNeeded: word &>> 24), toByteOffset: index, as: UInt8.self)
            index &+= 1
        }
    }

    /// Writes byte `plane` (0 = least significant) of each of `count` floats at `source` to
    /// `destination`: one plane of `shuffle`'s output, for producing the planes one after another.
    static func extractPlane(_ plane: Int, of source: UnsafeRawPointer, count: Int, into destination: UnsafeMutableRawPointer) {
        let shift = UInt32(plane * 8)
        var index = 0
        while index &+ Words.scalarCount <= count {
            let words = source.loadUnaligned(fromByteOffset: index &* 4, as: Words.self)
            destination.storeBytes(of: Bytes(truncatingIfNeeded: words &>> Words(repeating: shift)), toByteOffset: index, as: Bytes.self)
            index &+= Words.scalarCount
        }
        while index < count {
            let word = source.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self)
            destination.storeBytes(of: UInt8(truncatingIfNeeded: word &>> shift), toByteOffset: index, as: UInt8.self)
            index &+= 1
        }
    }

    /// The inverse of `shuffle`: reassembles `count` floats from the planes into `destination`.
    /// `plane3`, when given, holds byte 3 of every float instead of the fourth plane (that plane
    /// was stored as bit planes and has been transposed back there).
    static func unshuffle(
        _ planes: UnsafeRawPointer, planeBytes: Int, position: Int, count: Int, into destination: UnsafeMutableRawPointer,
        plane3: UnsafeRawPointer? = nil
    ) {
        let plane0 = planes + position
        let plane1 = plane0 + planeBytes
        let plane2 = plane1 + planeBytes
        let plane3 = plane3.map { $0 + position } ?? plane2 + planeBytes
        var index = 0
        while index &+ Words.scalarCount <= count {
            let byte0 = Words(truncatingIfNeeded: plane0.loadUnaligned(fromByteOffset: index, as: Bytes.self))
            let byte1 = Words(truncatingIfNeeded: plane1.loadUnaligned(fromByteOffset: index, as: Bytes.self))
            let byte2 = Words(truncatingIfNeeded: plane2.loadUnaligned(fromByteOffset: index, as: Bytes.self))
            let byte3 = Words(truncatingIfNeeded: plane3.loadUnaligned(fromByteOffset: index, as: Bytes.self))
            let words = byte0 | (byte1 &<< 8) | (byte2 &<< 16) | (byte3 &<< 24)
            destination.storeBytes(of: words, toByteOffset: index &* 4, as: Words.self)
            index &+= Words.scalarCount
        }
        while index < count {
            let word = UInt32(plane0.load(fromByteOffset: index, as: UInt8.self))
                | UInt32(plane1.load(fromByteOffset: index, as: UInt8.self)) &<< 8
                | UInt32(plane2.load(fromByteOffset: index, as: UInt8.self)) &<< 16
                | UInt32(plane3.load(fromByteOffset: index, as: UInt8.self)) &<< 24
            destination.storeBytes(of: word, toByteOffset: index &* 4, as: UInt32.self)
            index &+= 1
        }
    }
}
