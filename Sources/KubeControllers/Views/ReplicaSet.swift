import KubeModel

/// An apps/v1 ReplicaSet, the fields its own controller and the Deployment controller use.
/// Schema: `io.k8s.api.apps.v1.ReplicaSet`. A core/v1 ReplicationController has the same
/// fields (its selector is a plain map), so the ReplicaSet controller reads both through it.
struct ReplicaSet: PodTemplateOwner {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    enum Field {
        static let replicas: FieldPath = "spec.replicas"
        static let statusReplicas: FieldPath = "status.replicas"
        static let readyReplicas: FieldPath = "status.readyReplicas"
        static let availableReplicas: FieldPath = "status.availableReplicas"
    }

    static let fieldPaths: [FieldPath] = [
        Field.replicas, PodTemplateOwnerField.selector, PodTemplateOwnerField.template,
        PodTemplateOwnerField.minReadySeconds, Field.statusReplicas, "status.fullyLabeledReplicas",
        Field.readyReplicas, Field.availableReplicas, PodTemplateOwnerField.observedGeneration,
    ]

    /// `spec.replicas`, 1 when unset (the API server's default).
    var replicas: Int {
        get { int(Field.replicas, default: 1) }
        set { object[field: Field.replicas] = .int(Int64(newValue)) }
    }
    var statusReplicas: Int { int(Field.statusReplicas, default: 0) }
    var readyReplicas: Int { int(Field.readyReplicas, default: 0) }
    var availableReplicas: Int { int(Field.availableReplicas, default: 0) }
    var revision: Int { annotations[Deployment.revisionAnnotation].flatMap { Int($0) } ?? 0 }
}
