/// How long `virtyard serve` may take to stop, in one place.
///
/// On SIGTERM the controllers stop first (releasing the Lease, so a successor need not wait
/// for it to expire), then the listeners. Whatever is still running when `graceful` has
/// passed is cancelled; whatever ignores that for `cancellation` more is abandoned; and if
/// the process is still alive `watchdog` after the signal, a plain thread ends it with a
/// non-zero status.
public struct ShutdownBudget: Sendable, Equatable {
    /// From the signal until every service still running is cancelled.
    public var graceful: Duration
    /// Within `graceful`: how long the controllers get before they are cancelled (the Lease
    /// then expires instead of being released).
    public var controllers: Duration
    /// How long cancelled services may take to return before the watchdog steps in.
    public var cancellation: Duration

    public init(
        graceful: Duration = .seconds(10), controllers: Duration = .seconds(5),
        cancellation: Duration = .seconds(3)
    ) {
        self.graceful = graceful
        self.controllers = min(controllers, graceful)
        self.cancellation = cancellation
    }

    /// The last resort: the process exits (non-zero) this long after shutdown began.
    public var watchdog: Duration { graceful + cancellation + .seconds(2) }
}
