/// SplitMix64 (Steele, Lea, Flood): a 64-bit counter passed through a bijective mixer. Used to
/// expand one seed into a xoshiro state and to derive per-row seeds; not a generator on its own.
struct SplitMix64 {
    static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    private var counter: UInt64

    init(seed: UInt64) {
        counter = seed
    }

    mutating func next() -> UInt64 {
        counter &+= Self.increment
        return Self.mix(counter)
    }

    /// The SplitMix64 finalizer: a bijection on `UInt64`, so distinct inputs stay distinct.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
