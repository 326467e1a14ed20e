import NIOCore
import ParasolWire
import Testing

@Suite struct CRC32CTests {
    static let implementations = CRC32C.Implementation.allCases.filter(\.isAvailable)

    /// Bit at a time, straight from the definition: the reference the fast paths must match.
    static func bitwiseCRC32C(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc >> 1) ^ (crc & 1 == 1 ? 0x82F6_3B78 : 0)
            }
        }
        return ~crc
    }

    static func crc(_ bytes: [UInt8], seed: UInt32 = 0, using implementation: CRC32C.Implementation) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum($0, seed: seed, using: implementation) }
    }

    @Test func thisMachineUsesTheHardwarePathWhenItHasOne() {
        print("CRC-32C implementations available: \(Self.implementations), selected: \(CRC32C.selectedImplementation)")
        #expect(Self.implementations.contains(CRC32C.selectedImplementation))
        #expect(CRC32C.selectedImplementation == (CRC32C.Implementation.sse42.isAvailable ? .sse42 : .portable))
    }

    /// The check value of the CRC catalogue and the iSCSI test vectors of RFC 3720, B.4.
    @Test(arguments: implementations)
    func knownVectors(_ implementation: CRC32C.Implementation) {
        #expect(Self.crc(Array("123456789".utf8), using: implementation) == 0xE306_9283)
        #expect(Self.crc([], using: implementation) == 0)
        #expect(Self.crc([UInt8](repeating: 0, count: 32), using: implementation) == 0x8A91_36AA)
        #expect(Self.crc([UInt8](repeating: 0xFF, count: 32), using: implementation) == 0x62A8_AB43)
        #expect(Self.crc((0..<32).map { UInt8($0) }, using: implementation) == 0x46DD_794E)
        #expect(Self.crc((0..<32).reversed().map { UInt8($0) }, using: implementation) == 0x113F_DB5C)
    }

    @Test func defaultEntryPointsAgreeWithTheKnownVector() {
        let digits = Array("123456789".utf8)
        #expect(CRC32C.checksum(digits) == 0xE306_9283)
        #expect(CRC32C.checksum(ByteBuffer(bytes: digits)) == 0xE306_9283)
        #expect(digits.withUnsafeBytes { CRC32C.checksum($0) } == 0xE306_9283)
    }

    /// Lengths around every boundary of both paths (8-byte words, 3 × 256 and 3 × 8192 byte
    /// interleaved blocks) at every start alignment, against the bitwise reference.
    @Test(arguments: implementations)
    func matchesTheBitwiseReferenceAcrossBlockBoundaries(_ implementation: CRC32C.Implementation) {
        let seed: UInt64 = 0x5EED_C4C0
        print("matchesTheBitwiseReferenceAcrossBlockBoundaries seed: \(seed)")
        var random = SeededRandom(seed: seed)
        let data = random.bytes(3 * 8192 * 2 + 3 * 256 + 64)
        let lengths = [0, 1, 7, 8, 9, 15, 16, 767, 768, 769, 1535, 1536, 1600, 24_575, 24_576, 24_577, 49_152, 49_920, data.count - 7]
        for start in 0..<8 {
            for length in lengths {
                let bytes = Array(data[start..<start + length])
                #expect(Self.crc(bytes, using: implementation) == Self.bitwiseCRC32C(bytes), "\(implementation): start \(start) length \(length)")
            }
        }
    }

    @Test func hardwareAndPortableAgreeOnRandomData() throws {
        try #require(CRC32C.Implementation.sse42.isAvailable, "no SSE4.2 on this CPU: only the portable path exists")
        let seed: UInt64 = 0x5EED_C4C1
        print("hardwareAndPortableAgreeOnRandomData seed: \(seed)")
        var random = SeededRandom(seed: seed)
        for round in 0..<200 {
            let bytes = random.bytes(Int.random(in: 0...100_000, using: &random))
            let seedValue = UInt32.random(in: .min ... .max, using: &random)
            #expect(
                Self.crc(bytes, seed: seedValue, using: .sse42) == Self.crc(bytes, seed: seedValue, using: .portable),
                "seed \(seed) round \(round): \(bytes.count) bytes")
        }
    }

    @Test(arguments: implementations)
    func checksumsContinueAcrossPieces(_ implementation: CRC32C.Implementation) {
        let seed: UInt64 = 0x5EED_C4C2
        print("checksumsContinueAcrossPieces seed: \(seed)")
        var random = SeededRandom(seed: seed)
        for round in 0..<100 {
            let bytes = random.bytes(Int.random(in: 0...30_000, using: &random))
            let split = Int.random(in: 0...bytes.count, using: &random)
            let first = Self.crc(Array(bytes[..<split]), using: implementation)
            #expect(
                Self.crc(Array(bytes[split...]), seed: first, using: implementation) == Self.crc(bytes, using: implementation),
                "seed \(seed) round \(round): split \(split) of \(bytes.count)")
        }
    }
}
