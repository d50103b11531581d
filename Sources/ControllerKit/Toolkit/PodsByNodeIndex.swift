import KubeModel

/// The pod cache's index of pods by the node they are bound to (`spec.nodeName`), as
/// client-go users add it with `AddIndexers`: a simulated kubelet asks which pods it runs,
/// the capacity exporter which pods a node still holds. One index, one name, whoever adds it
/// first; adding it again rebuilds the same index.
public enum PodsByNodeIndex {
    /// The index's name in the pod informer's ``Indexer``.
    public static let name = "spec.nodeName"

    /// The node a pod is bound to; none for a pod not yet scheduled.
    public static let function: Indexer.IndexFunction = { pod in
        let view = Pod(pod)
        guard view.isBound, let node = view.nodeName else { return [] }
        return [node]
    }
}

extension Informer {
    /// Adds ``PodsByNodeIndex`` to a pod informer; existing objects are indexed at once.
    public func indexPodsByNode() {
        addIndex(PodsByNodeIndex.name, PodsByNodeIndex.function)
    }

    /// The cached pods bound to `node` (empty unless ``indexPodsByNode()`` was called).
    public func podsOnNode(_ node: String) -> [JSONValue] {
        byIndex(PodsByNodeIndex.name, node)
    }
}

extension Indexer {
    /// Adds ``PodsByNodeIndex`` to a cache of pods.
    public mutating func indexPodsByNode() {
        addIndex(PodsByNodeIndex.name, PodsByNodeIndex.function)
    }

    /// The pods bound to `node` (empty unless ``indexPodsByNode()`` was called).
    public func podsOnNode(_ node: String) -> [JSONValue] {
        byIndex(PodsByNodeIndex.name, node)
    }
}
