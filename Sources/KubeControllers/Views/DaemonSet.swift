import KubeModel

/// An apps/v1 DaemonSet, the fields its controller reads and writes. Schema:
/// `io.k8s.api.apps.v1.DaemonSet`.
struct DaemonSet: PodTemplateOwner {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    /// The deprecated label the controller still puts on each pod: the set's generation when
    /// the pod was made.
    static let templateGenerationLabel = "pod-template-generation"

    enum Field {
        static let updateStrategyType: FieldPath = "spec.updateStrategy.type"
        static let maxUnavailable: FieldPath = "spec.updateStrategy.rollingUpdate.maxUnavailable"
        static let maxSurge: FieldPath = "spec.updateStrategy.rollingUpdate.maxSurge"
        static let revisionHistoryLimit: FieldPath = "spec.revisionHistoryLimit"
        static let collisionCount: FieldPath = "status.collisionCount"
    }

    static let fieldPaths: [FieldPath] = [
        PodTemplateOwnerField.selector, PodTemplateOwnerField.template, PodTemplateOwnerField.minReadySeconds,
        Field.updateStrategyType, Field.maxUnavailable, Field.maxSurge, Field.revisionHistoryLimit, "status",
        Field.collisionCount, PodTemplateOwnerField.observedGeneration, "status.desiredNumberScheduled",
        "status.currentNumberScheduled", "status.numberMisscheduled", "status.numberReady", "status.numberAvailable",
        "status.numberUnavailable", "status.updatedNumberScheduled",
    ]

    /// `OnDelete` replaces pods only when someone deletes them; `RollingUpdate` is the default.
    var isOnDelete: Bool { object[field: Field.updateStrategyType]?.stringValue == "OnDelete" }
    var revisionHistoryLimit: Int { int(Field.revisionHistoryLimit, default: 10) }
    var collisionCount: Int64? { object[field: Field.collisionCount]?.intValue }

    /// `maxUnavailable` (default 1) for `desired` scheduled pods, rounded up, as
    /// `UnavailableCount`; never zero, or a rollout would never start (`maxSurge` is not
    /// honoured: pods are replaced in place).
    func maxUnavailable(desired: Int) -> Int {
        let value = IntOrPercent(json: object[field: Field.maxUnavailable]) ?? .count(1)
        return max(1, value.scaled(total: desired, roundUp: true))
    }
}
