import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Keeps `spec.replicas` pods of a ReplicaSet's template in existence, and reports how many
/// exist, are ready and are available (kube-controller-manager's ReplicaSet controller).
///
/// Pods are found by their controller reference (the index ``ControllerUIDIndex``); pods the
/// cache does not show yet, or still shows after this controller deleted them, are laid over
/// it by ``PodExpectations``. Orphaned pods that match the selector are not adopted.
///
/// A ReplicationController is the same controller with another kind: `resource` says which
/// one it reconciles (``WorkloadResources/replicaSets`` or
/// ``WorkloadResources/replicationControllers``), and owner references, status writes and
/// events follow it. The two kinds differ only in their selector's shape, which this
/// controller does not read (it finds pods by owner).
struct ReplicaSetReconciler: Reconciler {
    let api: any KubernetesAPI
    /// The kind reconciled: ReplicaSets, or ReplicationControllers.
    let resource: ResourceType
    /// The informer of `resource`.
    let replicaSets: Informer
    let pods: Informer
    let expectations: PodExpectations
    let events: EventRecorder
    let logger: Logger

    /// Pods created at once grow 1, 2, 4 … as the ReplicaSet controller's "slow start" does:
    /// a template the API refuses fails once, not five hundred times.
    static let maxBatch = 64

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = replicaSets.get(key), let uid = object.uid else {
            expectations.forget(key)
            return .done
        }
        let replicaSet = ReplicaSet(object)
        let owned = pods.controlled(by: uid)
        let active = owned.filter { Pod($0).isActive }
        if !replicaSet.isDeleting {
            let alive = expectations.alive(
                Set(active.compactMap(\.name)), allCached: Set(owned.compactMap(\.name)),
                owner: key)
            let missing = replicaSet.replicas - alive.count
            if missing > 0 {
                try await create(missing, for: replicaSet, key: key)
            } else if missing < 0 {
                try await delete(
                    PodDeletionOrder.pick(-missing, from: active.filter { alive.contains($0.name ?? "") }),
                    of: replicaSet, key: key)
            }
        }
        let status = ReplicaSetStatus(
            pods: active, templateLabels: replicaSet.template.json.labels,
            minReadySeconds: replicaSet.minReadySeconds)
        var updated = object
        updated["status"] = status.applied(to: object["status"], generation: object.generation)
        try await api.updateStatusIfChanged(resource, current: object, updated: updated)
        if let next = status.nextAvailable {
            return .requeueAfter(.milliseconds(max(100, Int(next.timeIntervalSinceNow * 1000) + 50)))
        }
        return .done
    }

    private func create(_ count: Int, for replicaSet: ReplicaSet, key: ObjectKey) async throws {
        let owner = OwnerReferences.reference(to: replicaSet.object, resource)
        let pod = Pod.fromTemplate(
            replicaSet.template.json, generateName: "\(replicaSet.name)-",
            namespace: replicaSet.namespace, owner: owner)
        var remaining = count
        var batch = 1
        var created = 0
        while remaining > 0 {
            let size = min(batch, remaining)
            let outcome = await withTaskGroup(of: Result<String, KubeClientError>.self) { group in
                for _ in 0..<size {
                    group.addTask { [api] in
                        do throws(KubeClientError) {
                            let stored = try await api.create(.pods, namespace: replicaSet.namespace, object: pod)
                            return .success(stored.name ?? "")
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var failure: KubeClientError?
                for await result in group {
                    switch result {
                    case .success(let name):
                        expectations.created(name, by: key)
                        created += 1
                    case .failure(let error): failure = failure ?? error
                    }
                }
                return failure
            }
            if let failure = outcome {
                events.record(
                    replicaSet.object.typed(resource), type: .warning,
                    reason: "FailedCreate", message: "Error creating: \(failure.message)")
                throw failure
            }
            remaining -= size
            batch = min(batch * 2, Self.maxBatch)
        }
        events.record(
            replicaSet.object.typed(resource), type: .normal, reason: "SuccessfulCreate",
            message: "Created \(created) pod\(created == 1 ? "" : "s")")
    }

    private func delete(_ victims: [JSONValue], of replicaSet: ReplicaSet, key: ObjectKey) async throws {
        for pod in victims {
            guard let name = pod.name else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(
                    .pods, namespace: replicaSet.namespace, name: name,
                    options: DeleteOptions(preconditionUID: pod.uid))
            }
            expectations.deleted(name, by: key)
            events.record(
                replicaSet.object.typed(resource), type: .normal,
                reason: "SuccessfulDelete", message: "Deleted pod: \(name)")
        }
    }
}
