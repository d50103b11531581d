import KubeModel

/// Where a DaemonSet's pods go, as the DaemonSet controller decides it before any scheduler
/// runs (`NodeShouldRunDaemonPod`): the template's `nodeSelector`, its required node affinity
/// and its tolerations — with the ones the controller adds to every daemon pod — against each
/// node's labels and taints. Each pod is then pinned to its node with a node affinity on
/// `metadata.name` (`ReplaceDaemonSetPodNodeNameNodeAffinity`) and bound by the scheduler.
enum DaemonPlacement {
    /// A node's verdict: whether a pod should be created there, and whether a pod already there
    /// may stay (a NoSchedule taint keeps new pods off but does not evict).
    struct Verdict: Sendable, Equatable {
        var shouldRun: Bool
        var shouldContinueRunning: Bool
    }

    /// The tolerations `AddOrUpdateDaemonPodTolerations` gives every daemon pod: a daemon
    /// keeps running on a node that is not ready, unreachable, under pressure or cordoned.
    static func standardTolerations(hostNetwork: Bool) -> [JSONValue] {
        var tolerations: [(String, String)] = [
            ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ]
        if hostNetwork { tolerations.append(("node.kubernetes.io/network-unavailable", "NoSchedule")) }
        return tolerations.map { key, effect in ["key": .string(key), "operator": "Exists", "effect": .string(effect)] }
    }

    /// A pod spec with the standard tolerations added (an existing one of the same key and
    /// effect is replaced).
    static func withStandardTolerations(_ spec: JSONValue) -> JSONValue {
        var spec = spec
        var tolerations = spec["tolerations"]?.arrayValue ?? []
        for toleration in standardTolerations(hostNetwork: spec["hostNetwork"]?.boolValue ?? false) {
            tolerations.removeAll { $0["key"] == toleration["key"] && $0["effect"] == toleration["effect"] }
            tolerations.append(toleration)
        }
        spec["tolerations"] = .array(tolerations)
        return spec
    }

    /// The verdict for a daemon pod spec (with its tolerations added) on `node`.
    static func verdict(podSpec: JSONValue, node: JSONValue) -> Verdict {
        let labels = node.labels
        let nodeName = node.name ?? ""
        let selector = podSpec["nodeSelector"]?.objectValue ?? [:]
        guard selector.allSatisfy({ labels[$0.key] == $0.value.stringValue }) else {
            return Verdict(shouldRun: false, shouldContinueRunning: false)
        }
        let affinityPath = ["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]
        if let terms = podSpec[path: affinityPath]?.arrayValue,
            !terms.contains(where: { termMatches($0, labels: labels, nodeName: nodeName) })
        {
            return Verdict(shouldRun: false, shouldContinueRunning: false)
        }
        let tolerations = podSpec["tolerations"]?.arrayValue ?? []
        var verdict = Verdict(shouldRun: true, shouldContinueRunning: true)
        for taint in Node(node).taints where !tolerations.contains(where: { tolerates($0, taint) }) {
            switch taint["effect"]?.stringValue {
            case "NoSchedule": verdict.shouldRun = false
            case "NoExecute": return Verdict(shouldRun: false, shouldContinueRunning: false)
            default: continue
            }
        }
        return verdict
    }

    /// A node selector term: every expression on the labels and every field requirement (only
    /// `metadata.name` exists) holds; an empty term matches nothing.
    static func termMatches(_ term: JSONValue, labels: [String: String], nodeName: String) -> Bool {
        let expressions = term["matchExpressions"]?.arrayValue ?? []
        let fields = term["matchFields"]?.arrayValue ?? []
        guard !expressions.isEmpty || !fields.isEmpty else { return false }
        for expression in expressions where !(requirement(expression)?.matches(labels) ?? false) { return false }
        for field in fields {
            guard field["key"]?.stringValue == "metadata.name",
                requirement(field)?.matches(["metadata.name": nodeName]) ?? false
            else { return false }
        }
        return true
    }

    private static func requirement(_ json: JSONValue) -> LabelSelector.Requirement? {
        let operators: [String: LabelSelector.Operator] = [
            "In": .in, "NotIn": .notIn, "Exists": .exists, "DoesNotExist": .doesNotExist, "Gt": .greaterThan,
            "Lt": .lessThan,
        ]
        guard let key = json["key"]?.stringValue, let op = json["operator"]?.stringValue.flatMap({ operators[$0] })
        else { return nil }
        return LabelSelector.Requirement(key: key, op: op, values: json["values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// Whether a toleration tolerates a taint (`Toleration.ToleratesTaint`): same effect (or
    /// none given), and the key matched by `Exists` or by `Equal` with the same value; an
    /// empty key with `Exists` tolerates everything.
    static func tolerates(_ toleration: JSONValue, _ taint: JSONValue) -> Bool {
        if let effect = toleration["effect"]?.stringValue, !effect.isEmpty, effect != taint["effect"]?.stringValue {
            return false
        }
        let exists = toleration["operator"]?.stringValue == "Exists"
        let key = toleration["key"]?.stringValue ?? ""
        if key.isEmpty { return exists }
        guard key == taint["key"]?.stringValue else { return false }
        return exists || (toleration["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
    }

    /// `affinity` with its required node selector replaced by one term pinning `node`.
    static func pinned(_ affinity: JSONValue?, to node: String) -> JSONValue {
        var affinity = affinity ?? [:]
        let term: JSONValue = [
            "matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(node)]]]
        ]
        affinity[path: ["nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]] = [term]
        return affinity
    }

    /// The node a daemon pod is for (`GetTargetNodeName`): its `spec.nodeName` once bound,
    /// else the one node its `metadata.name` affinity names.
    static func targetNode(of pod: JSONValue) -> String? {
        if let node = Pod(pod).nodeName, !node.isEmpty { return node }
        let terms = Pod(pod).requiredNodeSelectorTerms ?? []
        for term in terms {
            for field in term["matchFields"]?.arrayValue ?? []
            where field["key"]?.stringValue == "metadata.name" && field["operator"]?.stringValue == "In" {
                if let values = field["values"]?.arrayValue, values.count == 1, let node = values[0].stringValue {
                    return node
                }
            }
        }
        return nil
    }
}
