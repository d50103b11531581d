import ControllerKit
import Foundation
import KubeModel
import Synchronization

/// Condition lists as Kubernetes controllers keep them: one entry per type, and
/// `lastTransitionTime` moves only when the status does. The list logic is ControllerKit's
/// ``StatusConditions``; this keeps the shape KubeVirt and CDI write (`lastProbeTime: null`,
/// no empty reason or message) and the calls the simulated controllers make.
enum Conditions {
    static func set(_ conditions: inout [JSONValue], type: String, status: Bool, reason: String = "", message: String = "",
                    now: String = Timestamp.now(), probeTime: Bool = true) {
        let condition = Condition(type: type, status: Condition.Status(status), reason: reason.isEmpty ? nil : reason,
                                  message: message.isEmpty ? nil : message,
                                  otherFields: probeTime ? ["lastProbeTime": .null] : [:])
        StatusConditions.set(&conditions, condition, now: now)
    }

    static func find(_ conditions: JSONValue?, _ type: String) -> JSONValue? {
        StatusConditions.entry(conditions?.arrayValue ?? [], type)
    }

    static func isTrue(_ conditions: JSONValue?, _ type: String) -> Bool {
        StatusConditions.isTrue(conditions?.arrayValue ?? [], type)
    }
}

/// `phaseTransitionTimestamps` of VMIs and migrations: when each phase began.
enum PhaseTransitions {
    static func record(_ status: inout JSONValue, phase: String, now: String = Timestamp.now()) {
        guard status["phase"]?.stringValue != phase else { return }
        status["phase"] = .string(phase)
        var transitions = status["phaseTransitionTimestamps"]?.arrayValue ?? []
        transitions.append(["phase": .string(phase), "phaseTransitionTimestamp": .string(now)])
        status["phaseTransitionTimestamps"] = .array(transitions)
    }

    /// When the object entered `phase` (its last entry), if it did.
    static func entered(_ status: JSONValue?, phase: String) -> Date? {
        status?["phaseTransitionTimestamps"]?.arrayValue?.last { $0["phase"]?.stringValue == phase }?["phaseTransitionTimestamp"]?
            .stringValue.flatMap(Timestamp.date)
    }
}

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
