import Crypto
import Foundation
import KubeClient
import KubeModel

extension ClusterDefinitionReconciler {
    /// The ClusterOperation the cluster's latest change belongs to.
    ///
    /// The REST API makes one with each change and names it in the `operation-id` annotation;
    /// the controller takes it up by recording the generation it works towards. A change made
    /// without REST (`kubectl apply`) raises the generation past a finished operation's: the
    /// controller then makes the operation itself (its name derived from the cluster's uid and
    /// generation, so a restarted controller finds the same one) and annotates the cluster.
    func currentOperation(of cluster: ClusterDefinitionObject) async throws -> (ClusterDefinitionObject, ClusterOperationObject) {
        let namespace = cluster.namespace
        if let id = cluster.operationID, let stored = try await getOperation(namespace: namespace, name: id) {
            var operation = ClusterOperationObject(stored)
            let recorded = operation.generation
            if recorded == nil || (recorded != cluster.generation && !operation.isFinished) {
                // Taken up now, or the spec changed while it runs: it works towards this one.
                operation.generation = cluster.generation
                if recorded == nil { operation.previousNodeCounts = Self.currentCounts(cluster) }
                operation = ClusterOperationObject(try await api.update(.clusterOperations, namespace: namespace, object: operation.object))
                return (cluster, operation)
            }
            if recorded == cluster.generation { return (cluster, operation) }
        }
        let type = Self.inferredType(cluster)
        let id = Self.operationID(uid: cluster.uid ?? cluster.name, generation: cluster.generation ?? 0, type: type)
        var made = ClusterOperationObject.make(
            id: id, cluster: cluster.name, namespace: namespace, type: type, requestedBy: cluster.requestedBy ?? "kubectl",
            generation: cluster.generation)
        made.previousNodeCounts = Self.currentCounts(cluster)
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.clusterOperations, namespace: namespace, object: made.object)
        }
        let stored: JSONValue
        if let created { stored = created } else { stored = try await api.get(.clusterOperations, namespace: namespace, name: id) }
        var operation = ClusterOperationObject(stored)
        if operation.state == nil {
            var started = operation
            started.stampIdentity()
            started.state = .pending
            started.startTime = Timestamp.now()
            started.progress = 0
            started.currentOperation = "Accepted"
            if let written = try await api.updateStatusIfChanged(.clusterOperations, current: operation.object, updated: started.object) {
                operation = ClusterOperationObject(written)
            }
        }
        let annotated = try await api.patch(
            .clusterDefinitions, namespace: namespace, name: cluster.name,
            patch: ["metadata": ["annotations": [ProvisioningObjects.operationAnnotation: .string(id)]]])
        logger.info(
            "cluster operation started",
            metadata: ["cluster": "\(namespace)/\(cluster.name)", "operation": "\(id)", "type": "\(type.rawValue)"])
        return (ClusterDefinitionObject(annotated), operation)
    }

    /// Each group's node count as the last pass planned it (`status.nodeGroups`); nil before
    /// the first pass.
    static func currentCounts(_ cluster: ClusterDefinitionObject) -> [String: Int]? {
        let groups = cluster.nodeGroups
        guard !groups.isEmpty else { return nil }
        return Dictionary(groups.map { ($0.name, $0.replicas) }, uniquingKeysWith: { first, _ in first })
    }

    func getOperation(namespace: String, name: String) async throws -> JSONValue? {
        try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(.clusterOperations, namespace: namespace, name: name)
        }
    }

    /// What a change made without REST is: an upgrade when the version moved, a scale when a
    /// group's size did, otherwise a provision.
    static func inferredType(_ cluster: ClusterDefinitionObject) -> ClusterOperationType {
        guard case .success(let spec) = cluster.spec, let running = cluster.runningVersion ?? nil else { return .provision }
        if let version = spec.version, version != running { return .upgrade }
        let planned = Dictionary(
            (spec.nodeGroups ?? []).compactMap { group in group.name.map { ($0, group.count ?? 0) } }, uniquingKeysWith: { a, _ in a })
        let current = Dictionary(cluster.nodeGroups.map { ($0.name, $0.replicas) }, uniquingKeysWith: { a, _ in a })
        return planned != current ? .scale : .provision
    }

    /// `op-<8 hex>` from the cluster's uid, generation and the operation's type.
    static func operationID(uid: String, generation: Int64, type: ClusterOperationType) -> String {
        let digest = SHA256.hash(data: Data("\(uid)/\(generation)/\(type.rawValue)".utf8))
        return "op-" + digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }
}
