import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Runs one pod of a DaemonSet on every node that should have one, as kube-controller-manager's
/// DaemonSet controller does: placement by ``DaemonPlacement`` (node selector, node affinity,
/// taints against the template's tolerations plus the standard daemon tolerations), each pod
/// pinned to its node by a `metadata.name` node affinity for the scheduler to bind, replaced
/// within `maxUnavailable` on a template change (``DaemonSetPlan``); each template kept as a
/// ControllerRevision whose hash is the pods' `controller-revision-hash` label.
///
/// Not done: `maxSurge` (pods are replaced in place), the backoff before replacing a failed
/// pod, adopting orphaned pods.
struct DaemonSetReconciler: Reconciler {
    let api: any KubernetesAPI
    let daemonSets: Informer
    let pods: Informer
    let nodes: Informer
    let history: RevisionHistory
    let expectations: DaemonPodExpectations
    let events: EventRecorder
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = daemonSets.get(key), let uid = object.uid else {
            expectations.forget(key)
            return .done
        }
        let set = DaemonSet(object)
        guard !set.isDeleting else { return .done }

        guard
            case (let update, let revisions)? = try await history.currentRevisions(
                of: object, WorkloadResources.daemonSets, template: set.template.json, collisionCount: set.collisionCount)
        else { return .requeue }
        let hash = update.labels[ControllerRevisions.hashLabel] ?? ""

        let now = Date()
        let owned = pods.controlled(by: uid).filter { !Self.isDeletedTerminal($0) }
        let awaiting = expectations.nodesAwaitingPods(owner: key, cachedPods: Set(owned.compactMap(\.name)))
        let podSpec = DaemonPlacement.withStandardTolerations(set.template.json["spec"] ?? [:])
        var byNode: [String: [DaemonSetPlan.DaemonPod]] = [:]
        var nextAvailable: Date?
        for (age, pod) in owned.sorted(by: Self.olderFirst).enumerated() {
            guard let node = DaemonPlacement.targetNode(of: pod) else { continue }
            let view = Pod(pod)
            let readySince = view.conditions.condition("Ready")?.transitionDate ?? .distantPast
            let availableAt = readySince.addingTimeInterval(TimeInterval(set.minReadySeconds))
            if view.isReady, availableAt > now, nextAvailable.map({ availableAt < $0 }) ?? true { nextAvailable = availableAt }
            byNode[node, default: []].append(
                DaemonSetPlan.DaemonPod(
                    name: pod.name ?? "", hash: view.label(ControllerRevisions.hashLabel) ?? "", ready: view.isReady,
                    available: view.isReady && availableAt <= now, terminating: view.isDeleting,
                    failed: view.phase == .failed, age: age))
        }
        let states = nodes.list().compactMap { node -> DaemonSetPlan.NodeState? in
            guard let name = node.name else { return nil }
            return DaemonSetPlan.NodeState(
                name: name, verdict: DaemonPlacement.verdict(podSpec: podSpec, node: node), pods: byNode[name] ?? [])
        }
        let status = DaemonSetPlan.status(states, hash: hash)
        let actions = DaemonSetPlan.actions(
            states, hash: hash, rollingUpdate: !set.isOnDelete,
            maxUnavailable: set.maxUnavailable(desired: status.desiredNumberScheduled))
        for node in actions.createOn where !awaiting.contains(node) {
            try await create(on: node, for: set, podSpec: podSpec, hash: hash, key: key)
        }
        for name in actions.delete {
            guard let pod = owned.first(where: { $0.name == name }) else { continue }
            try await delete(pod, of: set)
        }

        var updated = object
        updated["status"] = Self.applied(status, to: object["status"], generation: object.generation)
        try await api.updateStatusIfChanged(WorkloadResources.daemonSets, current: object, updated: updated)
        let liveHashes = Set(owned.compactMap { Pod($0).label(ControllerRevisions.hashLabel) } + [hash])
        let live = Set(revisions.filter { liveHashes.contains($0.labels[ControllerRevisions.hashLabel] ?? "") }.compactMap(\.name))
        try await history.prune(revisions, keeping: live, limit: set.revisionHistoryLimit)
        if let nextAvailable {
            return .requeueAfter(.milliseconds(max(100, Int(nextAvailable.timeIntervalSince(now) * 1000) + 50)))
        }
        return .done
    }

    /// A finished pod being deleted counts for nothing (`getNodesToDaemonPods` leaves out
    /// deleted terminal pods).
    static func isDeletedTerminal(_ pod: JSONValue) -> Bool {
        Pod(pod).isDeleting && Pod(pod).phase?.isFinished == true
    }

    static func olderFirst(_ a: JSONValue, _ b: JSONValue) -> Bool {
        let left = Pod(a).creationDate ?? .distantFuture
        let right = Pod(b).creationDate ?? .distantFuture
        return left != right ? left < right : (a.name ?? "") < (b.name ?? "")
    }

    static func applied(_ status: DaemonSetPlan.Status, to current: JSONValue?, generation: Int64?) -> JSONValue {
        var json = current ?? [:]
        json["desiredNumberScheduled"] = .int(Int64(status.desiredNumberScheduled))
        json["currentNumberScheduled"] = .int(Int64(status.currentNumberScheduled))
        json["numberMisscheduled"] = .int(Int64(status.numberMisscheduled))
        json["numberReady"] = .int(Int64(status.numberReady))
        json["numberAvailable"] = status.numberAvailable > 0 ? .int(Int64(status.numberAvailable)) : nil
        json["numberUnavailable"] = status.numberUnavailable > 0 ? .int(Int64(status.numberUnavailable)) : nil
        json["updatedNumberScheduled"] = .int(Int64(status.updatedNumberScheduled))
        if let generation { json["observedGeneration"] = .int(generation) }
        return json
    }

    private func create(on node: String, for set: DaemonSet, podSpec: JSONValue, hash: String, key: ObjectKey) async throws {
        var template = set.template.json
        var spec = podSpec
        spec["affinity"] = DaemonPlacement.pinned(spec["affinity"], to: node)
        template["spec"] = spec
        var labels = [ControllerRevisions.hashLabel: hash]
        if let generation = set.generation { labels[DaemonSet.templateGenerationLabel] = String(generation) }
        let pod = Pod.fromTemplate(
            template, generateName: "\(set.name)-", namespace: set.namespace,
            owner: OwnerReferences.reference(to: set.object, WorkloadResources.daemonSets), extraLabels: labels)
        let stored: JSONValue
        do {
            stored = try await api.create(.pods, namespace: set.namespace, object: pod)
        } catch {
            events.record(
                set.object.typed(WorkloadResources.daemonSets), type: .warning, reason: "FailedCreate",
                message: "Error creating: \(error.message)")
            throw error
        }
        expectations.created(stored.name ?? "", on: node, by: key)
        events.record(
            set.object.typed(WorkloadResources.daemonSets), type: .normal, reason: "SuccessfulCreate",
            message: "Created pod: \(stored.name ?? "")")
    }

    private func delete(_ pod: JSONValue, of set: DaemonSet) async throws {
        guard let name = pod.name else { return }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(.pods, namespace: set.namespace, name: name, options: DeleteOptions(preconditionUID: pod.uid))
        }
        events.record(
            set.object.typed(WorkloadResources.daemonSets), type: .normal, reason: "SuccessfulDelete",
            message: "Deleted pod: \(name)")
    }
}
