/// SplitMix64: a tiny deterministic generator, so every randomized test replays from its seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &self) }
    }

    mutating func floats(_ count: Int) -> [Float] {
        (0..<count).map { _ in Float.random(in: -10...10, using: &self) }
    }

    /// Short names with multi-byte UTF-8 now and then, of every length modulo 4.
    mutating func name() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz/_0123456789") + ["é", "ß", "🙂"]
        return String((0..<Int.random(in: 0...12, using: &self)).map { _ in alphabet.randomElement(using: &self)! })
    }
}
