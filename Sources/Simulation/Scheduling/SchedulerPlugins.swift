import KubeModel

/// Why a node cannot take a pod, in kube-scheduler's words ("Insufficient cpu").
public struct FilterFailure: Sendable, Hashable {
    /// Usually one; resource fit names every resource that is short.
    public var reasons: [String]
    public init(_ reasons: String...) { self.reasons = reasons }
    public init(reasons: [String]) { self.reasons = reasons }
}

/// A filter plugin: can this node run the pod at all?
public protocol FilterPlugin: Sendable {
    var name: String { get }
    /// True when the verdict depends only on the pod's ``SchedulingPod/shape`` and the node's
    /// own fields (name, labels, taints, unschedulable), never on the pods placed there: the
    /// algorithm then asks once per pod shape and node, and remembers the answer until the
    /// node changes. Such filters are asked before the others. The default is false.
    var readsOnlyNodeFields: Bool { get }
    /// Nil when the node passes.
    func filter(_ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure?
    /// The same for many nodes at once; see the default implementation.
    func filter(
        _ pod: SchedulingPod, _ nodes: UnsafeBufferPointer<NodeInfo>, keeping candidates: inout [Int],
        reasons: inout [String: Int])
}

extension FilterPlugin {
    public var readsOnlyNodeFields: Bool { false }

    /// Removes from `candidates` (positions in `nodes`) the nodes that cannot run the pod,
    /// counting each failure's reasons. The algorithm asks this way: one call per plugin and
    /// window of nodes, in which `filter(_:_:)` reads each node where it lies instead of
    /// through a copy. `nodes` is valid only during the call.
    public func filter(
        _ pod: SchedulingPod, _ nodes: UnsafeBufferPointer<NodeInfo>, keeping candidates: inout [Int],
        reasons: inout [String: Int]
    ) {
        candidates.removeAll { index in
            guard let failure = filter(pod, nodes[index]) else { return false }
            for reason in failure.reasons { reasons[reason, default: 0] += 1 }
            return true
        }
    }
}

/// A score plugin: how good is this node for the pod (0…100 after normalisation)?
public protocol ScorePlugin: Sendable {
    var name: String { get }
    /// As for ``FilterPlugin/readsOnlyNodeFields``: the raw score is remembered per pod shape
    /// and node. The default is false.
    var readsOnlyNodeFields: Bool { get }
    func score(_ pod: SchedulingPod, _ node: NodeInfo) -> Int64
    /// The same for many nodes at once; see the default implementation.
    func score(_ pod: SchedulingPod, _ nodes: UnsafeBufferPointer<NodeInfo>, candidates: [Int], into scores: inout [Int64])
    /// Rescales the raw scores of all candidate nodes into 0…100; the default keeps them.
    func normalize(_ scores: inout [Int64])
}

extension ScorePlugin {
    public var readsOnlyNodeFields: Bool { false }
    public func normalize(_ scores: inout [Int64]) {}

    /// The raw score of each of `candidates` (positions in `nodes`), in order, into `scores`
    /// (as long as `candidates`): one call per plugin and cycle, as for filters. `nodes` is
    /// valid only during the call.
    public func score(
        _ pod: SchedulingPod, _ nodes: UnsafeBufferPointer<NodeInfo>, candidates: [Int], into scores: inout [Int64]
    ) {
        for (position, index) in candidates.enumerated() { scores[position] = score(pod, nodes[index]) }
    }
}

/// Scores are integers from 0 to this, as in kube-scheduler (`MaxNodeScore`).
public let maxNodeScore: Int64 = 100

/// `NodeUnschedulable`: cordoned nodes take only pods that tolerate the unschedulable taint.
public struct NodeUnschedulableFilter: FilterPlugin {
    public let name = "NodeUnschedulable"
    public var readsOnlyNodeFields: Bool { true }
    public init() {}

    public func filter(_ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure? {
        guard node.unschedulable else { return nil }
        let taint = Taint(key: "node.kubernetes.io/unschedulable", effect: .noSchedule)
        return pod.tolerations.contains { $0.tolerates(taint) } ? nil : FilterFailure("node(s) were unschedulable")
    }
}

/// `NodeName`: a pod that names its node runs there or nowhere.
public struct NodeNameFilter: FilterPlugin {
    public let name = "NodeName"
    public var readsOnlyNodeFields: Bool { true }
    public init() {}

    public func filter(_ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure? {
        guard let wanted = pod.nodeName, wanted != node.name else { return nil }
        return FilterFailure("node(s) didn't match the requested node name")
    }
}

/// `NodeAffinity` as a filter: `nodeSelector` and the required node affinity terms (any term).
public struct NodeAffinityFilter: FilterPlugin {
    public let name = "NodeAffinity"
    public var readsOnlyNodeFields: Bool { true }
    public init() {}

    public func filter(_ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure? {
        for (key, value) in pod.nodeSelector where node.labels[key] != value {
            return FilterFailure("node(s) didn't match Pod's node affinity/selector")
        }
        if let terms = pod.requiredNodeAffinity,
            !terms.contains(where: { $0.matches(labels: node.labels, nodeName: node.name) })
        {
            return FilterFailure("node(s) didn't match Pod's node affinity/selector")
        }
        return nil
    }
}

/// `TaintToleration` as a filter: every NoSchedule and NoExecute taint must be tolerated.
public struct TaintTolerationFilter: FilterPlugin {
    public let name = "TaintToleration"
    public var readsOnlyNodeFields: Bool { true }
    public init() {}

