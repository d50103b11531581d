/// A clock reduced to what ControllerKit needs: "how long since start" and "sleep until".
///
/// Every type that waits (work queue, informer, controller, leader elector) takes a
/// `some Clock<Duration>` so tests can pass a manual clock and run backoff and delay logic
/// deterministically. Keeping the clock generic in every public type would leak a type
/// parameter into each of them; instead the clock is captured once here and time is measured
/// as a `Duration` from the moment the owner was created, which is all the arithmetic needs.
struct TimeSource: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleeper = { deadline in try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil) }
    }

    /// Time since this source was created.
    var now: Duration { elapsed() }

    /// Suspends until `now` reaches `deadline`; throws `CancellationError` when the task is
    /// cancelled first.
    func sleep(until deadline: Duration) async throws {
        try await sleeper(deadline)
    }

    func sleep(for duration: Duration) async throws {
        try await sleeper(now + duration)
    }
}

extension Duration {
    /// The duration in seconds as a floating point number, for rates, logs and timestamps.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
