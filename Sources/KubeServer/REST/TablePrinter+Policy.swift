import KubeModel

/// kube-apiserver's columns for PodDisruptionBudgets and HorizontalPodAutoscalers
/// (`kubectl get pdb,hpa`).
extension TablePrinter {
    static let podDisruptionBudgetColumns: [Column] = [
        nameColumn,
        Column(name: "Min Available", type: "string") { object, _ in .string(intOrString(object[path: ["spec", "minAvailable"]])) },
        Column(name: "Max Unavailable", type: "string") { object, _ in
            .string(intOrString(object[path: ["spec", "maxUnavailable"]]))
        },
        Column(name: "Allowed Disruptions", type: "integer") { object, _ in
            .int(object[path: ["status", "disruptionsAllowed"]]?.intValue ?? 0)
        },
        ageColumn,
    ]

    static let horizontalPodAutoscalerColumns: [Column] = [
        nameColumn,
        Column(name: "Reference", type: "string") { object, _ in
            let kind = object[path: ["spec", "scaleTargetRef", "kind"]]?.stringValue ?? ""
            let name = object[path: ["spec", "scaleTargetRef", "name"]]?.stringValue ?? ""
            return .string("\(kind)/\(name)")
        },
        Column(name: "Targets", type: "string") { object, _ in .string(autoscalerTargets(object)) },
        Column(name: "MinPods", type: "integer") { object, _ in .int(object[path: ["spec", "minReplicas"]]?.intValue ?? 1) },
        Column(name: "MaxPods", type: "integer") { object, _ in .int(object[path: ["spec", "maxReplicas"]]?.intValue ?? 0) },
        Column(name: "Replicas", type: "integer") { object, _ in .int(object[path: ["status", "currentReplicas"]]?.intValue ?? 0) },
        ageColumn,
    ]

    /// An int-or-string field as printed, `N/A` when unset.
    private static func intOrString(_ value: JSONValue?) -> String {
        value?.intValue.map { String($0) } ?? value?.stringValue ?? "N/A"
    }

    /// `cpu: 40%/50%` per resource metric (kubectl 1.30's form), `<unknown>` for a current
    /// value not measured yet.
    private static func autoscalerTargets(_ object: JSONValue) -> String {
        let current = object[path: ["status", "currentMetrics"]]?.arrayValue ?? []
        let parts = (object[path: ["spec", "metrics"]]?.arrayValue ?? []).compactMap { metric -> String? in
            guard let name = metric[path: ["resource", "name"]]?.stringValue else { return nil }
            let target = metric[path: ["resource", "target"]] ?? [:]
            let measured = current.first { $0[path: ["resource", "name"]]?.stringValue == name }?[path: ["resource", "current"]]
            if let utilization = target["averageUtilization"]?.intValue {
                let now = measured?["averageUtilization"]?.intValue.map { "\($0)%" } ?? "<unknown>"
                return "\(name): \(now)/\(utilization)%"
            }
            let wanted = target["averageValue"]?.stringValue ?? target["value"]?.stringValue ?? "<unset>"
            let now = measured?["averageValue"]?.stringValue ?? measured?["value"]?.stringValue ?? "<unknown>"
            return "\(name): \(now)/\(wanted)"
        }
        return parts.isEmpty ? "<none>" : parts.joined(separator: ", ")
    }
}
