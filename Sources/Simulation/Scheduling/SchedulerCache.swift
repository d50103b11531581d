import Synchronization

/// The cluster as the scheduler last saw it: every node with the pods counted on it, in a
/// stable order so that scans can resume where the previous one stopped.
public struct SchedulerCache: Sendable {
    public private(set) var nodes: [NodeInfo] = []
    private var indexByName: [String: Int] = [:]
    /// Which node each counted pod (by uid) is on.
    private var podNodes: [String: String] = [:]
    /// Pods counted on a node that is not (yet) known, by node name.
    private var orphanPods: [String: [String: SchedulingPod]] = [:]
    /// Where the next scan starts (kube-scheduler's `nextStartNodeIndex`), so that with
    /// `percentageOfNodesToScore` below 100 every node gets its turn.
    var nextStartNodeIndex = 0
    /// Changes whenever a node comes or goes or its own fields (name, labels, taints,
    /// unschedulable) change, but not when only pods come and go: verdicts remembered per node
    /// position from plugins that read only those fields hold while it stays the same. Drawn
    /// from one counter for the whole process, so a verdict from another cache (a previous
    /// term's, or a copy that has changed since) is never mistaken for current.
    private(set) var nodeFieldsVersion = SchedulerCache.nextVersion()

    private static let versions = Atomic<UInt64>(0)
    private static func nextVersion() -> UInt64 { versions.add(1, ordering: .relaxed).newValue }

    public init() {}

    public var nodeCount: Int { nodes.count }

    public func node(named name: String) -> NodeInfo? { indexByName[name].map { nodes[$0] } }

    public func nodeName(ofPod uid: String) -> String? { podNodes[uid] }

    /// Adds a node or refreshes its labels, taints and allocatable, keeping its pods.
    public mutating func upsertNode(_ info: NodeInfo) {
        if let index = indexByName[info.name] {
            if !nodes[index].hasSameOwnFields(as: info) { nodeFieldsVersion = Self.nextVersion() }
            nodes[index].updateNode(from: info)
            return
        }
        var info = info
        for pod in orphanPods.removeValue(forKey: info.name)?.values ?? [:].values { info.add(pod) }
        indexByName[info.name] = nodes.count
        nodes.append(info)
        nodeFieldsVersion = Self.nextVersion()
    }

    public mutating func removeNode(named name: String) {
        guard let index = indexByName.removeValue(forKey: name) else { return }
        let removed = nodes.remove(at: index)
        nodeFieldsVersion = Self.nextVersion()
        for position in index..<nodes.count { indexByName[nodes[position].name] = position }
        // Pods still bound to the node stay counted against its name should it come back.
        for (uid, counted) in removed.pods {
            orphanPods[name, default: [:]][uid] = SchedulingPod(
                namespace: "", name: "", uid: uid, requests: counted.requests,
                nonZeroRequests: counted.nonZero)
        }
        if nextStartNodeIndex >= nodes.count { nextStartNodeIndex = 0 }
    }

    /// Counts a pod on a node (bound, or assumed while its binding is in flight); counting the
    /// same pod again moves it.
    public mutating func addPod(_ pod: SchedulingPod, on nodeName: String) {
        if let current = podNodes[pod.uid] {
            if current == nodeName { return }
            removePod(uid: pod.uid)
        }
        podNodes[pod.uid] = nodeName
        if let index = indexByName[nodeName] {
            nodes[index].add(pod)
        } else {
            orphanPods[nodeName, default: [:]][pod.uid] = pod
        }
    }

    public mutating func removePod(uid: String) {
        guard let nodeName = podNodes.removeValue(forKey: uid) else { return }
        if let index = indexByName[nodeName] {
            nodes[index].remove(podUID: uid)
        } else {
            orphanPods[nodeName]?.removeValue(forKey: uid)
        }
    }
}
