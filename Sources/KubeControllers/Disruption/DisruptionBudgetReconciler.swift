import ControllerKit
import KubeClient
import KubeModel
import Logging

/// Keeps a PodDisruptionBudget's status (kube-controller-manager's disruption controller):
/// how many selected pods are healthy, how many must stay, how many may be disrupted, and the
/// `DisruptionAllowed` condition that the eviction API (and `kubectl drain`) consult.
///
/// A budget given as `maxUnavailable` or a `minAvailable` percentage counts the replicas its
/// pods' controllers want (a Deployment through its ReplicaSet, a ReplicaSet,
/// ReplicationController or StatefulSet); a pod without one makes the status fail safe
/// (`SyncFailed`, no disruption allowed), as in Kubernetes. Controllers of other kinds (a
/// custom resource with a scale subresource) are not looked up: they fail safe too.
struct DisruptionBudgetReconciler: Reconciler {
    let api: any KubernetesAPI
    let budgets: Informer
    let pods: Informer
    /// The caches of the controllers whose scale a budget may need, by kind.
    let controllers: [String: Informer]
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = budgets.get(key), !PodDisruptionBudget(object).isDeleting else { return .done }
        let budget = PodDisruptionBudget(object)
        var updated = object
        do throws(ScaleLookupError) {
            updated["status"] = try status(of: budget).applied(to: object["status"], generation: object.generation)
        } catch {
            updated["status"] = DisruptionBudgetStatus.failSafe(
                object["status"], message: error.message, generation: object.generation)
        }
        try await api.updateStatusIfChanged(WorkloadResources.podDisruptionBudgets, current: object, updated: updated)
        return .done
    }

    private func status(of budget: PodDisruptionBudget) throws(ScaleLookupError) -> DisruptionBudgetStatus {
        guard let selector = budget.selector else { throw ScaleLookupError(message: "invalid selector") }
        let selected = pods.list(namespace: budget.namespace, matching: selector)
        let healthy = selected.count { !Pod($0).isDeleting && Pod($0).isReady }
        var scale = 0
        if DisruptionBudgetStatus.needsControllerScale(minAvailable: budget.minAvailable, maxUnavailable: budget.maxUnavailable) {
            scale = try expectedScale(of: selected)
        }
        return DisruptionBudgetStatus(
            minAvailable: budget.minAvailable, maxUnavailable: budget.maxUnavailable, pods: selected.count,
            healthy: healthy, controllerScale: scale)
    }

    /// The summed `spec.replicas` of the pods' controllers, each counted once
    /// (`getExpectedScale`).
    func expectedScale(of selected: [JSONValue]) throws(ScaleLookupError) -> Int {
        var scales: [String: Int] = [:]
        for pod in selected {
            guard let reference = pod.controllerReference else {
                throw ScaleLookupError(message: "found no controller ref for pod \"\(pod.name ?? "")\"")
            }
            guard let (uid, replicas) = controllerScale(reference, namespace: pod.namespace) else {
                throw ScaleLookupError(message: "found no controllers for pod \"\(pod.name ?? "")\"")
            }
            scales[uid] = replicas
        }
        return scales.values.reduce(0, +)
    }

    /// The uid and wanted replicas of the controller a reference names; a ReplicaSet owned by
    /// a Deployment answers for the Deployment.
    private func controllerScale(_ reference: OwnerReference, namespace: String?) -> (String, Int)? {
        guard let informer = controllers[reference.kind],
            let owner = informer.get(namespace: namespace, name: reference.name), owner.uid == reference.uid
        else { return nil }
        if reference.kind == "ReplicaSet", let parent = owner.controllerReference, parent.kind == "Deployment" {
            return controllerScale(parent, namespace: namespace)
        }
        return (reference.uid, Int(owner[path: ["spec", "replicas"]]?.intValue ?? 1))
    }
}

/// Why a budget's expected pod count could not be found; its message goes into the
/// `SyncFailed` condition.
struct ScaleLookupError: Error, Sendable, Equatable {
    var message: String
}
