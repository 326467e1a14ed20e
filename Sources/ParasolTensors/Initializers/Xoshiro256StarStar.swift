/// xoshiro256** (Blackman & Vigna) seeded through SplitMix64: fast, small, and fixed entirely by
/// its seed, so every replica draws the same initial weights. Not cryptographic.
struct Xoshiro256StarStar {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// The generator for row `rowID` of a tensor initialized with `seed` (a dense tensor is row 0).
    /// Each row gets its own stream, so a sparse row's values do not depend on which rows were
    /// touched before it. Distinct rows of one seed always get distinct generator seeds because
    /// every step of the derivation is a bijection in `rowID`.
    init(seed: UInt64, rowID: UInt64) {
        self.init(seed: SplitMix64.mix(seed ^ SplitMix64.mix(rowID &+ SplitMix64.increment)))
    }

    mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let shifted = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits: every value is exactly representable as a Float.
    mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in (0, 1] with 53 random bits; never 0, so its logarithm is finite.
    mutating func nextOpenUnitDouble() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    private func rotateLeft(_ value: UInt64, by bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }
}
