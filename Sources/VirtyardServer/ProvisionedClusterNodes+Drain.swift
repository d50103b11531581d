import Foundation
import KubeModel
import KubeServer
import Provisioning

/// `kubectl drain` inside a provisioned cluster's virtual cluster (``NodeDrain`` decides):
/// the Node is cordoned, then its pods are deleted from the store as the eviction API would —
/// a pod with finalizers is marked for deletion, others go at once. The virtual cluster's
/// scheduler skips a cordoned Node, so a controller's replacement pods land elsewhere.
/// (PodDisruptionBudgets are not consulted here: the eviction API of the embedded server is
/// not reached from inside the process.)
extension ProvisionedClusterNodes {
    static let pods = GroupResource(group: "", resource: "pods")

    /// Cordons `name` and deletes its pods; returns those still there (`namespace/name`).
    static func drain(_ name: String, in cluster: VirtualCluster, now: String = Timestamp.now()) async throws -> [String] {
        guard cluster.store.get(key(name)) != nil else { return [] }
        try await cluster.store.mutate(key(name)) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var object = current?.object, !NodeDrain.isCordoned(object) else { return .unchanged }
            object[path: ["spec", "unschedulable"]] = true
            return .put(object)
        }
        let bound = NodeDrain.podsToEvict(cluster.store.list(pods).items.map(\.object), node: name)
        for pod in bound where pod.deletionTimestamp == nil {
            let podKey = StorageKey(pods, namespace: pod.namespace ?? "", name: pod.name ?? "")
            try await cluster.store.mutate(podKey) { (current: StoredObject?) throws(APIError) -> Mutation in
                guard var object = current?.object else { return .unchanged }
                guard !object.finalizers.isEmpty else { return .delete }
                object[path: ["metadata", "deletionTimestamp"]] = .string(now)
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
                return .put(object)
            }
        }
        return NodeDrain.podsToEvict(cluster.store.list(pods).items.map(\.object), node: name).map(NodeDrain.reference)
    }
}
