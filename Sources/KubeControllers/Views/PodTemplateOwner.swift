import KubeModel

/// What every workload view shares — a pod template at `spec.template`, integer fields read
/// with the API server's default, `status.observedGeneration` — so the ReplicaSet, Job,
/// StatefulSet and DaemonSet views declare only their own fields.
protocol PodTemplateOwner: KubeObjectView {}

/// The paths every ``PodTemplateOwner`` has.
enum PodTemplateOwnerField {
    static let template: FieldPath = "spec.template"
    static let selector: FieldPath = "spec.selector"
    static let minReadySeconds: FieldPath = "spec.minReadySeconds"
    static let observedGeneration: FieldPath = "status.observedGeneration"
}

extension PodTemplateOwner {
    /// `spec.template`, empty when unset (a ReplicationController may omit it).
    var template: PodTemplate { PodTemplate(object[field: PodTemplateOwnerField.template] ?? [:]) }
    var selector: JSONValue { object[field: PodTemplateOwnerField.selector] ?? .null }
    var minReadySeconds: Int { int(PodTemplateOwnerField.minReadySeconds, default: 0) }
    var observedGeneration: Int64? { object[field: PodTemplateOwnerField.observedGeneration]?.intValue }

    /// An integer field, or `defaultValue` (the API server's default) when it is unset.
    func int(_ path: FieldPath, default defaultValue: Int) -> Int {
        object[field: path]?.intValue.map(Int.init) ?? defaultValue
    }

    /// An optional integer field.
    func optionalInt(_ path: FieldPath) -> Int? { object[field: path]?.intValue.map(Int.init) }
}
