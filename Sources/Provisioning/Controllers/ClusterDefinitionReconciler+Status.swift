import ControllerKit
import Foundation
import KubeClient
import KubeModel

/// What one pass found and did, from which both statuses are written.
struct ConvergencePass {
    var cluster: ClusterDefinitionObject
    var operation: ClusterOperationObject
    var spec: ValidatedClusterSpec
    var endpoint: String?
    /// The first supporting service not Ready yet (its dependents and the nodes wait).
    var waitingForService: String?
    var readyServices = 0
    var nodes: [NodeObservation] = []
    /// Nodes being removed (scale down, temporary groups).
    var removing: [NodeObservation] = []
    var drifted: [String] = []
    /// Running VMs whose Node is missing from the finished cluster.
    var missingNodes: [String] = []
    var bootFailure: String?
    var removeTemporaryNodes = false
    /// The node a rolling upgrade is replacing.
    var replacing: String?
    /// Nodes being drained before their removal, with how many pods are still to go.
    var draining: [(name: String, podsLeft: Int)] = []
    /// Drains that timed out this pass (the nodes were removed anyway), for the operation.
    var drainTimeouts: [String] = []

    /// A SCALE or UPGRADE rolling back: converging to the restored specification.
    var rollingBack: Bool { operation.state == .rollingBack }

    var complete: Bool {
        waitingForService == nil && bootFailure == nil && removing.isEmpty && !removeTemporaryNodes && replacing == nil
            && nodes.allSatisfy(\.settled)
    }

    var phase: ClusterPhase {
        if complete { return .completed }
        if waitingForService != nil { return .configuringNetwork }
        if removeTemporaryNodes || (!removing.isEmpty && nodes.allSatisfy(\.ready)) { return .postProvisioning }
        return .provisioning
    }

    /// Services and nodes done, of all there are (capped below 100 until complete).
    var progress: Int {
        let total = spec.services.count + nodes.count
        guard total > 0 else { return complete ? 100 : 0 }
        let done = readyServices + nodes.filter(\.settled).count
        return complete ? 100 : min(99, done * 100 / total)
    }

    /// moxxie's `currentOperation`: what the operation is doing now, for people.
    var currentOperation: String {
        if complete {
            let halted = nodes.filter(\.halted).map(\.name)
            guard !halted.isEmpty else { return "Cluster \(spec.name) is ready (\(nodes.count) nodes)" }
            return
                "Cluster \(spec.name) is ready (\(nodes.count - halted.count) of \(nodes.count) nodes; \(Self.list(halted)) halted by its user)"
        }
        if let service = waitingForService { return "Starting service \(service)" }
        if !draining.isEmpty {
            let pods = draining.reduce(0) { $0 + $1.podsLeft }
            return "Draining \(Self.list(draining.map(\.name))) before removing it (\(pods) pod\(pods == 1 ? "" : "s") left)"
        }
        if let replacing { return "Replacing \(replacing) with version \(spec.version?.text ?? "")" }
        if removeTemporaryNodes { return "Control plane is up: removing the temporary nodes" }
        if !removing.isEmpty { return "Removing \(removing.map(\.name).joined(separator: ", "))" }
        let missing = nodes.filter { !$0.exists }
        if !missing.isEmpty { return "Creating \(missing.count) virtual machines" }
        let waiting = nodes.filter { !$0.settled }.map(\.name)
        return "Waiting for \(Self.list(waiting)) to become Ready"
    }

    static func list(_ names: [String]) -> String {
        names.count <= 5 ? names.joined(separator: ", ") : names.prefix(5).joined(separator: ", ") + " and \(names.count - 5) more"
    }

    var nodeStates: [ClusterOperationObject.NodeState] {
        (nodes + removing).map { node in
            // Ready on the old version: waiting for its replacement.
            let status: NodeProvisioningStatus = node.status == .ready && !node.updated ? .pending : node.status
            return ClusterOperationObject.NodeState(name: node.name, nodeGroup: node.group, status: status, errorMessage: node.errorMessage)
        }
    }

    /// `status.nodeGroups`: planned replicas, Ready ones, and Ready ones on the target version.
    var groupStatuses: [ClusterDefinitionObject.GroupStatus] {
        spec.nodeGroups.map { group in
            let members = nodes.filter { $0.group == group.name }
            return ClusterDefinitionObject.GroupStatus(
                name: group.name, replicas: members.count, readyReplicas: members.filter(\.ready).count,
                updatedReplicas: members.filter { $0.ready && $0.updated }.count)
        }
    }
}

