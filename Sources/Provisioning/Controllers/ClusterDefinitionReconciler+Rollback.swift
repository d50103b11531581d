import ControllerKit
import Foundation
import KubeClient
import KubeModel

/// Failure and cancel: what the controller removes, and only that.
///
/// Rollback strategies (moxxie's `ProvisioningOptions.RollbackStrategy`, default FULL):
/// - FULL: a PROVISION removes everything the cluster made (VMs, Secrets, services, the
///   nested cluster).
/// - PARTIAL: a PROVISION removes the nodes that were not Ready; Ready ones stay, and so do
///   nodes their user halted and the last VM of each control plane group.
/// - FULL and PARTIAL alike: a SCALE or UPGRADE puts the previous node counts or the running
///   version back into the specification and converges to it (replacement nodes are replaced
///   back, never just deleted: no group, the control plane included, loses its last VM).
/// - NONE: leaves everything where it is.
/// - MARK_FAILED: leaves everything and marks the failed nodes' VMs
///   (`virtyard.io/provisioning-failed` with the reason) for debugging.
///
/// A failure ends ROLLED_BACK after FULL/PARTIAL and FAILED otherwise; a cancel ends CANCELLED.
extension ClusterDefinitionReconciler {
    /// The operation failed (`message`): record it and roll back per `strategy`.
    func fail(
        _ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject, message: String, strategy: RollbackStrategy
    ) async throws -> ReconcileResult {
        var failed = operation
        failed.stampIdentity()
        failed.errorMessage = message
        logger.warning("cluster operation failed", metadata: ["cluster": "\(cluster.namespace)/\(cluster.name)", "error": "\(message)"])
        switch strategy {
        case .full, .partial:
            failed.state = .rollingBack
            failed.currentOperation = "Rolling back (\(strategy.rawValue)): \(message)"
            let written = try await api.updateStatusIfChanged(.clusterOperations, current: operation.object, updated: failed.object)
            return try await rollBack(cluster, written.map(ClusterOperationObject.init) ?? failed, strategy: strategy)
        default:
            if strategy == .markFailed { try await markFailedNodes(cluster, failed) }
            try await setPhase(cluster, .failed, reason: "OperationFailed", message: message)
            try await finish(failed, cluster: cluster, state: .failed, message: message)
            return .done
        }
    }

    /// Continues (or starts) a rollback: deletes what the strategy removes, then ends the
    /// operation once it is gone. A cancel with NONE or MARK_FAILED just stops.
    func rollBack(
        _ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject, strategy: RollbackStrategy
    ) async throws -> ReconcileResult {
        let cancel = operation.cancelRequested
        let endState: ClusterPhase = cancel ? .cancelled : .rolledBack
        guard strategy == .full || strategy == .partial else {
            if strategy == .markFailed { try await markFailedNodes(cluster, operation) }
            let state: ClusterPhase = cancel ? .cancelled : .failed
            try await setPhase(
                cluster, state, reason: cancel ? "Cancelled" : "OperationFailed", message: operation.errorMessage ?? "cancelled")
            try await finish(operation, cluster: cluster, state: state, message: cancel ? "cancelled on request" : operation.errorMessage)
            return .done
        }
        var rolling = operation
        if rolling.state != .rollingBack {
            rolling.stampIdentity()
            rolling.state = .rollingBack
            rolling.currentOperation = cancel ? "Cancelling: rolling back (\(strategy.rawValue))" : "Rolling back (\(strategy.rawValue))"
            if let written = try await api.updateStatusIfChanged(.clusterOperations, current: operation.object, updated: rolling.object) {
                rolling = ClusterOperationObject(written)
            }
        }
        let cluster = try await setPhase(cluster, .rollingBack, reason: "RollingBack", message: rolling.currentOperation ?? "rolling back")
        if rolling.type == .scale || rolling.type == .upgrade {
            return try await restorePreviousSpec(cluster, rolling)
        }

        let namespace = cluster.namespace
        let wholeCluster = strategy == .full
        let targets = wholeCluster ? managedVMs(namespace: namespace, cluster: cluster.name) : partialTargets(cluster, rolling)
        for vm in targets where vm.deletionTimestamp == nil {
            let name = vm.name ?? ""
            if let access, vm.labels[ProvisioningLabels.nodeGroup] != nil, !wholeCluster {
                try? await access.removeNode(namespace: namespace, cluster: cluster.name, node: name)
            }
            try await deleteIfPresent(.virtualMachines, namespace: namespace, name: name)
            try await deleteOwnedSecret(namespace: namespace, name: "\(name)-userdata", cluster: cluster.name)
        }
        if wholeCluster { try await deleteClusterObjects(namespace: namespace, cluster: cluster.name) }
        guard targets.isEmpty else { return .requeueAfter(Self.inFlight) }
        if wholeCluster {
            // The informer may lag behind the deletes: the API has the last word.
            guard try await liveManagedVMs(namespace: namespace, cluster: cluster.name).isEmpty else {
                return .requeueAfter(Self.inFlight)
            }
            await access?.removeCluster(namespace: namespace, cluster: cluster.name)
        }
        let message = cancel ? "cancelled on request" : rolling.errorMessage
        try await setPhase(cluster, endState, reason: cancel ? "Cancelled" : "RolledBack", message: message ?? "rolled back")
        try await finish(rolling, cluster: cluster, state: endState, message: message)
        return .done
    }

