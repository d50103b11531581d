import KubeModel

/// A node as the scheduler sees it: what it offers and what the pods placed on it ask for —
/// kube-scheduler's `NodeInfo`.
public struct NodeInfo: Sendable {
    /// The reference-counted parts in one copy-on-write box, so a copy of a NodeInfo (which
    /// the scheduler makes for every plugin call on every node) costs one retain, not five.
    private final class Storage: @unchecked Sendable {
        var name: String
        var labels: [String: String]
        var taints: [Taint]
        var pods: [String: (requests: ResourceAmounts, nonZero: ResourceAmounts)]

        init(
            name: String, labels: [String: String], taints: [Taint],
            pods: [String: (requests: ResourceAmounts, nonZero: ResourceAmounts)]
        ) {
            self.name = name
            self.labels = labels
            self.taints = taints
            self.pods = pods
        }

        func copy() -> Storage { Storage(name: name, labels: labels, taints: taints, pods: pods) }
    }

    private var storage: Storage
    public var unschedulable: Bool
    public var allocatable: ResourceAmounts
    /// The sum of the requests of the pods on the node (filtering).
    public private(set) var requested = ResourceAmounts.zero
    /// The same with kube-scheduler's non-zero defaults (scoring).
    public private(set) var nonZeroRequested = ResourceAmounts.zero

    public var name: String {
        get { storage.name }
        set { mutableStorage.name = newValue }
    }

    public var labels: [String: String] {
        get { storage.labels }
        set { mutableStorage.labels = newValue }
    }

    public var taints: [Taint] {
        get { storage.taints }
        set { mutableStorage.taints = newValue }
    }

    /// The pods counted in ``requested``, by uid, with what each added.
    public var pods: [String: (requests: ResourceAmounts, nonZero: ResourceAmounts)] { storage.pods }

    private var mutableStorage: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public init(
        name: String, labels: [String: String] = [:], taints: [Taint] = [], unschedulable: Bool = false,
        allocatable: ResourceAmounts
    ) {
        storage = Storage(name: name, labels: labels, taints: taints, pods: [:])
        self.unschedulable = unschedulable
        self.allocatable = allocatable
    }

    public init(_ node: JSONValue) {
        let view = Node(node)
        self.init(
            name: node.name ?? "", labels: node.labels, taints: view.taints.compactMap(Taint.init(json:)),
            unschedulable: view.unschedulable,
            allocatable: ResourceAmounts(resourceList: view.allocatable ?? view.capacity))
    }

    /// Whether the fields plugins reading only the node (not its pods) look at are the same.
    func hasSameOwnFields(as other: NodeInfo) -> Bool {
        unschedulable == other.unschedulable && name == other.name && taints == other.taints && labels == other.labels
    }

    /// Takes the node's own fields from a newer version of it, keeping the pods.
    mutating func updateNode(from other: NodeInfo) {
        labels = other.labels
        taints = other.taints
        unschedulable = other.unschedulable
        allocatable = other.allocatable
    }

    public mutating func add(_ pod: SchedulingPod) {
        guard storage.pods[pod.uid] == nil else { return }
        mutableStorage.pods[pod.uid] = (pod.requests, pod.nonZeroRequests)
        requested = requested + pod.requests
        nonZeroRequested = nonZeroRequested + pod.nonZeroRequests
    }

    public mutating func remove(podUID uid: String) {
        guard storage.pods[uid] != nil, let removed = mutableStorage.pods.removeValue(forKey: uid) else { return }
        requested = requested - removed.requests
        nonZeroRequested = nonZeroRequested - removed.nonZero
    }
}
