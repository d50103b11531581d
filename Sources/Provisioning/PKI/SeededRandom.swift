/// A reproducible random source (SplitMix64) for tests and reproducible plans: the same
/// seed gives the same keys and tokens. Production uses `SystemRandomNumberGenerator`.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

extension RandomNumberGenerator {
    /// `count` random bytes.
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 8)
        while out.count < count {
            var word = next()
            for _ in 0..<8 {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return Array(out.prefix(count))
    }

    /// `count` characters from `alphabet`, without modulo bias.
    mutating func string(_ count: Int, from alphabet: [Character]) -> String {
        var text = ""
        let limit = UInt8(256 - 256 % alphabet.count)
        while text.count < count {
            for byte in bytes(count) where byte < limit && text.count < count {
                text.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return text
    }
}
