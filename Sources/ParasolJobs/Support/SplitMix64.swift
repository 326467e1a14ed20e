import Foundation

/// A tiny seeded random number generator (Steele, Lea & Flood's SplitMix64).
///
/// Jobs need randomness that one seed reproduces bit for bit on every machine — data shuffles,
/// synthetic examples — which `SystemRandomNumberGenerator` cannot give. SplitMix64 is fast, has a
/// 64-bit state that any seed (including 0) may fill, and its output function doubles as a hash
/// for deriving independent seeds (`mixing`).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// A generator whose stream is independent of the streams of other `(seed, stream)` pairs:
    /// used to give each rank, epoch or example its own reproducible randomness.
    init(seed: UInt64, stream: UInt64) {
        state = SplitMix64.mixing(seed, stream)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.finalize(state)
    }

    /// A uniform float in [0, 1) with 24 random bits.
    mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A standard normal sample (Box–Muller; one of the pair is discarded to keep the state simple).
    mutating func nextStandardNormal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Hashes two words into one well-mixed word (order matters).
    static func mixing(_ first: UInt64, _ second: UInt64) -> UInt64 {
        finalize(finalize(first &+ 0x9E37_79B9_7F4A_7C15) ^ (second &* 0xD6E8_FEB8_6659_FD93))
    }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
