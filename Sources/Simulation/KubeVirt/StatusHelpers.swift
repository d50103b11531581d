import ControllerKit
import Foundation
import KubeModel
import Synchronization

/// Condition lists as Kubernetes controllers keep them: one entry per type, and
/// `lastTransitionTime` moves only when the status does. The list logic is ControllerKit's
/// ``StatusConditions``; this keeps the shape KubeVirt and CDI write (`lastProbeTime: null`,
/// no empty reason or message).
enum Conditions {
    static func set(
        _ conditions: inout [JSONValue], type: String, status: Bool, reason: String = "", message: String = "",
        now: String = Timestamp.now(), probeTime: Bool = true
    ) {
        let condition = Condition(
            type: type, status: Condition.Status(status), reason: reason.isEmpty ? nil : reason,
            message: message.isEmpty ? nil : message,
            otherFields: probeTime ? ["lastProbeTime": .null] : [:])
        StatusConditions.set(&conditions, condition, now: now)
    }
}

// `phaseTransitionTimestamps` (VMIs, migrations) are kept by the views: see
// `PhaseTransitionRecording` in KubeModel. Finding a condition is ControllerKit's
// `StatusConditions.find`.

extension Duration {
    /// A duration from a number of seconds, none when negative.
    static func interval(_ seconds: TimeInterval) -> Duration { .milliseconds(Int64(max(0, seconds) * 1000)) }
}

/// Time left until `start + duration`, zero when past.
func timeLeft(since start: Date?, _ duration: Duration, now: Date = Date()) -> Duration {
    guard let start else { return duration }
    return .interval(start.addingTimeInterval(duration.timeInterval).timeIntervalSince(now))
}

/// When each timed step (a snapshot, a restore, a migration's copy) began, on this process's
/// clock. The objects' own timestamps have whole seconds, which would end a 1 s step anywhere
/// from 0 to 1 s early; they are the fallback after a restart.
final class StepClock: Sendable {
    private let starts = Mutex<[String: ContinuousClock.Instant]>([:])

    func begin(_ step: String) {
        let now = ContinuousClock.now
        starts.withLock { $0[step] = now }
    }

    /// Time left of `duration` for `step`, zero when done.
    func remaining(_ step: String, _ duration: Duration, recorded: Date?) -> Duration {
        guard let start = starts.withLock({ $0[step] }) else { return timeLeft(since: recorded, duration) }
        let left = duration - (ContinuousClock.now - start)
        return left > .zero ? left : .zero
    }

    func end(_ step: String) {
        _ = starts.withLock { $0.removeValue(forKey: step) }
    }
}
