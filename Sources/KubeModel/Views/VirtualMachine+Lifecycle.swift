/// The VirtualMachine fields the simulated virt-controller, snapshot and restore controllers
/// use: how the VM is to run, the instance template, and the status they report.
extension VirtualMachine {
    public enum LifecycleField {
        public static let spec: FieldPath = "spec"
        public static let runStrategy: FieldPath = "spec.runStrategy"
        public static let running: FieldPath = "spec.running"
        public static let template: FieldPath = "spec.template"
        public static let templateSpec: FieldPath = "spec.template.spec"
        /// An ObjectMeta that KubeVirt's CRD leaves unschematized
        /// (`x-kubernetes-preserve-unknown-fields`): only this path is declared, the two below
        /// are ObjectMeta's own fields inside it.
        public static let templateMetadata: FieldPath = "spec.template.metadata"
        public static let templateLabels: FieldPath = templateMetadata.appending("labels")
        public static let templateAnnotations: FieldPath = templateMetadata.appending("annotations")
        public static let status: FieldPath = "status"
        public static let stateChangeRequests: FieldPath = "status.stateChangeRequests"
        public static let restoreInProgress: FieldPath = "status.restoreInProgress"
        public static let snapshotInProgress: FieldPath = "status.snapshotInProgress"
        public static let conditions: FieldPath = "status.conditions"
        public static let created: FieldPath = "status.created"
        public static let ready: FieldPath = "status.ready"
        public static let statusRunStrategy: FieldPath = "status.runStrategy"
        public static let printableStatus: FieldPath = "status.printableStatus"
        public static let desiredGeneration: FieldPath = "status.desiredGeneration"
        public static let observedGeneration: FieldPath = "status.observedGeneration"
    }

    static let lifecycleFieldPaths: [FieldPath] =
        [
            LifecycleField.spec, LifecycleField.runStrategy, LifecycleField.running, LifecycleField.template,
            LifecycleField.templateMetadata, LifecycleField.templateSpec,
            LifecycleField.status, LifecycleField.stateChangeRequests, "status.stateChangeRequests[].action",
            "status.stateChangeRequests[].uid", LifecycleField.restoreInProgress, LifecycleField.snapshotInProgress,
            LifecycleField.conditions, LifecycleField.created, LifecycleField.ready, LifecycleField.statusRunStrategy,
            LifecycleField.printableStatus, LifecycleField.desiredGeneration, LifecycleField.observedGeneration,
            Field.volumes.appending("[].name"),
        ]
        + Condition.fields.filter { $0 != "observedGeneration" }.map {
            LifecycleField.conditions.appending("[]").appending(FieldPath([$0]))
        }

    /// `spec`, whole (what a snapshot captures and a restore puts back).
    public var spec: JSONValue {
        get { object[field: LifecycleField.spec] ?? [:] }
        set { object[field: LifecycleField.spec] = newValue }
    }

    /// `spec.runStrategy` as written; a text KubeVirt does not know is kept.
    public var runStrategyText: String? { object[string: LifecycleField.runStrategy] }
    /// The deprecated `spec.running`.
    public var running: Bool? { object[bool: LifecycleField.running] }

    /// `spec.template`, whole: the instance's metadata and spec.
    public var template: JSONValue { object[field: LifecycleField.template] ?? [:] }
    /// `spec.template.spec`: the instance's spec.
    public var templateSpec: JSONValue? { object[field: LifecycleField.templateSpec] }
    public var templateLabels: [String: String] { JSONValue.stringMap(object[field: LifecycleField.templateLabels]) }
    public var templateAnnotations: [String: String] { JSONValue.stringMap(object[field: LifecycleField.templateAnnotations]) }
    /// The names of `spec.template.spec.volumes`.
    public var volumeNames: [String] {
        object[array: Field.volumes]?.compactMap { $0["name"]?.stringValue } ?? []
    }

    /// `status`, whole (virt-controller recomputes it from the old one).
    public var status: JSONValue {
        get { object[field: LifecycleField.status] ?? [:] }
        set { object[field: LifecycleField.status] = newValue }
    }

    /// `status.stateChangeRequests`: pending start/stop requests, oldest first.
    public var stateChangeRequests: [JSONValue] { object[array: LifecycleField.stateChangeRequests] ?? [] }
    /// The restore that holds the VM, if one does.
    public var restoreInProgress: String? { object[string: LifecycleField.restoreInProgress] }
    /// `status.restoreInProgress` as stored (compared, not only read as text).
    public var restoreInProgressValue: JSONValue? { object[field: LifecycleField.restoreInProgress] }
    /// The snapshot that holds the VM, if one does.
    public var snapshotInProgress: String? { object[string: LifecycleField.snapshotInProgress] }

    public var conditions: [JSONValue] {
        get { object[array: LifecycleField.conditions] ?? [] }
        set { object[array: LifecycleField.conditions] = newValue }
    }

    /// The status fields virt-controller writes verbatim; nil removes one.
    public enum StatusKey: String, Sendable, CaseIterable {
        case created, ready, runStrategy, stateChangeRequests, printableStatus, desiredGeneration, observedGeneration
    }

    public subscript(status key: StatusKey) -> JSONValue? {
        get { object[field: LifecycleField.status.appending(FieldPath([key.rawValue]))] }
        set { object[field: LifecycleField.status.appending(FieldPath([key.rawValue]))] = newValue }
    }
}
