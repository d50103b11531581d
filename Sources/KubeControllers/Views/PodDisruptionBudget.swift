import KubeModel

/// A policy/v1 PodDisruptionBudget, the fields the disruption controller reads and writes.
/// Schema: `io.k8s.api.policy.v1.PodDisruptionBudget`.
struct PodDisruptionBudget: KubeObjectView {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    /// The condition the eviction API reads (`DisruptionAllowedCondition`).
    static let disruptionAllowedCondition = "DisruptionAllowed"

    enum Field {
        static let selector: FieldPath = "spec.selector"
        static let minAvailable: FieldPath = "spec.minAvailable"
        static let maxUnavailable: FieldPath = "spec.maxUnavailable"
        static let conditions: FieldPath = "status.conditions"
    }

    static let fieldPaths: [FieldPath] = [
        Field.selector, Field.minAvailable, Field.maxUnavailable, "status", Field.conditions, "status.currentHealthy",
        "status.desiredHealthy", "status.disruptionsAllowed", "status.expectedPods", "status.observedGeneration",
    ]

    /// The pods it covers: a missing selector selects none, `{}` every pod of the namespace
    /// (policy/v1). Nil when the selector cannot be read.
    var selector: LabelSelector? { try? LabelSelector(json: object[field: Field.selector] ?? .null) }
    var minAvailable: IntOrPercent? { IntOrPercent(json: object[field: Field.minAvailable]) }
    var maxUnavailable: IntOrPercent? { IntOrPercent(json: object[field: Field.maxUnavailable]) }
    var conditions: [JSONValue] { object[field: Field.conditions]?.arrayValue ?? [] }
}
