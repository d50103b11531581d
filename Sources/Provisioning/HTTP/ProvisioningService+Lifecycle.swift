import Foundation
import KubeClient
import KubeModel

/// Scale and upgrade: the request checked against the cluster as it is, a SCALE or UPGRADE
/// operation, and the ClusterDefinition's spec changed with the operation's annotation (the
/// controller does the rest).
///
/// The check and the change are one optimistic step: the patch carries the resourceVersion
/// the check read, so a change accepted meanwhile (another request, another replica) makes
/// this one a 409 and its operation is deleted, never left PENDING with no cluster pointing at it.
extension ProvisioningService {
    func scale(_ name: String, _ request: ScaleRequest, user: String) async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        let current = try await changeableCluster(try Self.clusterName(name), connection)
        guard var spec = Self.spec(of: current), var groups = spec.nodeGroups else {
            throw .invalid("cluster \(name) has no readable specification")
        }
        guard let index = groups.firstIndex(where: { $0.name == request.nodeGroup }) else {
            let known = groups.compactMap(\.name).joined(separator: ", ")
            throw .invalid("cluster \(name) has no node group \"\(request.nodeGroup.prefix(64))\" (it has \(known))")
        }
        let group = groups[index]
        if request.targetCount < 1 {
            throw .invalid(
                group.role == .controlPlane
                    ? "the control plane of cluster \(name) cannot go below 1 node"
                    : "node group \(request.nodeGroup) keeps at least 1 node (targetCount 1–100)")
        }
        if group.count == request.targetCount {
            throw .invalid("node group \(request.nodeGroup) already has \(request.targetCount) nodes")
        }
        groups[index].count = request.targetCount
        spec.nodeGroups = groups
        let validated = try Self.checked(spec)
        let from = group.count ?? 0
        return try await change(
            current, type: .scale, spec: spec, totalNodes: abs(request.targetCount - from), request: request.json, user: user,
            message: "\(request.nodeGroup) from \(from) to \(request.targetCount) nodes (\(validated.nodes.count) in all)",
            connection)
    }

    func upgrade(_ name: String, _ request: UpgradeRequest, user: String) async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        let current = try await changeableCluster(try Self.clusterName(name), connection)
        guard var spec = Self.spec(of: current), let type = spec.type else {
            throw .invalid("cluster \(name) has no readable specification")
        }
        guard type != .generic else { throw .invalid("cluster \(name) is GENERIC: it runs no Kubernetes to upgrade") }
        let target: ClusterVersion
        switch ClusterVersion.parse(request.version, for: type) {
        case .success(let version): target = version
        case .failure(let error): throw .invalid("version \(error.description)")
        }
        // The version the nodes run (the controller's `status.version`), not the one last asked
        // for: after a failed or cancelled upgrade they differ, and the controller upgrades from
        // what runs.
        let runningText = ClusterDefinitionObject(current).runningVersion ?? spec.version
        if let runningText, case .success(let running) = ClusterVersion.parse(runningText, for: type),
            let refusal = running.upgradeRefusal(to: target)
        {
            throw .invalid(refusal)
        }
        let from = runningText ?? "unknown"
        spec.version = target.text
        let validated = try Self.checked(spec)
        return try await change(
            current, type: .upgrade, spec: spec, totalNodes: validated.nodes.count, request: request.json, user: user,
            message: "from \(from) to \(target.text)", connection)
    }

    /// The cluster, when it may change now: not being decommissioned, and no other operation
    /// of it still running (the controller follows one operation at a time).
    private func changeableCluster(_ name: String, _ connection: Connection) async throws(ProvisioningAPIError) -> JSONValue {
        let current = try await cluster(name, connection)
        if current.deletionTimestamp != nil { throw .conflict("cluster \(name) is being decommissioned") }
        if let id = current.annotations[ProvisioningObjects.operationAnnotation], ClusterOperationID.isValid(id),
            let running = (try? await operation(id, connection)).map(ClusterOperationObject.init)
        {
            let status = running.state ?? .pending
            if !status.isFinished {
                throw .conflict("cluster \(name) is busy with operation \(id) (\(status.rawValue)); wait for it or cancel it")
            }
        }
        return current
    }

    /// The changed specification, checked as a new one would be (200 nodes in all, …).
    private static func checked(_ spec: ClusterSpec) throws(ProvisioningAPIError) -> ValidatedClusterSpec {
        do {
            return try ClusterSpecValidation.validate(spec)
        } catch {
            throw ProvisioningAPIError(invalid: error)
        }
    }

    /// Records the operation, then the spec with the operation's annotation, provided the
    /// cluster is still as `checked` read it.
    private func change(
        _ checked: JSONValue, type: ClusterOperationType, spec: ClusterSpec, totalNodes: Int, request: JSONValue, user: String,
        message: String, _ connection: Connection
    ) async throws(ProvisioningAPIError) -> JSONValue {
        let name = checked.name ?? ""
        let specJSON = try Self.specJSON(spec)
        let operation = try await createOperation(type, cluster: name, totalNodes: totalNodes, user: user, request: request, connection)
        let id = operation.name ?? ""
        do {
            // A merge patch of the whole spec: arrays (nodeGroups) are replaced, as intended.
            _ = try await patchUnchanged(checked, connection) { version in
                Self.operationPatch(id: id, user: user, spec: specJSON, resourceVersion: version)
            }
        } catch {
            _ = try? await connection.api.delete(.clusterOperations, namespace: namespace, name: id)
            throw Self.changeRefused(name, error, doing: "change")
        }
        await audit(
            AuditEntry(
                timestamp: Date(), user: user, action: type.rawValue, resource: "\(namespace)/\(name)", result: .accepted,
                message: message, operationID: id),
            on: connection)
        return Self.operationJSON(operation)
    }
}

