/// An overall rate limit on retries: tokens refill at `rate` per second up to `burst`, each
/// retry takes one, and a retry that finds the bucket empty waits for its token.
///
/// Per-key backoff alone lets a mass failure (every object failing at once, say after an API
/// outage) retry thousands of keys together; the bucket bounds the total retry rate whatever
/// the number of keys. Defaults are client-go's: 10 per second, burst 100. The bucket is a pure
/// value driven by the time it is given, so it is tested without sleeping.
public struct TokenBucket: Sendable, Hashable {
    /// Tokens added per second.
    public var rate: Double
    /// Tokens the bucket holds when full.
    public var burst: Int

    private var tokens: Double
    private var lastRefill: Duration?

    /// A full bucket: `burst` requeues may go at once.
    public init(rate: Double = 10, burst: Int = 100) {
        self.rate = rate
        self.burst = burst
        self.tokens = Double(burst)
    }

    /// Takes a token at time `now` and tells how long to wait before using it: zero while the
    /// bucket has tokens. Tokens can go negative, so reservations queue up in order, each
    /// `1/rate` after the previous one, as `golang.org/x/time/rate` reservations do.
    ///
    /// `amount` takes that many tokens at once (a byte-rate limiter takes a chunk's size).
    public mutating func reserve(_ amount: Double = 1, at now: Duration) -> Duration {
        guard rate > 0 else { return .zero }
        if let lastRefill, now > lastRefill {
            tokens = min(Double(burst), tokens + (now - lastRefill).seconds * rate)
        }
        lastRefill = max(lastRefill ?? now, now)
        tokens -= amount
        guard tokens < 0 else { return .zero }
        // Whole nanoseconds, multiplied before dividing so that round rates give exact waits.
        return .nanoseconds(Int64((-tokens * 1e9 / rate).rounded()))
    }
}
