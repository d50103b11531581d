import KubeModel

/// An apps/v1 ReplicaSet, the fields its own controller and the Deployment controller use.
/// Schema: `io.k8s.api.apps.v1.ReplicaSet`.
struct ReplicaSet: KubeObjectView {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    enum Field {
        static let replicas: FieldPath = "spec.replicas"
        static let selector: FieldPath = "spec.selector"
        static let template: FieldPath = "spec.template"
        static let minReadySeconds: FieldPath = "spec.minReadySeconds"
        static let statusReplicas: FieldPath = "status.replicas"
        static let fullyLabeledReplicas: FieldPath = "status.fullyLabeledReplicas"
        static let readyReplicas: FieldPath = "status.readyReplicas"
        static let availableReplicas: FieldPath = "status.availableReplicas"
        static let observedGeneration: FieldPath = "status.observedGeneration"
    }

    static let fieldPaths: [FieldPath] = [
        Field.replicas, Field.selector, Field.template, Field.minReadySeconds, Field.statusReplicas,
        Field.fullyLabeledReplicas, Field.readyReplicas, Field.availableReplicas, Field.observedGeneration,
    ]

    /// `spec.replicas`, 1 when unset (the API server's default).
    var replicas: Int {
        get { object[field: Field.replicas]?.intValue.map(Int.init) ?? 1 }
        set { object[field: Field.replicas] = .int(Int64(newValue)) }
    }
    var selector: JSONValue { object[field: Field.selector] ?? .null }
    var template: PodTemplate { PodTemplate(object[field: Field.template] ?? [:]) }
    var statusReplicas: Int { object[field: Field.statusReplicas]?.intValue.map(Int.init) ?? 0 }
    var readyReplicas: Int { object[field: Field.readyReplicas]?.intValue.map(Int.init) ?? 0 }
    var availableReplicas: Int { object[field: Field.availableReplicas]?.intValue.map(Int.init) ?? 0 }
    var observedGeneration: Int64? { object[field: Field.observedGeneration]?.intValue }
    var revision: Int { annotations[Deployment.revisionAnnotation].flatMap { Int($0) } ?? 0 }
}