extension ProvisioningService {
    /// The merge patch that hands a ClusterDefinition to operation `id`: the operation and who
    /// asked as annotations, and the changed spec if there is one. With `resourceVersion` the
    /// API server applies it only to that version of the object (else 409 Conflict).
    static func operationPatch(id: String, user: String, spec: JSONValue? = nil, resourceVersion: String? = nil) -> JSONValue {
        var patch: JSONValue = [
            "metadata": [
                "annotations": [
                    ProvisioningObjects.operationAnnotation: .string(id),
                    ProvisioningObjects.requestedByAnnotation: .string(user),
                ]
            ]
        ]
        if let resourceVersion { patch[path: ["metadata", "resourceVersion"]] = .string(resourceVersion) }
        if let spec { patch["spec"] = spec }
        return patch
    }

    /// Applies `patch(resourceVersion)` to ClusterDefinition `checked` only while it is, for a
    /// change, what the request checked: the same operation annotation and spec generation, not
    /// being deleted. A 409 for a write that changed none of these (the controller's status) is
    /// retried with the new resourceVersion; any other change is the caller's 409.
    func patchUnchanged(
        _ checked: JSONValue, _ connection: Connection, patch: (String?) -> JSONValue
    ) async throws(KubeClientError) -> JSONValue {
        let name = checked.name ?? ""
        var version = checked.resourceVersion
        var attempts = 0
        while true {
            do {
                return try await connection.api.patch(.clusterDefinitions, namespace: namespace, name: name, patch: patch(version))
            } catch {
                attempts += 1
                guard error.isConflict, attempts < 3 else { throw error }
                let now = try await connection.api.get(.clusterDefinitions, namespace: namespace, name: name)
                let operationAnnotation = ProvisioningObjects.operationAnnotation
                guard now.annotations[operationAnnotation] == checked.annotations[operationAnnotation],
                    now.generation == checked.generation, now.deletionTimestamp == nil
                else { throw error }
                version = now.resourceVersion
            }
        }
    }

    /// The answer when the API refused to hand cluster `name` to a new operation: 404 when it
    /// is gone, 409 when it changed since the request was checked.
    static func changeRefused(_ name: String, _ error: KubeClientError, doing what: String) -> ProvisioningAPIError {
        if error.isNotFound { return .notFound("cluster \(name) not found") }
        if error.isConflict {
            return .conflict(
                "cluster \(name) changed while this request was being checked (another change was accepted meanwhile); "
                    + "read it again and retry")
        }
        return .api("could not \(what) cluster \(name)", error)
    }

    /// A specification as the ClusterDefinition stores it; a failure to encode is a 500, never
    /// an empty spec written in its place.
    static func specJSON(_ spec: ClusterSpec) throws(ProvisioningAPIError) -> JSONValue {
        do {
            return try JSONValue(encoding: spec)
        } catch {
            throw ProvisioningAPIError(
                .internalServerError, "INTERNAL_ERROR",
                "could not encode the specification of cluster \(spec.name ?? "?"): \(error); nothing was changed")
        }
    }
}
