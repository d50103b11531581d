/// Growing pauses between retries of one failing operation (a list, a watch): `initial`, then
/// doubling up to `maximum`, back to `initial` after a success.
///
/// Without it a watch against a server that closes connections at once, or a list against an
/// API server that is down, turns into a tight loop that hammers the server just when it is
/// least able to cope. client-go's reflector uses 800 ms doubling to 30 s with full jitter;
/// those are the defaults here. Jitter spreads the retries of many replicas apart; tests set
/// it to zero to get exact pauses.
public struct Backoff: Sendable, Hashable {
    /// The first pause.
    public var initial: Duration
    /// The longest pause.
    public var maximum: Duration
    /// How much each pause grows over the previous one.
    public var factor: Double
    /// Each pause is lengthened by a random fraction of itself in `0 ... jitter`.
    public var jitter: Double

    private var current: Duration?

    /// Defaults to client-go's reflector backoff: 800 ms doubling to 30 s, full jitter.
    public init(
        initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), factor: Double = 2,
        jitter: Double = 1
    ) {
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter
    }

    /// The pause before the next retry; each call grows the following one.
    public mutating func next() -> Duration {
        let base = current ?? initial
        current = min(maximum, base * factor)
        guard jitter > 0 else { return base }
        return base + base * Double.random(in: 0...jitter)
    }

    /// Starts over from `initial`, after the operation succeeded.
    public mutating func reset() {
        current = nil
    }
}
