import Foundation

/// KubeVirt's `status.phaseTransitionTimestamps` (VirtualMachineInstance and
/// VirtualMachineInstanceMigration): when each phase began, appended on every change of
/// `status.phase`.
public protocol PhaseTransitionRecording: KubeObjectView {
    associatedtype Phase: RawRepresentable<String>
}

public enum PhaseTransitionFields {
    public static let phase: FieldPath = "status.phase"
    public static let transitions: FieldPath = "status.phaseTransitionTimestamps"
    /// Every path the recording reads or writes.
    public static let fieldPaths: [FieldPath] = [
        phase, transitions, transitions.appending("[].phase"), transitions.appending("[].phaseTransitionTimestamp"),
    ]
}

extension PhaseTransitionRecording {
    /// `status.phase`; nil before the first write.
    public var phase: Phase? {
        object[field: PhaseTransitionFields.phase]?.stringValue.flatMap(Phase.init(rawValue:))
    }

    /// `status.phase` as written, for texts ``Phase`` does not name.
    public var phaseText: String? { object[field: PhaseTransitionFields.phase]?.stringValue }

    /// Sets `status.phase` and appends a transition at `now`, unless the phase is `phase`
    /// already.
    public mutating func record(phase: Phase, now: String = Timestamp.now()) {
        guard object[field: PhaseTransitionFields.phase]?.stringValue != phase.rawValue else { return }
        object[field: PhaseTransitionFields.phase] = .string(phase.rawValue)
        var transitions = object[field: PhaseTransitionFields.transitions]?.arrayValue ?? []
        transitions.append(["phase": .string(phase.rawValue), "phaseTransitionTimestamp": .string(now)])
        object[field: PhaseTransitionFields.transitions] = .array(transitions)
    }

    /// When the object last entered `phase`, if it did.
    public func entered(_ phase: Phase) -> Date? {
        object[field: PhaseTransitionFields.transitions]?.arrayValue?
            .last { $0["phase"]?.stringValue == phase.rawValue }?["phaseTransitionTimestamp"]?
            .stringValue.flatMap(Timestamp.date)
    }
}