extension ClusterDefinitionReconciler {
    /// Writes the cluster's and the operation's status for `pass`; finishes the operation when
    /// the cluster is complete, fails it on a boot failure.
    func finishPass(_ pass: ConvergencePass) async throws -> ReconcileResult {
        var operation = pass.operation
        let inProgress = !operation.isFinished
        if inProgress {
            operation.nodeStates = pass.nodeStates
            if let failure = pass.bootFailure, pass.rollingBack {
                // The restored version fails too: nothing more to roll back to.
                let message = "rollback failed: \(failure)"
                try await setPhase(pass.cluster, .failed, reason: "RollbackFailed", message: message)
                try await finish(operation, cluster: pass.cluster, state: .failed, message: message)
                return .done
            }
            if let failure = pass.bootFailure {
                return try await fail(pass.cluster, operation, message: failure, strategy: pass.spec.rollbackStrategy)
            }
        }
        var cluster = pass.cluster
        let rollbackEnd: ClusterPhase = operation.cancelRequested ? .cancelled : .rolledBack
        if pass.rollingBack {
            cluster.phase = pass.complete ? rollbackEnd : .rollingBack
        } else {
            cluster.phase = inProgress ? pass.phase : .completed
        }
        cluster.observedGeneration = cluster.generation
        cluster.endpoint = pass.endpoint
        cluster.nodeGroups = pass.groupStatuses
        cluster.statusOperationID = inProgress && !pass.complete ? operation.name : nil
        if pass.complete { cluster.runningVersion = pass.spec.version?.text }
        var conditions = cluster.conditions
        let notReady = pass.nodes.filter { !$0.ready }.map(\.name)
        StatusConditions.set(
            &conditions,
            notReady.isEmpty && pass.waitingForService == nil
                ? Condition(type: ConditionType.ready, status: .true, reason: "NodesReady", message: "\(pass.nodes.count) nodes Ready")
                : Condition(
                    type: ConditionType.ready, status: .false, reason: pass.waitingForService == nil ? "NodesNotReady" : "ServiceNotReady",
                    message: pass.waitingForService.map { "service \($0) is not Ready" } ?? "\(ConvergencePass.list(notReady)) not Ready"))
        if !pass.drifted.isEmpty || !pass.missingNodes.isEmpty {
            var parts: [String] = []
            if !pass.drifted.isEmpty { parts.append("\(pass.drifted.joined(separator: ", ")) differed from the plan: repairing") }
            if !pass.missingNodes.isEmpty {
                parts.append("Node \(pass.missingNodes.joined(separator: ", ")) missing from the cluster: restarting its VM")
            }
            StatusConditions.set(
                &conditions,
                Condition(type: ConditionType.drifted, status: .true, reason: "Repairing", message: parts.joined(separator: "; ")))
        } else if StatusConditions.isTrue(conditions, ConditionType.drifted) {
            StatusConditions.set(
                &conditions,
                Condition(type: ConditionType.drifted, status: .false, reason: "Repaired", message: "every VM matches the plan"))
        }
        if pass.removeTemporaryNodes {
            StatusConditions.set(
                &conditions,
                Condition(
                    type: ConditionType.temporaryNodesRemoved, status: .true, reason: "ControlPlaneReady",
                    message: "the control plane is up: temporary nodes are removed"))
        }
        cluster.conditions = conditions
        try await api.updateStatusIfChanged(.clusterDefinitions, current: pass.cluster.object, updated: cluster.object)

        if inProgress {
            operation.stampIdentity()
            if !pass.drainTimeouts.isEmpty {
                var conditions = operation.conditions
                let earlier = StatusConditions.find(conditions, ConditionType.drainTimedOut)?.message
                let message = ([earlier].compactMap { $0 } + pass.drainTimeouts).joined(separator: "; ")
                StatusConditions.set(
                    &conditions,
                    Condition(
                        type: ConditionType.drainTimedOut, status: .true, reason: "DrainTimeout", message: String(message.prefix(2048))))
                operation.conditions = conditions
            }
            if operation.startTime == nil { operation.startTime = Timestamp.now() }
            operation.progress = pass.progress
            operation.currentOperation = pass.currentOperation
            if pass.rollingBack {
                operation.currentOperation = "Rolling back: \(pass.currentOperation)"
                let written = try await api.updateStatusIfChanged(
                    .clusterOperations, current: pass.operation.object, updated: operation.object)
                guard pass.complete else { return .requeueAfter(Self.inFlight) }
                let message = operation.cancelRequested ? "cancelled on request" : operation.errorMessage
                try await finish(
                    written.map(ClusterOperationObject.init) ?? operation, cluster: cluster, state: rollbackEnd, message: message)
                return .requeueAfter(Self.inFlight)
            }
            if pass.complete {
                operation.state = .completed
                operation.endTime = Timestamp.now()
                operation.errorMessage = nil
            } else {
                operation.state = pass.phase
            }
            try await api.updateStatusIfChanged(.clusterOperations, current: pass.operation.object, updated: operation.object)
            if pass.complete {
                await record(operation, cluster: pass.cluster, result: .completed, message: operation.currentOperation)
                logger.info(
                    "cluster operation completed",
                    metadata: ["cluster": "\(cluster.namespace)/\(cluster.name)", "operation": "\(operation.name)"])
            }
        }
        if !pass.drifted.isEmpty || (inProgress && !pass.complete) { return .requeueAfter(Self.inFlight) }
        // Finished: VM events bring the cluster back; the nested Nodes have no watch.
        return access != nil && pass.spec.type != .generic ? .requeueAfter(Self.steadyPoll) : .done
    }

