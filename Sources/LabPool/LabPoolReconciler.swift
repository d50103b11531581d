import ControllerKit
import KubeClient
import KubeModel
import Logging

/// Keeps a pool's members: for `spec.size` N, the namespaces and LabClusters `1…N` (owned by the
/// pool, so deleting the pool removes its clusters and their VMs), and the pool's counts in
/// its status. Members beyond the size go once no session holds them.
struct LabPoolReconciler: Reconciler {
    let api: any KubernetesAPI
    let pools: Informer
    let clusters: Informer
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let pool = pools.get(key), pool.deletionTimestamp == nil, let poolName = pool.name, let uid = pool.uid else {
            return .done
        }
        let size = Int(pool[path: ["spec", "size"]]?.intValue ?? 0)
        let owner: JSONValue = [["apiVersion": .string(Lab.apiVersion), "kind": "LabPool", "name": .string(poolName),
                                 "uid": .string(uid), "controller": true, "blockOwnerDeletion": true]]
        for index in stride(from: 1, through: size, by: 1) {
            let id = Lab.clusterID(pool: poolName, index: index)
            let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace",
                                        "metadata": ["name": .string(id), "labels": .object([Lab.poolLabel: .string(poolName)]),
                                                     "ownerReferences": owner]]
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(.namespaces, object: namespace)
            }
            guard clusters.get(namespace: id, name: id) == nil else { continue }
            let cluster: JSONValue = ["apiVersion": .string(Lab.apiVersion), "kind": "LabCluster",
                                      "metadata": ["name": .string(id), "namespace": .string(id),
                                                   "labels": .object([Lab.poolLabel: .string(poolName)]), "ownerReferences": owner],
                                      "spec": ["pool": .string(poolName), "index": .int(Int64(index))]]
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(.labClusters, namespace: id, object: cluster)
            }
        }
        let members = clusters.list().filter { $0[path: ["spec", "pool"]]?.stringValue == poolName }
        for member in members where Int(member[path: ["spec", "index"]]?.intValue ?? 0) > size
            && member[path: ["status", "phase"]]?.stringValue != Lab.Phase.locked.rawValue {
            guard let id = member.namespace else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(.namespaces, name: id)
            }
        }
        var counts: [String: Int] = [:]
        for member in members { counts[member[path: ["status", "phase"]]?.stringValue ?? Lab.Phase.creating.rawValue, default: 0] += 1 }
        let status: JSONValue = [
            "size": .int(Int64(size)),
            "available": .int(Int64(counts[Lab.Phase.available.rawValue] ?? 0)),
            "locked": .int(Int64(counts[Lab.Phase.locked.rawValue] ?? 0)),
            "resetting": .int(Int64(counts[Lab.Phase.resetting.rawValue] ?? 0)),
            "creating": .int(Int64(counts[Lab.Phase.creating.rawValue] ?? 0)),
            "error": .int(Int64(counts[Lab.Phase.error.rawValue] ?? 0)),
        ]
        if pool["status"] != status {
            var updated = pool
            updated["status"] = status
            _ = try await api.updateStatus(.labPools, object: updated)
        }
        return .done
    }
}
