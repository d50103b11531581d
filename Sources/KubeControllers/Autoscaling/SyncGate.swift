import KubeModel
import Synchronization

/// At most one pass per key per period, as the HPA controller's work queue allows (its rate
/// limiter is a fixed interval of `--horizontal-pod-autoscaler-sync-period`): its own status
/// writes and the target's scaling bring the key back at once, and without the gate a
/// scale-up would be re-evaluated before the new pods could start.
final class SyncGate: Sendable {
    private let last = Mutex<[ObjectKey: ContinuousClock.Instant]>([:])
    let period: Duration

    init(period: Duration) {
        self.period = period
    }

    /// Nil when a pass may run now (and records it); otherwise how long until it may.
    func wait(for key: ObjectKey, now: ContinuousClock.Instant = .now) -> Duration? {
        last.withLock { last in
            if let previous = last[key], now - previous < period { return period - (now - previous) }
            last[key] = now
            return nil
        }
    }

    func forget(_ key: ObjectKey) {
        _ = last.withLock { $0.removeValue(forKey: key) }
    }
}
