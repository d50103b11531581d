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
        guard let stored = pools.get(key), stored.deletionTimestamp == nil, stored.uid != nil else { return .done }
        let pool = LabPoolObject(stored)
        let poolName = pool.name
        let size = pool.size
        for index in stride(from: 1, through: size, by: 1) {
            let id = Lab.clusterID(pool: poolName, index: index)
            var namespace: JSONValue = [
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": ["name": .string(id), "labels": .object([Lab.poolLabel: .string(poolName)])],
            ]
            try OwnerReferences.setController(stored, .labPools, on: &namespace)
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(.namespaces, object: namespace)
            }
            guard clusters.get(namespace: id, name: id) == nil else { continue }
            var cluster = LabClusterObject(id: id, pool: poolName, index: index)
            try OwnerReferences.setController(stored, .labPools, on: &cluster.object)
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(.labClusters, namespace: id, object: cluster.object)
            }
        }
        let members = clusters.list().map(LabClusterObject.init).filter { $0.pool == poolName }
        for member in members where Int(member.index) > size && member.phase != .locked {
            guard let id = member.object.namespace else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(.namespaces, name: id)
            }
        }
        // A member without a phase is being created.
        var counts: [Lab.Phase: Int] = [:]
        for member in members { counts[member.phase ?? .creating, default: 0] += 1 }
        var updated = pool
        updated.setStatus(.init(size: size, byPhase: counts))
        try await api.updateStatusIfChanged(.labPools, current: pool.object, updated: updated.object)
        return .done
    }
}
