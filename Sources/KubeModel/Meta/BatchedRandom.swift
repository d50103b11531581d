import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The kernel's random numbers, fetched 4 KiB at a time, for identifiers: object UIDs and
/// generated names.
///
/// `SystemRandomNumberGenerator` makes one `getrandom` call per 64-bit draw; a create draws
/// three (two for its UID, one for its name) and the calls showed in the create profile.
/// Secrets (tokens, passwords, keys) keep using `SystemRandomNumberGenerator`, so that their
/// bytes never wait in this process's memory before use.
public struct BatchedRandom: RandomNumberGenerator {
    private struct Pool {
        var words = [UInt64](repeating: 0, count: 512)
        var next = 512
    }

    private static let pool = Mutex(Pool())

    public init() {}

    public mutating func next() -> UInt64 {
        Self.pool.withLock { pool in
            if pool.next == pool.words.count {
                pool.words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
                pool.next = 0
            }
            defer { pool.next += 1 }
            return pool.words[pool.next]
        }
    }
}
