import ControllerKit
import KubeClient
import KubeModel
import Logging

/// Rolls a Deployment's pod template out through ReplicaSets, as kube-controller-manager's
/// Deployment controller does: one ReplicaSet per template (named `<deployment>-<hash>`, the
/// hash also its pods' `pod-template-hash` label), numbered by the
/// `deployment.kubernetes.io/revision` annotation; the new one grown and the old ones shrunk
/// within `maxSurge`/`maxUnavailable` (``RolloutPlan``); old ones beyond
/// `revisionHistoryLimit` deleted once empty; status and the `Available`/`Progressing`
/// conditions that `kubectl rollout status` reads.
///
/// `kubectl rollout undo` needs nothing more: kubectl copies the old ReplicaSet's template
/// into the Deployment, this controller finds that ReplicaSet again by template and gives it
/// the next revision. Not done: adopting orphaned ReplicaSets, `progressDeadlineSeconds`
/// (`ProgressDeadlineExceeded` is never reported), proportional scaling of several live
/// ReplicaSets when `replicas` changes mid-rollout.
struct DeploymentReconciler: Reconciler {
    let api: any KubernetesAPI
    let deployments: Informer
    let replicaSets: Informer
    let events: EventRecorder
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = deployments.get(key), let uid = object.uid else { return .done }
        var deployment = Deployment(object)
        guard !deployment.isDeleting else { return .done }
        let owned = replicaSets.controlled(by: uid).sorted { ReplicaSet($0).revision < ReplicaSet($1).revision }
        let template = deployment.template
        var newObject = owned.first { ReplicaSet($0).template.equalIgnoringHash(template) }
        let old = owned.filter { $0.uid != newObject?.uid }
        let maxOldRevision = old.map { ReplicaSet($0).revision }.max() ?? 0
        var createdNew = false

        if !deployment.isPaused {
            if newObject == nil {
                guard let created = try await createNewReplicaSet(deployment, revision: maxOldRevision + 1, old: old)
                else { return .requeue }
                newObject = created
                createdNew = true
            } else if let existing = newObject {
                // A rollback to an old template makes that ReplicaSet the newest revision; a
                // change cause annotated after the rollout follows to it.
                newObject = try await syncAnnotations(of: existing, from: deployment, maxOldRevision: maxOldRevision)
            }
            if let newObject {
                deployment = try await recordRevision(of: ReplicaSet(newObject), on: deployment)
                if try await scale(deployment, new: ReplicaSet(newObject), old: old.map(ReplicaSet.init)) {
                    return .done
                }
            }
        }

