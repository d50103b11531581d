import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Runs a StatefulSet's pods as kube-controller-manager's StatefulSet controller does: one pod
/// per ordinal with a stable name, hostname and claims (``StatefulPod``), created, removed and
/// updated in the order ``StatefulSetPlan`` decides, each template kept as a
/// ControllerRevision (``RevisionHistory``) whose name is the pods' `controller-revision-hash`
/// label and the status' `currentRevision`/`updateRevision` — what `kubectl rollout
/// status|history|undo statefulset` read.
///
/// Not done: adopting orphaned pods, `persistentVolumeClaimRetentionPolicy.whenScaled`,
/// recreating a claim deleted under a running pod, the alpha `maxUnavailable`.
struct StatefulSetReconciler: Reconciler {
    let api: any KubernetesAPI
    let statefulSets: Informer
    let pods: Informer
    let history: RevisionHistory
    let events: EventRecorder
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = statefulSets.get(key), let uid = object.uid else { return .done }
        let set = StatefulSet(object)
        guard !set.isDeleting else { return .done }

        guard
            case (let update, let revisions)? = try await history.currentRevisions(
                of: object, WorkloadResources.statefulSets, template: set.template.json, collisionCount: set.collisionCount)
        else { return .requeue }
        let updateRevision = update.name ?? ""
        let currentRevision =
            set.currentRevision.flatMap { name in revisions.contains { $0.name == name } ? name : nil }
            ?? updateRevision
        let currentTemplate =
            revisions.first { $0.name == currentRevision }.flatMap(ControllerRevisions.template(of:)) ?? set.template.json

        let owned = pods.controlled(by: uid)
        let members = owned.compactMap { pod -> StatefulSetPlan.Member? in
            guard let ordinal = set.ordinal(ofPodNamed: pod.name ?? "") else { return nil }
            return StatefulSetPlan.Member(
                ordinal: ordinal, revision: Pod(pod).label(ControllerRevisions.hashLabel) ?? "",
                state: Self.state(of: pod, minReadySeconds: set.minReadySeconds))
        }
        let spec = StatefulSetPlan.Spec(
            replicas: set.replicas, startOrdinal: set.startOrdinal, parallel: set.isParallel, onDelete: set.isOnDelete,
            partition: set.partition, currentRevision: currentRevision, updateRevision: updateRevision)
        let byOrdinal = Dictionary(
            owned.compactMap { pod in set.ordinal(ofPodNamed: pod.name ?? "").map { ($0, pod) } },
            uniquingKeysWith: { first, _ in first })
        for action in StatefulSetPlan.actions(spec, members) {
            switch action {
            case .create(let ordinal, let revision):
                let template = revision == updateRevision ? set.template.json : currentTemplate
                try await create(ordinal, of: set, template: template, revision: revision)
            case .delete(let ordinal):
                guard let pod = byOrdinal[ordinal] else { continue }
                try await delete(pod, of: set)
            }
        }

        let status = StatefulSetStatus(
            pods: owned, wantedReplicas: set.replicas, rollingUpdate: !set.isOnDelete,
            currentRevision: currentRevision, updateRevision: updateRevision, minReadySeconds: set.minReadySeconds)
        var updated = object
        updated["status"] = status.applied(to: object["status"], generation: object.generation)
        try await api.updateStatusIfChanged(WorkloadResources.statefulSets, current: object, updated: updated)

        let live = Set([status.currentRevision, updateRevision] + owned.compactMap { Pod($0).label(ControllerRevisions.hashLabel) })
        try await history.prune(revisions, keeping: live, limit: set.revisionHistoryLimit)
        if let next = status.nextAvailable {
            return .requeueAfter(.milliseconds(max(100, Int(next.timeIntervalSinceNow * 1000) + 50)))
        }
        return .done
    }

    static func state(of object: JSONValue, minReadySeconds: Int, now: Date = Date()) -> StatefulSetPlan.Member.State {
        let pod = Pod(object)
        if pod.isDeleting { return .terminating }
        if pod.phase?.isFinished == true { return .finished }
        guard pod.phase == .running, pod.isReady else { return .unhealthy }
        let readySince = pod.conditions.condition("Ready")?.transitionDate ?? .distantPast
        return readySince.addingTimeInterval(TimeInterval(minReadySeconds)) <= now ? .healthy : .unhealthy
    }

    private func create(_ ordinal: Int, of set: StatefulSet, template: JSONValue, revision: String) async throws {
        let owner = OwnerReferences.reference(to: set.object, WorkloadResources.statefulSets)
        for claim in StatefulPod.claims(of: set, ordinal: ordinal, setOwner: owner) {
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(.persistentVolumeClaims, namespace: set.namespace, object: claim)
            }
        }
        let pod = StatefulPod.pod(of: set, ordinal: ordinal, template: template, revision: revision, owner: owner)
        let name = StatefulPod.name(of: set, ordinal: ordinal)
        do {
            // The name is fixed: a pod the cache does not show yet answers "already exists".
            guard
                try await tolerating(
                    KubeClientError.alreadyExists,
                    { () async throws(KubeClientError) in
                        try await api.create(.pods, namespace: set.namespace, object: pod)
                    }) != nil
            else { return }
        } catch {
            events.record(
                set.object.typed(WorkloadResources.statefulSets), type: .warning, reason: "FailedCreate",
                message: "create Pod \(name) in StatefulSet \(set.name) failed error: \(error.message)")
            throw error
        }
        events.record(
            set.object.typed(WorkloadResources.statefulSets), type: .normal, reason: "SuccessfulCreate",
            message: "create Pod \(name) in StatefulSet \(set.name) successful")
    }

    private func delete(_ pod: JSONValue, of set: StatefulSet) async throws {
        guard let name = pod.name else { return }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(.pods, namespace: set.namespace, name: name, options: DeleteOptions(preconditionUID: pod.uid))
        }
        events.record(
            set.object.typed(WorkloadResources.statefulSets), type: .normal, reason: "SuccessfulDelete",
            message: "delete Pod \(name) in StatefulSet \(set.name) successful")
    }
}
