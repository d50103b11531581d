import KubeModel

/// What the scheduler needs to know about a pod, read once from its JSON.
public struct SchedulingPod: Sendable {
    public var namespace: String
    public var name: String
    public var uid: String
    /// Requests as the resource-fit filter counts them: the sum over containers, at least any
    /// init container's, plus the pod overhead.
    public var requests: ResourceAmounts
    /// Requests with kube-scheduler's defaults for containers that ask for nothing (100m CPU,
    /// 200 MiB), used for scoring so that request-less pods still spread.
    public var nonZeroRequests: ResourceAmounts
    public var nodeName: String?
    public var nodeSelector: [String: String]
    /// `requiredDuringSchedulingIgnoredDuringExecution`: nil when absent (everything matches).
    public var requiredNodeAffinity: [NodeSelectorTerm]?
    public var preferredNodeAffinity: [WeightedNodeSelectorTerm]
    public var tolerations: [Toleration]
    public var priority: Int64
    public var schedulerName: String

    public static let defaultMilliCPURequest: Int64 = 100
    public static let defaultMemoryRequest: Int64 = 200 * 1024 * 1024

    public init(
        namespace: String, name: String, uid: String = "", requests: ResourceAmounts = .zero,
        nonZeroRequests: ResourceAmounts? = nil, nodeName: String? = nil, nodeSelector: [String: String] = [:],
        requiredNodeAffinity: [NodeSelectorTerm]? = nil, preferredNodeAffinity: [WeightedNodeSelectorTerm] = [],
        tolerations: [Toleration] = [], priority: Int64 = 0, schedulerName: String = "default-scheduler"
    ) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
        var requests = requests
        requests.pods = 1
        self.requests = requests
        self.nonZeroRequests =
            nonZeroRequests
            ?? ResourceAmounts(
                milliCPU: requests.milliCPU == 0 ? Self.defaultMilliCPURequest : requests.milliCPU,
                memory: requests.memory == 0 ? Self.defaultMemoryRequest : requests.memory, pods: 1)
        self.nodeName = nodeName
        self.nodeSelector = nodeSelector
        self.requiredNodeAffinity = requiredNodeAffinity
        self.preferredNodeAffinity = preferredNodeAffinity
        self.tolerations = tolerations
        self.priority = priority
        self.schedulerName = schedulerName
    }

    public init(_ pod: JSONValue) {
        let view = Pod(pod)
        let spec = view.spec
        var requests = ResourceAmounts.zero
        var nonZero = ResourceAmounts.zero
        for container in spec["containers"]?.arrayValue ?? [] {
            let resources = Self.containerRequests(container)
            requests = requests + resources
            nonZero.milliCPU += resources.milliCPU == 0 ? Self.defaultMilliCPURequest : resources.milliCPU
            nonZero.memory += resources.memory == 0 ? Self.defaultMemoryRequest : resources.memory
        }
        // Init containers run one at a time before the others: the pod needs the largest of them.
        for container in spec["initContainers"]?.arrayValue ?? [] {
            let resources = Self.containerRequests(container)
            requests.milliCPU = max(requests.milliCPU, resources.milliCPU)
            requests.memory = max(requests.memory, resources.memory)
            nonZero.milliCPU = max(nonZero.milliCPU, resources.milliCPU)
            nonZero.memory = max(nonZero.memory, resources.memory)
        }
        let overhead = ResourceAmounts(resourceList: spec["overhead"])
        requests = requests + ResourceAmounts(milliCPU: overhead.milliCPU, memory: overhead.memory)
        nonZero = nonZero + ResourceAmounts(milliCPU: overhead.milliCPU, memory: overhead.memory)
        nonZero.pods = 1
        let required = view.requiredNodeSelectorTerms.map { $0.map(NodeSelectorTerm.init(json:)) }
        let preferred = view.preferredNodeAffinityTerms.compactMap { WeightedNodeSelectorTerm(json: $0) }
        self.init(
            namespace: pod.namespace ?? "", name: pod.name ?? "", uid: pod.uid ?? "", requests: requests,
            nonZeroRequests: nonZero,
            nodeName: spec["nodeName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            nodeSelector: JSONValue.stringMap(spec["nodeSelector"]),
            requiredNodeAffinity: required, preferredNodeAffinity: preferred,
            tolerations: spec["tolerations"]?.arrayValue?.map(Toleration.init(json:)) ?? [],
            priority: spec["priority"]?.intValue ?? 0,
            schedulerName: spec["schedulerName"]?.stringValue ?? "default-scheduler")
    }

    /// A container's requests; a limit without a request counts as the request, as the API
    /// server defaults it.
    private static func containerRequests(_ container: JSONValue) -> ResourceAmounts {
        let requests = Pod.Container(container).requests
        let limits = Pod.Container(container).limits
        return ResourceAmounts(
            milliCPU: (Quantity(json: requests?["cpu"]) ?? Quantity(json: limits?["cpu"]))?.milliValue ?? 0,
            memory: (Quantity(json: requests?["memory"]) ?? Quantity(json: limits?["memory"]))?.value ?? 0)
    }

    public var key: String { "\(namespace)/\(name)" }

    /// Everything about the pod that filters and scores reading only a node's own fields
    /// look at: pods with the same shape (a ReplicaSet's, most VMs of one size) get the same
    /// verdict from such a plugin on a given node.
    var shape: Shape {
        Shape(
            nodeName: nodeName, nodeSelector: nodeSelector, requiredNodeAffinity: requiredNodeAffinity,
            preferredNodeAffinity: preferredNodeAffinity, tolerations: tolerations)
    }

    struct Shape: Hashable, Sendable {
        var nodeName: String?
        var nodeSelector: [String: String]
        var requiredNodeAffinity: [NodeSelectorTerm]?
        var preferredNodeAffinity: [WeightedNodeSelectorTerm]
        var tolerations: [Toleration]
    }
}

