import Foundation

/// A KubeVirt VirtualMachineSnapshot (`snapshot.kubevirt.io/v1beta1`). Schema:
/// `Sources/Simulation/CRDs/snapshot.kubevirt.io_virtualmachinesnapshots.yaml`.
public struct VirtualMachineSnapshot: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public enum Phase: String, Sendable, CaseIterable {
        case inProgress = "InProgress"
        case succeeded = "Succeeded"
        case failed = "Failed"
        case unknown = "Unknown"

        public var isFinished: Bool { self == .succeeded || self == .failed }
    }

    public enum Field {
        public static let sourceKind: FieldPath = "spec.source.kind"
        public static let sourceName: FieldPath = "spec.source.name"
        public static let failureDeadline: FieldPath = "spec.failureDeadline"
        public static let deletionPolicy: FieldPath = "spec.deletionPolicy"
        public static let status: FieldPath = "status"
        public static let phase: FieldPath = "status.phase"
        public static let readyToUse: FieldPath = "status.readyToUse"
        public static let contentName: FieldPath = "status.virtualMachineSnapshotContentName"
        public static let conditions: FieldPath = "status.conditions"
    }

    public static let fieldPaths: [FieldPath] =
        [
            Field.sourceKind, Field.sourceName, Field.failureDeadline, Field.deletionPolicy, Field.status, Field.phase,
            Field.readyToUse, Field.contentName, Field.conditions, "status.sourceUID", "status.indications",
            "status.sourceIndications", "status.sourceIndications[].indication", "status.sourceIndications[].message",
            "status.snapshotVolumes.excludedVolumes", "status.creationTime", "status.error.message", "status.error.time",
        ] + StatusKey.allCases.map { Field.status.appending(FieldPath([$0.rawValue])) }
        + Condition.fields.filter { $0 != "observedGeneration" }.map { Field.conditions.appending("[]").appending(FieldPath([$0])) }

    /// `spec.source.kind`: only `VirtualMachine` is snapshotted.
    public var sourceKind: String? { object[string: Field.sourceKind] }
    public var sourceName: String? { object[string: Field.sourceName] }
    /// `spec.failureDeadline` as written (a Go duration: `5m0s`).
    public var failureDeadline: String? { object[string: Field.failureDeadline] }
    /// `Delete` (KubeVirt's default) or `Retain`.
    public var deletionPolicy: String? { object[string: Field.deletionPolicy] }

    /// `status`, whole: the controller rebuilds it from the old one.
    public var status: JSONValue {
        get { object[field: Field.status] ?? [:] }
        set { object[field: Field.status] = newValue }
    }

    public var phase: Phase? {
        get { object[string: Field.phase].flatMap(Phase.init(rawValue:)) }
        set { object[field: Field.phase] = newValue.map { .string($0.rawValue) } }
    }

    public var readyToUse: Bool {
        get { object[bool: Field.readyToUse] == true }
        set { object[bool: Field.readyToUse] = newValue }
    }

    public var contentName: String? {
        get { object[string: Field.contentName] }
        set { object[string: Field.contentName] = newValue }
    }

    public var conditions: [JSONValue] {
        get { object[array: Field.conditions] ?? [] }
        set { object[array: Field.conditions] = newValue }
    }

    /// Sets a status field the snapshot controller writes verbatim (`sourceUID`,
    /// `indications`, `sourceIndications`, `snapshotVolumes`, `creationTime`, `error`).
    public subscript(status key: StatusKey) -> JSONValue? {
        get { object[field: Field.status.appending(FieldPath([key.rawValue]))] }
        set { object[field: Field.status.appending(FieldPath([key.rawValue]))] = newValue }
    }

    public enum StatusKey: String, Sendable, CaseIterable {
        case sourceUID, indications, sourceIndications, snapshotVolumes, creationTime, error
    }
}

/// A KubeVirt VirtualMachineSnapshotContent (`snapshot.kubevirt.io/v1beta1`): the VM as a
/// snapshot saw it. Schema:
/// `Sources/Simulation/CRDs/snapshot.kubevirt.io_virtualmachinesnapshotcontents.yaml`.
public struct VirtualMachineSnapshotContent: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public enum Field {
        public static let snapshotName: FieldPath = "spec.virtualMachineSnapshotName"
        public static let virtualMachine: FieldPath = "spec.source.virtualMachine"
        public static let volumeBackups: FieldPath = "spec.volumeBackups"
        public static let status: FieldPath = "status"
        public static let readyToUse: FieldPath = "status.readyToUse"
        public static let creationTime: FieldPath = "status.creationTime"
    }

    public static let fieldPaths: [FieldPath] = [
        Field.snapshotName, Field.virtualMachine, Field.volumeBackups, Field.status, Field.readyToUse, Field.creationTime,
        Field.virtualMachine.appending("spec"), Field.virtualMachine.appending("metadata"),
    ]

    public var snapshotName: String? { object[string: Field.snapshotName] }
    /// The saved VirtualMachine (apiVersion, kind, metadata, spec).
    public var virtualMachine: VirtualMachine { VirtualMachine(object[field: Field.virtualMachine] ?? [:]) }

    /// `status`, whole.
    public var status: JSONValue? {
        get { object[field: Field.status] }
        set { object[field: Field.status] = newValue }
    }

    public var readyToUse: Bool {
        get { object[bool: Field.readyToUse] == true }
        set { object[bool: Field.readyToUse] = newValue }
    }

    public var creationTime: String? {
        get { object[string: Field.creationTime] }
        set { object[string: Field.creationTime] = newValue }
    }
}