    /// A change that cannot be made (invalid specification, refused upgrade, no plan): the
    /// operation FAILED, nothing touched, the cluster FAILED with a Ready=False condition.
    func refuse(
        _ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject, reason: String, message: String
    ) async throws -> ReconcileResult {
        var updated = cluster
        var conditions = cluster.conditions
        StatusConditions.set(&conditions, Condition(type: ConditionType.ready, status: .false, reason: reason, message: message))
        updated.conditions = conditions
        updated.observedGeneration = cluster.generation
        if !operation.isFinished || operation.state == .failed {
            updated.phase = .failed
            updated.statusOperationID = nil
        }
        try await api.updateStatusIfChanged(.clusterDefinitions, current: cluster.object, updated: updated.object)
        if !operation.isFinished {
            try await finish(operation, cluster: cluster, state: .failed, message: message)
        }
        return .done
    }

    /// Ends `operation` in `state` (COMPLETED, FAILED, CANCELLED, ROLLED_BACK) and audits it.
    func finish(
        _ operation: ClusterOperationObject, cluster: ClusterDefinitionObject, state: ClusterPhase, message: String?
    ) async throws {
        var updated = operation
        updated.stampIdentity()
        updated.state = state
        if updated.startTime == nil { updated.startTime = Timestamp.now() }
        updated.endTime = Timestamp.now()
        if state != .completed, let message { updated.errorMessage = message }
        updated.currentOperation = Self.finalText(state, message: message)
        if state == .completed { updated.progress = 100 }
        try await api.updateStatusIfChanged(.clusterOperations, current: operation.object, updated: updated.object)
        let result: AuditEntry.Result
        switch state {
        case .completed: result = .completed
        case .cancelled: result = .cancelled
        case .rolledBack: result = .rolledBack
        default: result = .failed
        }
        await record(updated, cluster: cluster, result: result, message: message)
        logger.info(
            "cluster operation finished",
            metadata: ["cluster": "\(cluster.namespace)/\(cluster.name)", "operation": "\(operation.name)", "status": "\(state.rawValue)"])
    }

    static func finalText(_ state: ClusterPhase, message: String?) -> String {
        switch state {
        case .completed: return message ?? "Completed"
        case .cancelled: return "Cancelled"
        case .rolledBack: return "Rolled back"
        default: return "Failed" + (message.map { ": \($0)" } ?? "")
        }
    }

    func record(_ operation: ClusterOperationObject, cluster: ClusterDefinitionObject, result: AuditEntry.Result, message: String?) async {
        let entry = AuditEntry(
            timestamp: Date(), user: operation.requestedBy ?? cluster.requestedBy ?? "controller",
            action: operation.type?.rawValue ?? "PROVISION", resource: "\(cluster.namespace)/\(cluster.name)", result: result,
            message: message, operationID: operation.name)
        do {
            try await audit.record(entry)
        } catch {
            logger.warning("could not record an audit entry", metadata: ["operation": "\(operation.name)", "error": "\(error)"])
        }
    }
}