/// One `nodeSelectorTerm`: all its expressions must hold.
public struct NodeSelectorTerm: Sendable, Hashable {
    public var matchExpressions: [LabelSelector.Requirement]
    /// Only `metadata.name` is a valid field, as in Kubernetes.
    public var matchFields: [LabelSelector.Requirement]

    public init(matchExpressions: [LabelSelector.Requirement] = [], matchFields: [LabelSelector.Requirement] = []) {
        self.matchExpressions = matchExpressions
        self.matchFields = matchFields
    }

    init(json: JSONValue) {
        matchExpressions = json["matchExpressions"]?.arrayValue?.map(Self.requirement) ?? []
        matchFields = json["matchFields"]?.arrayValue?.map(Self.requirement) ?? []
    }

    /// An unknown operator becomes a requirement nothing satisfies, as the API would have
    /// refused the pod.
    private static func requirement(_ json: JSONValue) -> LabelSelector.Requirement {
        let key = json["key"]?.stringValue ?? ""
        let values = json["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
        switch json["operator"]?.stringValue {
        case "In": return .init(key: key, op: .in, values: values)
        case "NotIn": return .init(key: key, op: .notIn, values: values)
        case "Exists": return .init(key: key, op: .exists)
        case "DoesNotExist": return .init(key: key, op: .doesNotExist)
        case "Gt": return .init(key: key, op: .greaterThan, values: values)
        case "Lt": return .init(key: key, op: .lessThan, values: values)
        default: return .init(key: key, op: .in, values: [])
        }
    }

    /// A term with no requirements matches nothing, as in Kubernetes.
    public func matches(labels: [String: String], nodeName: String) -> Bool {
        guard !matchExpressions.isEmpty || !matchFields.isEmpty else { return false }
        for requirement in matchExpressions where !requirement.matches(labels) { return false }
        for requirement in matchFields {
            guard requirement.key == "metadata.name", requirement.matches(["metadata.name": nodeName]) else { return false }
        }
        return true
    }
}

public struct WeightedNodeSelectorTerm: Sendable, Hashable {
    public var weight: Int64
    public var term: NodeSelectorTerm

    public init(weight: Int64, term: NodeSelectorTerm) {
        self.weight = weight
        self.term = term
    }

    init?(json: JSONValue) {
        guard let weight = json["weight"]?.intValue, let preference = json["preference"] else { return nil }
        self.init(weight: weight, term: NodeSelectorTerm(json: preference))
    }
}

/// A node taint or a pod toleration's view of one.
public struct Taint: Sendable, Hashable, CustomStringConvertible {
    public enum Effect: String, Sendable, Hashable {
        case noSchedule = "NoSchedule"
        case preferNoSchedule = "PreferNoSchedule"
        case noExecute = "NoExecute"
    }

    public var key: String
    public var value: String
    public var effect: Effect

    public init(key: String, value: String = "", effect: Effect) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    init?(json: JSONValue) {
        guard let key = json["key"]?.stringValue, let effect = json["effect"]?.stringValue.flatMap(Effect.init) else {
            return nil
        }
        self.init(key: key, value: json["value"]?.stringValue ?? "", effect: effect)
    }

    public var json: JSONValue {
        var taint: JSONValue = ["key": .string(key), "effect": .string(effect.rawValue)]
        if !value.isEmpty { taint["value"] = .string(value) }
        return taint
    }

    /// kube-scheduler's wording in "untolerated taint {key: value}".
    public var description: String { value.isEmpty ? "{\(key): }" : "{\(key): \(value)}" }
}

public struct Toleration: Sendable, Hashable {
    public var key: String
    /// `Exists` or `Equal` (the default).
    public var exists: Bool
    public var value: String
    /// Nil tolerates every effect.
    public var effect: Taint.Effect?

    public init(key: String, exists: Bool = false, value: String = "", effect: Taint.Effect? = nil) {
        self.key = key
        self.exists = exists
        self.value = value
        self.effect = effect
    }

    init(json: JSONValue) {
        self.init(
            key: json["key"]?.stringValue ?? "", exists: json["operator"]?.stringValue == "Exists",
            value: json["value"]?.stringValue ?? "", effect: json["effect"]?.stringValue.flatMap(Taint.Effect.init))
    }

    public func tolerates(_ taint: Taint) -> Bool {
        if let effect, effect != taint.effect { return false }
        // An empty key with Exists tolerates every taint.
        if key.isEmpty { return exists }
        guard key == taint.key else { return false }
        return exists || value == taint.value
    }
}
