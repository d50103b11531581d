import KubeModel

/// An autoscaling/v2 HorizontalPodAutoscaler, the fields its controller reads and writes.
/// Schema: `io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler`.
struct HorizontalPodAutoscaler: KubeObjectView {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    enum Field {
        static let targetKind: FieldPath = "spec.scaleTargetRef.kind"
        static let targetName: FieldPath = "spec.scaleTargetRef.name"
        static let minReplicas: FieldPath = "spec.minReplicas"
        static let maxReplicas: FieldPath = "spec.maxReplicas"
        static let metrics: FieldPath = "spec.metrics"
        static let scaleUpWindow: FieldPath = "spec.behavior.scaleUp.stabilizationWindowSeconds"
        static let scaleDownWindow: FieldPath = "spec.behavior.scaleDown.stabilizationWindowSeconds"
        static let conditions: FieldPath = "status.conditions"
        static let lastScaleTime: FieldPath = "status.lastScaleTime"
    }

    static let fieldPaths: [FieldPath] = [
        Field.targetKind, Field.targetName, "spec.scaleTargetRef.apiVersion", Field.minReplicas, Field.maxReplicas,
        Field.metrics, Field.scaleUpWindow, Field.scaleDownWindow, "status", Field.conditions, Field.lastScaleTime,
        "status.currentReplicas", "status.desiredReplicas", "status.currentMetrics", "status.observedGeneration",
    ]

    var targetKind: String { object[field: Field.targetKind]?.stringValue ?? "" }
    var targetName: String { object[field: Field.targetName]?.stringValue ?? "" }
    /// `spec.minReplicas`, 1 when unset.
    var minReplicas: Int { object[field: Field.minReplicas]?.intValue.map(Int.init) ?? 1 }
    var maxReplicas: Int { object[field: Field.maxReplicas]?.intValue.map(Int.init) ?? 1 }
    /// `spec.metrics`; none means CPU at 80% of request, the API's default.
    var metrics: [JSONValue] {
        let metrics = object[field: Field.metrics]?.arrayValue ?? []
        guard metrics.isEmpty else { return metrics }
        return [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]]
    }
    /// Seconds of recommendations a scale-up looks back on (0 by default: at once).
    var scaleUpWindowSeconds: Int { object[field: Field.scaleUpWindow]?.intValue.map(Int.init) ?? 0 }
    /// Seconds of recommendations a scale-down looks back on (300 by default).
    var scaleDownWindowSeconds: Int { object[field: Field.scaleDownWindow]?.intValue.map(Int.init) ?? 300 }
    var conditions: [JSONValue] { object[field: Field.conditions]?.arrayValue ?? [] }
}
