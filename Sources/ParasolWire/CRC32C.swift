import CCRC32C
import NIOCore

/// CRC-32C (Castagnoli), the checksum of Parasol's frames, write-ahead log records and snapshots.
///
/// Castagnoli rather than the zlib CRC-32 because x86-64 computes it in hardware (SSE4.2), so
/// checking every byte of a 256 MiB frame costs a fraction of receiving it. The implementation
/// (hardware or portable tables) is chosen once per process; both give identical results.
///
/// Checksums continue: `checksum(b, seed: checksum(a))` equals the checksum of `a` followed by
/// `b`, so data that arrives or is written in pieces never needs to be gathered first.
public enum CRC32C {
    /// The two implementations, exposed so that tests and benchmarks can compare them.
    public enum Implementation: Sendable, Equatable, CaseIterable, CustomStringConvertible {
        /// The SSE4.2 `crc32` instruction on three interleaved streams (x86-64 only).
        case sse42
        /// Slicing-by-8 tables; runs anywhere.
        case portable

        /// True when this CPU can run the implementation.
        public var isAvailable: Bool {
            switch self {
            case .sse42: parasol_crc32c_sse42_available() == 1
            case .portable: true
            }
        }

        public var description: String {
            switch self {
            case .sse42: "SSE4.2"
            case .portable: "portable slicing-by-8"
            }
        }
    }

    /// The implementation `checksum(_:seed:)` uses on this machine.
    public static var selectedImplementation: Implementation {
        Implementation.sse42.isAvailable ? .sse42 : .portable
    }

    /// The checksum of `bytes`, continuing from `seed` (the checksum of whatever came before;
    /// 0 for none).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        parasol_crc32c(seed, bytes.baseAddress, bytes.count)
    }

    /// The checksum of `bytes` computed by a specific implementation, which must be available.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0, using implementation: Implementation) -> UInt32 {
        precondition(implementation.isAvailable, "CRC-32C implementation \(implementation) is not available on this CPU")
        switch implementation {
        case .sse42: return parasol_crc32c_sse42(seed, bytes.baseAddress, bytes.count)
        case .portable: return parasol_crc32c_portable(seed, bytes.baseAddress, bytes.count)
        }
    }

    /// The checksum of a buffer's readable bytes (the reader index does not move).
    public static func checksum(_ buffer: ByteBuffer, seed: UInt32 = 0) -> UInt32 {
        buffer.withUnsafeReadableBytes { checksum($0, seed: seed) }
    }

    /// The checksum of a byte array.
    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }
}
