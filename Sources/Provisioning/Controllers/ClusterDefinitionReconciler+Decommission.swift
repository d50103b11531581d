import ControllerKit
import Foundation
import KubeClient
import KubeModel

/// Deletion: the cluster goes, and with it only what the provisioner made for it.
extension ClusterDefinitionReconciler {
    /// How long a DECOMMISSION named by the annotation waits for its cluster's deletion (REST
    /// names it, then deletes; a crash in between would otherwise keep it waiting forever).
    static let decommissionDeleteGrace: TimeInterval = 60

    /// The cluster is being deleted: remove ONLY what the provisioner made for it (VMs
    /// labelled `managed-by=provisioning` and `cluster=<name>`, their Secrets, the services, the
    /// cluster Secrets), tear the nested cluster down, finish the DECOMMISSION operation (and
    /// cancel the ones it interrupted), and let the ClusterDefinition go.
    func decommission(_ cluster: ClusterDefinitionObject) async throws -> ReconcileResult {
        let namespace = cluster.namespace
        var operation = try await decommissionOperation(cluster)
        try await cancelInterruptedOperations(cluster, except: operation.name)
        var targets = managedVMs(namespace: namespace, cluster: cluster.name)
        if targets.isEmpty {
            // The informer may lag behind: the API decides that every VM is gone.
            targets = try await liveManagedVMs(namespace: namespace, cluster: cluster.name)
        }
        for vm in targets where vm.deletionTimestamp == nil {
            let name = vm.name ?? ""
            try await deleteIfPresent(.virtualMachines, namespace: namespace, name: name)
            try await deleteOwnedSecret(namespace: namespace, name: "\(name)-userdata", cluster: cluster.name)
        }
        try await deleteClusterObjects(namespace: namespace, cluster: cluster.name)
        if !targets.isEmpty {
            if !operation.isFinished {
                var progress = operation
                progress.stampIdentity()
                progress.state = .provisioning
                progress.currentOperation = "Decommissioning: deleting \(targets.count) virtual machines"
                progress.nodeStates = targets.map {
                    .init(name: $0.name ?? "", nodeGroup: $0.labels[ProvisioningLabels.nodeGroup] ?? "", status: .deleting)
                }
                if let written = try await api.updateStatusIfChanged(
                    .clusterOperations, current: operation.object, updated: progress.object)
                {
                    operation = ClusterOperationObject(written)
                }
            }
            return .requeueAfter(Self.inFlight)
        }
        await access?.removeCluster(namespace: namespace, cluster: cluster.name)
        if !operation.isFinished {
            var done = operation
            done.nodeStates = operation.nodeStates.map { .init(name: $0.name, nodeGroup: $0.nodeGroup, status: .deleted) }
            done.progress = 100
            try await api.updateStatusIfChanged(.clusterOperations, current: operation.object, updated: done.object)
            let current = ClusterOperationObject(try await api.get(.clusterOperations, namespace: namespace, name: operation.name))
            try await finish(current, cluster: cluster, state: .completed, message: "Cluster \(cluster.name) decommissioned")
        }
        try await api.removeFinalizer(ProvisioningObjects.finalizer, from: cluster.object, .clusterDefinitions)
        logger.info("cluster decommissioned", metadata: ["cluster": "\(namespace)/\(cluster.name)"])
        return .done
    }

    /// The annotated DECOMMISSION operation (REST), or one the controller makes (`kubectl delete`).
    private func decommissionOperation(_ cluster: ClusterDefinitionObject) async throws -> ClusterOperationObject {
        let namespace = cluster.namespace
        if let id = cluster.operationID, let stored = try await getOperation(namespace: namespace, name: id) {
            let operation = ClusterOperationObject(stored)
            if operation.type == .decommission { return operation }
        }
        let id = Self.operationID(uid: cluster.uid ?? cluster.name, generation: cluster.generation ?? 0, type: .decommission)
        if let stored = try await getOperation(namespace: namespace, name: id) { return ClusterOperationObject(stored) }
        let made = ClusterOperationObject.make(
            id: id, cluster: cluster.name, namespace: namespace, type: .decommission, requestedBy: cluster.requestedBy ?? "kubectl",
            generation: cluster.generation)
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.clusterOperations, namespace: namespace, object: made.object)
        }
        if let created { return ClusterOperationObject(created) }
        return ClusterOperationObject(try await api.get(.clusterOperations, namespace: namespace, name: id))
    }

    /// Every other unfinished operation of the cluster ends CANCELLED: REST's DELETE names only
    /// the decommission, so a PROVISION or SCALE it interrupted would never finish otherwise.
    private func cancelInterruptedOperations(_ cluster: ClusterDefinitionObject, except id: String) async throws {
        let operations = try await api.list(.clusterOperations, namespace: cluster.namespace).items.map(ClusterOperationObject.init)
        for operation in operations where operation.clusterName == cluster.name && operation.name != id && !operation.isFinished {
            try await finish(operation, cluster: cluster, state: .cancelled, message: "the cluster was deleted")
        }
    }

    /// Whether the DECOMMISSION `operation` has waited longer than ``decommissionDeleteGrace``
    /// (from its start, else its creation) for its cluster's deletion.
    static func decommissionOverdue(_ operation: ClusterOperationObject, now: Date) -> Bool {
        let since = operation.startTime ?? operation.object[path: ["metadata", "creationTimestamp"]]?.stringValue
        guard let started = since.flatMap(Timestamp.date) else { return false }
        return now.timeIntervalSince(started) > decommissionDeleteGrace
    }

    /// The cluster was never deleted after REST named its decommission: that operation FAILED,
    /// the cluster carries on as it is. Returns the operation as stored.
    func abandonDecommission(
        _ cluster: ClusterDefinitionObject, _ operation: ClusterOperationObject
    ) async throws -> ClusterOperationObject {
        logger.warning(
            "decommission named but the cluster was never deleted; giving up on it",
            metadata: ["cluster": "\(cluster.namespace)/\(cluster.name)", "operation": "\(operation.name)"])
        try await finish(operation, cluster: cluster, state: .failed, message: "the cluster was not deleted; DELETE it again")
        let stored = try await getOperation(namespace: cluster.namespace, name: operation.name)
        return stored.map(ClusterOperationObject.init) ?? operation
    }

    /// The cluster's VMs as the API holds them now (the informer's view may lag): the last word
    /// before the nested cluster is removed and the finalizer dropped.
    func liveManagedVMs(namespace: String, cluster: String) async throws -> [JSONValue] {
        let selector =
            "\(ProvisioningLabels.cluster)=\(cluster),\(ProvisioningLabels.managedBy)=\(ProvisioningLabels.managedByValue)"
        return try await api.list(.virtualMachines, namespace: namespace, options: ListOptions(labelSelector: selector)).items.filter {
            Self.isOwned($0, cluster: cluster)
        }
    }

    /// The services, ConfigMaps and Secrets made for `cluster` (labelled `managed-by` and
    /// `cluster`, named `<cluster>-…`).
    func deleteClusterObjects(namespace: String, cluster: String) async throws {
        let selector =
            "\(ProvisioningLabels.cluster)=\(cluster),\(ProvisioningLabels.managedBy)=\(ProvisioningLabels.managedByValue)"
        for resource in [ResourceType.provisioningServices, .configMaps, .secrets] {
            let items = try await api.list(resource, namespace: namespace, options: ListOptions(labelSelector: selector)).items
            for item in items where (item.name ?? "").hasPrefix("\(cluster)-") && Self.isOwned(item, cluster: cluster) {
                try await deleteIfPresent(resource, namespace: namespace, name: item.name ?? "")
            }
        }
    }
}
