/// A KubeVirt VirtualMachineInstanceMigration (`kubevirt.io/v1`): a request to move one
/// VMI's guest to another node. Schema:
/// `Sources/Simulation/CRDs/kubevirt.io_virtualmachineinstancemigrations.yaml`.
public struct VirtualMachineInstanceMigration: PhaseTransitionRecording {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    /// KubeVirt's migration phases.
    public enum Phase: String, Sendable, CaseIterable {
        case pending = "Pending"
        case scheduling = "Scheduling"
        case scheduled = "Scheduled"
        case preparingTarget = "PreparingTarget"
        case targetReady = "TargetReady"
        case running = "Running"
        case succeeded = "Succeeded"
        case failed = "Failed"

        public var isFinished: Bool { self == .succeeded || self == .failed }
    }

    public enum Field {
        public static let vmiName: FieldPath = "spec.vmiName"
        public static let conditions: FieldPath = "status.conditions"
        public static let migrationState: FieldPath = "status.migrationState"
    }

    public static let fieldPaths: [FieldPath] =
        [Field.vmiName, Field.conditions, Field.migrationState]
        + Condition.fields.filter { $0 != "observedGeneration" }.map { Field.conditions.appending("[]").appending(FieldPath([$0])) }
        + VirtualMachineInstance.MigrationState.fields.map { Field.migrationState.appending(FieldPath([$0])) }
        + PhaseTransitionFields.fieldPaths

    /// The VMI to migrate, in the migration's namespace.
    public var vmiName: String? {
        get { object[field: Field.vmiName]?.stringValue }
        set { object[field: Field.vmiName] = newValue.map(JSONValue.string) }
    }

    public var conditions: [JSONValue] {
        get { object[field: Field.conditions]?.arrayValue ?? [] }
        set { object[field: Field.conditions] = .array(newValue) }
    }

    /// The VMI's migration state, as copied here when the migration ends.
    public var migrationState: VirtualMachineInstance.MigrationState? {
        get { object[field: Field.migrationState].map(VirtualMachineInstance.MigrationState.init) }
        set { object[field: Field.migrationState] = newValue?.json }
    }
}
