/// Per-key exponential backoff for keys that keep failing: `base · 2^failures`, capped.
///
/// A reconcile that fails is retried quickly at first (a conflict usually clears at once) and
/// ever more slowly while it keeps failing, so one broken object cannot monopolise the workers
/// or flood the API server. The defaults, 5 ms doubling to 1000 s, are client-go's
/// `DefaultControllerRateLimiter`.
public struct FailureBackoff: Sendable, Hashable {
    /// The delay after the first failure.
    public var base: Duration
    /// The longest delay, however often the key has failed.
    public var cap: Duration

    /// Defaults to client-go's 5 ms doubling to 1000 s.
    public init(base: Duration = .milliseconds(5), cap: Duration = .seconds(1000)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before retrying a key that has already been requeued `failures` times.
    public func delay(afterFailures failures: Int) -> Duration {
        // 2^failures as a Double: exact for every useful count, infinity (so: the cap) far beyond.
        let scale = Double(sign: .plus, exponent: max(0, failures), significand: 1)
        guard base.seconds * scale < cap.seconds else { return cap }
        return base * scale
    }
}
