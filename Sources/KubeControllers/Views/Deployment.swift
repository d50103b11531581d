import KubeModel

/// An apps/v1 Deployment, the fields the Deployment controller reads and writes. Schema:
/// `io.k8s.api.apps.v1.Deployment`.
struct Deployment: PodTemplateOwner {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    /// The annotation kube-controller-manager keeps on a Deployment and its ReplicaSets: the
    /// rollout's number, which `kubectl rollout history` and `undo` read.
    static let revisionAnnotation = "deployment.kubernetes.io/revision"
    static let desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
    static let maxReplicasAnnotation = "deployment.kubernetes.io/max-replicas"
    /// Copied from the Deployment to its new ReplicaSet, for `rollout history`'s CHANGE-CAUSE.
    static let changeCauseAnnotation = "kubernetes.io/change-cause"

    enum Field {
        static let replicas: FieldPath = "spec.replicas"
        static let selector: FieldPath = "spec.selector"
        static let template: FieldPath = "spec.template"
        static let strategyType: FieldPath = "spec.strategy.type"
        static let maxSurge: FieldPath = "spec.strategy.rollingUpdate.maxSurge"
        static let maxUnavailable: FieldPath = "spec.strategy.rollingUpdate.maxUnavailable"
        static let revisionHistoryLimit: FieldPath = "spec.revisionHistoryLimit"
        static let minReadySeconds: FieldPath = "spec.minReadySeconds"
        static let paused: FieldPath = "spec.paused"
        static let collisionCount: FieldPath = "status.collisionCount"
        static let status: FieldPath = "status"
        static let conditions: FieldPath = "status.conditions"
    }

    static let fieldPaths: [FieldPath] = [
        Field.replicas, Field.selector, Field.template, Field.strategyType, Field.maxSurge, Field.maxUnavailable,
        Field.revisionHistoryLimit, Field.minReadySeconds, Field.paused, Field.collisionCount, Field.status,
        Field.conditions, "status.replicas", "status.updatedReplicas", "status.readyReplicas",
        "status.availableReplicas", "status.unavailableReplicas", "status.observedGeneration",
    ]

    /// `spec.replicas`, 1 when unset (the API server's default).
    var replicas: Int { int(Field.replicas, default: 1) }
    /// `Recreate` or `RollingUpdate` (the default).
    var isRecreate: Bool { object[field: Field.strategyType]?.stringValue == "Recreate" }
    var revisionHistoryLimit: Int { int(Field.revisionHistoryLimit, default: 10) }
    var isPaused: Bool { object[field: Field.paused]?.boolValue ?? false }
    var collisionCount: Int64? { object[field: Field.collisionCount]?.intValue }
    var conditions: [JSONValue] { object[field: Field.conditions]?.arrayValue ?? [] }

    /// `maxSurge` and `maxUnavailable` resolved for `replicas`, as the controller's
    /// `ResolveFenceposts`: surge rounds up, unavailability down, and both zero would stall a
    /// rollout, so unavailability becomes one. Recreate has neither.
    var fenceposts: (maxSurge: Int, maxUnavailable: Int) {
        guard !isRecreate else { return (0, replicas) }
        let surge = (IntOrPercent(json: object[field: Field.maxSurge]) ?? .percent(25)).scaled(total: replicas, roundUp: true)
        let unavailable = (IntOrPercent(json: object[field: Field.maxUnavailable]) ?? .percent(25))
            .scaled(total: replicas, roundUp: false)
        if surge == 0, unavailable == 0 { return (0, 1) }
        return (surge, min(unavailable, replicas))
    }

    var revision: Int? { annotations[Self.revisionAnnotation].flatMap { Int($0) } }
}
