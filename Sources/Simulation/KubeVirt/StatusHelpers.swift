import Foundation
import KubeModel
import Synchronization

/// Condition lists as Kubernetes controllers keep them: one entry per type, and
/// `lastTransitionTime` moves only when the status does.
enum Conditions {
    static func set(_ conditions: inout [JSONValue], type: String, status: Bool, reason: String = "", message: String = "",
                    now: String = Timestamp.now(), probeTime: Bool = true) {
        let statusText = status ? "True" : "False"
        var condition: JSONValue = ["type": .string(type), "status": .string(statusText)]
        if probeTime { condition["lastProbeTime"] = .null }
        if !reason.isEmpty { condition["reason"] = .string(reason) }
        if !message.isEmpty { condition["message"] = .string(message) }
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            let previous = conditions[index]
            condition["lastTransitionTime"] = previous["status"]?.stringValue == statusText
                ? previous["lastTransitionTime"] ?? .string(now) : .string(now)
            conditions[index] = condition
        } else {
            condition["lastTransitionTime"] = .string(now)
            conditions.append(condition)
        }
    }

    static func find(_ conditions: JSONValue?, _ type: String) -> JSONValue? {
        conditions?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    static func isTrue(_ conditions: JSONValue?, _ type: String) -> Bool {
        find(conditions, type)?["status"]?.stringValue == "True"
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