    public func filter(_ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure? {
        for taint in node.taints where taint.effect != .preferNoSchedule {
            if !pod.tolerations.contains(where: { $0.tolerates(taint) }) {
                return FilterFailure("node(s) had untolerated taint \(taint)")
            }
        }
        return nil
    }
}

/// `NodeResourcesFit` as a filter: pods, CPU and memory must fit in what is left allocatable.
public struct ResourcesFitFilter: FilterPlugin {
    public let name = "NodeResourcesFit"
    public init() {}

    public func filter(_ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure? {
        var reasons: [String] = []
        if node.requested.pods + 1 > node.allocatable.pods { reasons.append("Too many pods") }
        if pod.requests.milliCPU > 0, node.requested.milliCPU + pod.requests.milliCPU > node.allocatable.milliCPU {
            reasons.append("Insufficient cpu")
        }
        if pod.requests.memory > 0, node.requested.memory + pod.requests.memory > node.allocatable.memory {
            reasons.append("Insufficient memory")
        }
        return reasons.isEmpty ? nil : FilterFailure(reasons: reasons)
    }
}

/// `NodeResourcesFit` scoring strategies (CPU and memory, weight 1 each, as by default).
public enum ResourceScoringStrategy: String, Sendable, CaseIterable {
    /// Prefer the emptiest node: spreads load (kube-scheduler's default).
    case leastAllocated = "LeastAllocated"
    /// Prefer the fullest node that fits: packs load, leaving whole nodes free.
    case mostAllocated = "MostAllocated"
}

public struct ResourcesFitScore: ScorePlugin {
    public let name = "NodeResourcesFit"
    public let strategy: ResourceScoringStrategy
    public init(strategy: ResourceScoringStrategy = .leastAllocated) { self.strategy = strategy }

    public func score(_ pod: SchedulingPod, _ node: NodeInfo) -> Int64 {
        let cpu = resourceScore(
            requested: node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU,
            capacity: node.allocatable.milliCPU)
        let memory = resourceScore(
            requested: node.nonZeroRequested.memory + pod.nonZeroRequests.memory,
            capacity: node.allocatable.memory)
        return (cpu + memory) / 2
    }

    private func resourceScore(requested: Int64, capacity: Int64) -> Int64 {
        guard capacity > 0, requested <= capacity else { return 0 }
        switch strategy {
        case .leastAllocated: return (capacity - requested) * maxNodeScore / capacity
        case .mostAllocated: return requested * maxNodeScore / capacity
        }
    }
}

/// `NodeResourcesBalancedAllocation`: prefer nodes whose CPU and memory fill evenly, scored
/// as `(1 − standard deviation of the fractions) × 100`.
public struct BalancedAllocationScore: ScorePlugin {
    public let name = "NodeResourcesBalancedAllocation"
    public init() {}

    public func score(_ pod: SchedulingPod, _ node: NodeInfo) -> Int64 {
        guard pod.requests.milliCPU > 0 || pod.requests.memory > 0 else { return 0 }
        let cpu = fraction(node.requested.milliCPU + pod.requests.milliCPU, node.allocatable.milliCPU)
        let memory = fraction(node.requested.memory + pod.requests.memory, node.allocatable.memory)
        // With two resources the standard deviation is half their difference.
        let deviation = abs(cpu - memory) / 2
        return Int64((1 - deviation) * Double(maxNodeScore))
    }

    private func fraction(_ requested: Int64, _ capacity: Int64) -> Double {
        guard capacity > 0 else { return 1 }
        return min(1, Double(requested) / Double(capacity))
    }
}

/// `TaintToleration` scoring: fewer untolerated PreferNoSchedule taints is better.
public struct TaintTolerationScore: ScorePlugin {
    public let name = "TaintToleration"
    public var readsOnlyNodeFields: Bool { true }
    public init() {}

    public func score(_ pod: SchedulingPod, _ node: NodeInfo) -> Int64 {
        var count: Int64 = 0
        for taint in node.taints
        where taint.effect == .preferNoSchedule
            && !pod.tolerations.contains(where: { $0.tolerates(taint) })
        {
            count += 1
        }
        return count
    }

    /// Reverse normalisation: the node with the most untolerated taints gets 0, none gets 100.
    public func normalize(_ scores: inout [Int64]) {
        let highest = scores.max() ?? 0
        for index in scores.indices {
            scores[index] = highest == 0 ? maxNodeScore : maxNodeScore - scores[index] * maxNodeScore / highest
        }
    }
}

/// `NodeAffinity` scoring: the sum of the weights of the preferred terms a node matches,
/// scaled so the best node gets 100.
public struct NodeAffinityScore: ScorePlugin {
    public let name = "NodeAffinity"
    public var readsOnlyNodeFields: Bool { true }
    public init() {}

    public func score(_ pod: SchedulingPod, _ node: NodeInfo) -> Int64 {
        var total: Int64 = 0
        for preferred in pod.preferredNodeAffinity where preferred.term.matches(labels: node.labels, nodeName: node.name) {
            total += preferred.weight
        }
        return total
    }

    public func normalize(_ scores: inout [Int64]) {
        let highest = scores.max() ?? 0
        guard highest > 0 else { return }
        for index in scores.indices { scores[index] = scores[index] * maxNodeScore / highest }
    }
}
