/// A KubeVirt VirtualMachineRestore (`snapshot.kubevirt.io/v1beta1`): puts a VM back to a
/// snapshot. Schema: `Sources/Simulation/CRDs/snapshot.kubevirt.io_virtualmachinerestores.yaml`.
public struct VirtualMachineRestore: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    /// `spec.targetReadinessPolicy`: what to do while the target still runs.
    public enum TargetReadinessPolicy: String, Sendable, CaseIterable {
        case waitGracePeriod = "WaitGracePeriod"
        case waitEventually = "WaitEventually"
        case stopTarget = "StopTarget"
        case failImmediate = "FailImmediate"
    }

    public enum Field {
        public static let targetName: FieldPath = "spec.target.name"
        public static let snapshotName: FieldPath = "spec.virtualMachineSnapshotName"
        public static let targetReadinessPolicy: FieldPath = "spec.targetReadinessPolicy"
        public static let status: FieldPath = "status"
        public static let complete: FieldPath = "status.complete"
        public static let conditions: FieldPath = "status.conditions"
    }

    public static let fieldPaths: [FieldPath] =
        [
            Field.targetName, Field.snapshotName, Field.targetReadinessPolicy, Field.status, Field.complete,
            Field.conditions,
        ] + StatusKey.allCases.map { Field.status.appending(FieldPath([$0.rawValue])) }
        + Condition.fields.filter { $0 != "observedGeneration" }.map { Field.conditions.appending("[]").appending(FieldPath([$0])) }

    public var targetName: String? { object[string: Field.targetName] }
    public var snapshotName: String? { object[string: Field.snapshotName] }
    /// The policy as written; nil when unset (KubeVirt's default is `WaitGracePeriod`).
    public var targetReadinessPolicyText: String? { object[string: Field.targetReadinessPolicy] }

    /// `status`, whole: the controller rebuilds it from the old one.
    public var status: JSONValue {
        get { object[field: Field.status] ?? [:] }
        set { object[field: Field.status] = newValue }
    }

    public var complete: Bool {
        get { object[bool: Field.complete] == true }
        set { object[bool: Field.complete] = newValue }
    }

    public var conditions: [JSONValue] {
        get { object[array: Field.conditions] ?? [] }
        set { object[array: Field.conditions] = newValue }
    }

    /// Sets a status field the restore controller writes verbatim.
    public subscript(status key: StatusKey) -> JSONValue? {
        get { object[field: Field.status.appending(FieldPath([key.rawValue]))] }
        set { object[field: Field.status.appending(FieldPath([key.rawValue]))] = newValue }
    }

    public enum StatusKey: String, Sendable, CaseIterable {
        case restoreTime, restores, deletedDataVolumes
    }
}