    /// PARTIAL rollback of a PROVISION: the node VMs that were not Ready, except those their
    /// user halted and the last VM of each control plane group (lowest index kept).
    private func partialTargets(_ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject) -> [JSONValue] {
        let ready = Set(operation.nodeStates.filter { $0.status == .ready }.map(\.name))
        let nodeVMs = managedNodeVMs(namespace: cluster.namespace, cluster: cluster.name).sorted { ($0.name ?? "") < ($1.name ?? "") }
        var targets = nodeVMs.filter { !ready.contains($0.name ?? "") && !NodeObservation.isHalted($0) }
        let controlPlaneGroups: Set<String>
        if case .success(let spec) = cluster.spec {
            controlPlaneGroups = Set((spec.nodeGroups ?? []).filter { $0.role == .controlPlane }.compactMap(\.name))
        } else {
            controlPlaneGroups = []
        }
        for group in controlPlaneGroups {
            let members = nodeVMs.filter { $0.labels[ProvisioningLabels.nodeGroup] == group && $0.deletionTimestamp == nil }
            let doomed = Set(targets.filter { $0.labels[ProvisioningLabels.nodeGroup] == group }.compactMap(\.name))
            if let keep = members.first, members.allSatisfy({ doomed.contains($0.name ?? "") }) {
                targets.removeAll { $0.name == keep.name }
            }
        }
        return targets
    }

    /// SCALE and UPGRADE: the previous counts (recorded when the operation was taken up) or the
    /// running version go back into the specification, then the usual passes converge to it,
    /// in ROLLING_BACK until they are done (``finishPass``).
    private func restorePreviousSpec(_ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject) async throws
        -> ReconcileResult
    {
        if let restore = Self.restorePatch(cluster, operation) {
            logger.notice(
                "rolling back: restoring the previous specification",
                metadata: ["cluster": "\(cluster.namespace)/\(cluster.name)", "operation": "\(operation.name)"])
            _ = try await api.patch(.clusterDefinitions, namespace: cluster.namespace, name: cluster.name, patch: ["spec": restore])
            // The next pass records the new generation on the operation and converges.
            return .requeueAfter(Self.inFlight)
        }
        switch Self.validate(cluster) {
        case .success(let spec): return try await converge(cluster, operation, spec)
        case .failure(let refusal):
            return try await refuse(cluster, operation, reason: "RollbackFailed", message: "rollback failed: \(refusal.message)")
        }
    }

    /// The merge patch of `spec` that puts back what `operation` changed; nil when it is back.
    static func restorePatch(_ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject) -> JSONValue? {
        guard case .success(let spec) = cluster.spec else { return nil }
        switch operation.type {
        case .upgrade:
            guard let running = cluster.runningVersion, spec.version != running else { return nil }
            return ["version": .string(running)]
        case .scale:
            guard let previous = operation.previousNodeCounts, var groups = cluster.object[path: ["spec", "nodeGroups"]]?.arrayValue
            else { return nil }
            let temporary = Set(
                (spec.nodeGroups ?? []).filter { $0.role == .bootstrap || $0.lifecycle?.temporary == true }.compactMap(\.name))
            var changed = false
            for index in groups.indices {
                guard let name = groups[index]["name"]?.stringValue, !temporary.contains(name),
                    let count = previous[name], groups[index]["count"]?.intValue != Int64(count)
                else { continue }
                groups[index]["count"] = .int(Int64(count))
                changed = true
            }
            return changed ? ["nodeGroups": .array(groups)] : nil
        default:
            return nil
        }
    }

    /// MARK_FAILED: the failed nodes' VMs say why, and stay.
    private func markFailedNodes(_ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject) async throws {
        for node in operation.nodeStates where node.status == .failed {
            guard let vm = vms.get(namespace: cluster.namespace, name: node.name),
                vm.labels[ProvisioningLabels.managedBy] == ProvisioningLabels.managedByValue,
                vm.annotations[ProvisionedVMAnnotations.failed] == nil
            else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.patch(
                    .virtualMachines, namespace: cluster.namespace, name: node.name,
                    patch: ["metadata": ["annotations": [ProvisionedVMAnnotations.failed: .string(node.errorMessage ?? "failed")]]])
            }
        }
    }

    /// Writes the cluster's phase and Ready=False condition; returns the cluster as stored.
    @discardableResult
    func setPhase(
        _ cluster: ClusterDefinitionObject, _ phase: ClusterPhase, reason: String, message: String
    ) async throws -> ClusterDefinitionObject {
        var updated = cluster
        updated.phase = phase
        updated.observedGeneration = cluster.generation
        updated.statusOperationID = phase.isFinished ? nil : cluster.operationID
        var conditions = cluster.conditions
        StatusConditions.set(&conditions, Condition(type: ConditionType.ready, status: .false, reason: reason, message: message))
        updated.conditions = conditions
        let written = try await api.updateStatusIfChanged(.clusterDefinitions, current: cluster.object, updated: updated.object)
        return written.map(ClusterDefinitionObject.init) ?? cluster
    }
}
