import KubeModel

/// A node as the scheduler sees it: what it offers and what the pods placed on it ask for —
/// kube-scheduler's `NodeInfo`.
public struct NodeInfo: Sendable {
    public var name: String
    public var labels: [String: String]
    public var taints: [Taint]
    public var unschedulable: Bool
    public var allocatable: ResourceAmounts
    /// The sum of the requests of the pods on the node (filtering).
    public private(set) var requested = ResourceAmounts.zero
    /// The same with kube-scheduler's non-zero defaults (scoring).
    public private(set) var nonZeroRequested = ResourceAmounts.zero
    /// The pods counted in ``requested``, by uid, with what each added.
    public private(set) var pods: [String: (requests: ResourceAmounts, nonZero: ResourceAmounts)] = [:]

    public init(name: String, labels: [String: String] = [:], taints: [Taint] = [], unschedulable: Bool = false,
                allocatable: ResourceAmounts) {
        self.name = name
        self.labels = labels
        self.taints = taints
        self.unschedulable = unschedulable
        self.allocatable = allocatable
    }

    public init(_ node: JSONValue) {
        self.init(name: node.name ?? "", labels: node.labels,
                  taints: node[path: ["spec", "taints"]]?.arrayValue?.compactMap(Taint.init(json:)) ?? [],
                  unschedulable: node[path: ["spec", "unschedulable"]]?.boolValue ?? false,
                  allocatable: ResourceAmounts(resourceList: node[path: ["status", "allocatable"]]
                      ?? node[path: ["status", "capacity"]]))
    }

    /// Takes the node's own fields from a newer version of it, keeping the pods.
    mutating func updateNode(from other: NodeInfo) {
        labels = other.labels
        taints = other.taints
        unschedulable = other.unschedulable
        allocatable = other.allocatable
    }

    public mutating func add(_ pod: SchedulingPod) {
        guard pods[pod.uid] == nil else { return }
        pods[pod.uid] = (pod.requests, pod.nonZeroRequests)
        requested = requested + pod.requests
        nonZeroRequested = nonZeroRequested + pod.nonZeroRequests
    }

    public mutating func remove(podUID uid: String) {
        guard let removed = pods.removeValue(forKey: uid) else { return }
        requested = requested - removed.requests
        nonZeroRequested = nonZeroRequested - removed.nonZero
    }
}