        try await cleanUpHistory(deployment, old: old.map(ReplicaSet.init))
        try await writeStatus(
            deployment, new: newObject.map(ReplicaSet.init), all: owned.map(ReplicaSet.init),
            createdNew: createdNew)
        return .done
    }

    // MARK: The new ReplicaSet

    /// Creates the ReplicaSet for the current template; nil when a ReplicaSet of that name
    /// exists that the cache has not shown (requeue) or that holds another template (a hash
    /// collision: `status.collisionCount` grows, which changes the next name).
    private func createNewReplicaSet(_ deployment: Deployment, revision: Int, old: [JSONValue]) async throws -> JSONValue? {
        let hash = deployment.template.hash(collisionCount: deployment.collisionCount)
        let name = "\(deployment.name)-\(hash)"
        var template = deployment.template.json
        template.labels = template.labels.merging([PodTemplate.hashLabel: hash]) { _, new in new }
        var selector = deployment.selector
        selector[path: ["matchLabels", PodTemplate.hashLabel]] = .string(hash)
        let (maxSurge, _) = deployment.fenceposts
        let initial = RolloutPlan.newReplicaSetTarget(
            desired: deployment.replicas, maxSurge: maxSurge, new: .init(name: name, replicas: 0),
            old: old.map { .init(name: $0.name ?? "", replicas: ReplicaSet($0).replicas) })
        var annotations = deployment.annotations.filter { !Self.notCopiedAnnotations.contains($0.key) }
        annotations[Deployment.revisionAnnotation] = String(revision)
        annotations[Deployment.desiredReplicasAnnotation] = String(deployment.replicas)
        annotations[Deployment.maxReplicasAnnotation] = String(deployment.replicas + maxSurge)
        var replicaSet: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": ["name": .string(name), "namespace": .string(deployment.namespace)],
            "spec": [
                "replicas": .int(Int64(initial)), "selector": selector, "template": template,
                "minReadySeconds": deployment.object[field: Deployment.Field.minReadySeconds] ?? 0,
            ],
        ]
        replicaSet.labels = template.labels
        replicaSet.annotations = annotations
        replicaSet.ownerReferences = [OwnerReferences.reference(to: deployment.object, WorkloadResources.deployments)]
        let stored = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(WorkloadResources.replicaSets, namespace: deployment.namespace, object: replicaSet)
        }
        if let stored {
            events.record(
                deployment.object.typed(WorkloadResources.deployments), type: .normal,
                reason: "ScalingReplicaSet", message: "Scaled up replica set \(name) to \(initial)")
            return stored
        }
        let existing = try await api.get(WorkloadResources.replicaSets, namespace: deployment.namespace, name: name)
        if existing.isControlled(by: deployment.object), ReplicaSet(existing).template.equalIgnoringHash(deployment.template) {
            return nil
        }
        var updated = deployment.object
        updated[field: Deployment.Field.collisionCount] = .int((deployment.collisionCount ?? 0) + 1)
        try await api.updateStatus(WorkloadResources.deployments, namespace: deployment.namespace, object: updated)
        return nil
    }

    /// Annotations of the Deployment that do not belong on its ReplicaSets (the controller's
    /// `skipCopyAnnotation`).
    static let notCopiedAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", Deployment.revisionAnnotation,
        "deployment.kubernetes.io/revision-history", Deployment.desiredReplicasAnnotation,
        Deployment.maxReplicasAnnotation, "deprecated.deployment.rollback.to",
    ]

    private func syncAnnotations(
        of object: JSONValue, from deployment: Deployment,
        maxOldRevision: Int
    ) async throws -> JSONValue {
        var updated = object
        if ReplicaSet(object).revision <= maxOldRevision {
            updated.annotations[Deployment.revisionAnnotation] = String(maxOldRevision + 1)
        }
        if let cause = deployment.annotations[Deployment.changeCauseAnnotation] {
            updated.annotations[Deployment.changeCauseAnnotation] = cause
        }
        guard updated != object else { return object }
        return try await api.update(WorkloadResources.replicaSets, namespace: object.namespace, object: updated)
    }

    /// The Deployment carries its newest ReplicaSet's revision (and its change cause goes to
    /// the ReplicaSet, where `rollout history` reads it).
    private func recordRevision(of new: ReplicaSet, on deployment: Deployment) async throws -> Deployment {
        let revision = String(new.revision)
        guard deployment.annotations[Deployment.revisionAnnotation] != revision else { return deployment }
        var updated = deployment.object
        updated.annotations[Deployment.revisionAnnotation] = revision
        return Deployment(
            try await api.update(
                WorkloadResources.deployments, namespace: deployment.namespace,
                object: updated))
    }

    // MARK: Scaling

    /// Applies the next step of the rollout; returns whether anything was scaled (the status
    /// is then written on the pass the scaling's events bring).
    private func scale(_ deployment: Deployment, new: ReplicaSet, old: [ReplicaSet]) async throws -> Bool {
        func counts(_ replicaSet: ReplicaSet) -> RolloutPlan.Counts {
            .init(
                name: replicaSet.name, replicas: replicaSet.replicas, current: replicaSet.statusReplicas,
                available: replicaSet.availableReplicas)
        }
        let (maxSurge, maxUnavailable) = deployment.fenceposts
        let targets =
            deployment.isRecreate
            ? RolloutPlan.recreate(desired: deployment.replicas, new: counts(new), old: old.map(counts))
            : RolloutPlan.rollingUpdate(
                desired: deployment.replicas, maxSurge: maxSurge, maxUnavailable: maxUnavailable,
                new: counts(new), old: old.map(counts))
        for replicaSet in [new] + old {
            guard let target = targets[replicaSet.name], target != replicaSet.replicas else { continue }
            var updated = replicaSet
            updated.replicas = target
            if replicaSet.name == new.name {
                updated.annotations[Deployment.desiredReplicasAnnotation] = String(deployment.replicas)
                updated.annotations[Deployment.maxReplicasAnnotation] = String(deployment.replicas + maxSurge)
            }
            try await api.update(WorkloadResources.replicaSets, namespace: deployment.namespace, object: updated.object)
            let direction = target > replicaSet.replicas ? "up" : "down"
            events.record(
                deployment.object.typed(WorkloadResources.deployments), type: .normal, reason: "ScalingReplicaSet",
                message: "Scaled \(direction) replica set \(replicaSet.name) to \(target) from \(replicaSet.replicas)")
        }
        return !targets.isEmpty
    }

    /// Deletes the oldest empty ReplicaSets beyond `revisionHistoryLimit`.
    private func cleanUpHistory(_ deployment: Deployment, old: [ReplicaSet]) async throws {
        let empty = old.filter { $0.replicas == 0 && $0.statusReplicas == 0 && !$0.isDeleting }
        let excess = empty.count - max(0, deployment.revisionHistoryLimit)
        guard excess > 0 else { return }
        for replicaSet in empty.prefix(excess) {
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(
                    WorkloadResources.replicaSets, namespace: deployment.namespace, name: replicaSet.name,
                    options: DeleteOptions(preconditionUID: replicaSet.uid))
            }
        }
    }

    // MARK: Status

    private func writeStatus(_ deployment: Deployment, new: ReplicaSet?, all: [ReplicaSet], createdNew: Bool) async throws {
        let status = DeploymentStatus(deployment: deployment, new: new, all: all, createdNew: createdNew)
        var updated = deployment.object
        updated["status"] = status.applied(to: deployment.object["status"])
        try await api.updateStatusIfChanged(WorkloadResources.deployments, current: deployment.object, updated: updated)
    }
}
