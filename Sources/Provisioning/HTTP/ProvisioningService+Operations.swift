import Foundation
import KubeClient
import KubeModel

/// ClusterOperations: made by each accepted request, listed, read and cancelled.
extension ProvisioningService {
    /// Creates a PENDING ClusterOperation of `type` for `cluster` (its name is a fresh
    /// `op-<8 hex>`); `request` is the scale or upgrade body as accepted.
    func createOperation(
        _ type: ClusterOperationType, cluster: String, totalNodes: Int, user: String, request: JSONValue? = nil,
        _ connection: Connection
    ) async throws(ProvisioningAPIError) -> JSONValue {
        var random = SystemRandomNumberGenerator()
        let now = Timestamp.string(Date())
        // A clash of 32 random bits is unlikely; a few tries make it impossible in practice.
        for _ in 0..<5 {
            let id = ClusterOperationID.make(&random)
            var spec: JSONValue = [
                "operationId": .string(id), "clusterName": .string(cluster), "type": .string(type.rawValue),
                "requestedBy": .string(user),
            ]
            if let request { spec["request"] = request }
            let operation: JSONValue = [
                "apiVersion": .string(ResourceType.clusterOperations.apiVersion), "kind": "ClusterOperation",
                "metadata": [
                    "name": .string(id), "namespace": .string(namespace),
                    "labels": [ProvisioningObjects.clusterLabel: .string(cluster)],
                ],
                "spec": spec,
            ]
            let created: JSONValue
            do {
                created = try await connection.api.create(.clusterOperations, namespace: namespace, object: operation)
            } catch  where error.isAlreadyExists {
                continue
            } catch {
                throw .api("could not create the operation", error)
            }
            var status: JSONValue = [
                "operationId": .string(id), "clusterName": .string(cluster), "status": .string(ClusterPhase.pending.rawValue),
                "progressPercentage": 0, "currentOperation": .string(Self.firstStep(type)), "startTime": .string(now),
                "totalNodes": .int(Int64(totalNodes)), "successfulNodes": 0, "failedNodes": 0, "nodeStates": [],
            ]
            if type == .decommission { status["currentOperation"] = "Waiting for the controller to remove the cluster" }
            var withStatus = created
            withStatus["status"] = status
            await pruneFinishedOperations(connection)
            do {
                return try await connection.api.updateStatus(.clusterOperations, namespace: namespace, object: withStatus)
            } catch {
                // The controller may have written the status first: its version is the truth.
                return (try? await connection.api.get(.clusterOperations, namespace: namespace, name: id)) ?? withStatus
            }
        }
        throw ProvisioningAPIError(.internalServerError, "INTERNAL_ERROR", "could not find a free operation id")
    }

    static func firstStep(_ type: ClusterOperationType) -> String {
        switch type {
        case .provision: "Waiting for the controller to create the cluster"
        case .scale: "Waiting for the controller to scale the node group"
        case .upgrade: "Waiting for the controller to replace the nodes"
        case .decommission: "Waiting for the controller to remove the cluster"
        }
    }

    /// Every operation kept, oldest first (moxxie's `GET /api/v1/clusters/operations`): the
    /// unfinished ones and the newest ``Configuration/maximumFinishedOperations`` finished ones.
    func operations() async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        let items: [JSONValue]
        do {
            items = try await connection.api.list(.clusterOperations, namespace: namespace).items
        } catch {
            throw .api("could not list the operations", error)
        }
        let sorted = items.sorted { (Self.startTime($0), $0.name ?? "") < (Self.startTime($1), $1.name ?? "") }
        return .array(sorted.map(Self.operationJSON))
    }

    static func startTime(_ operation: JSONValue) -> String {
        ClusterOperationObject(operation).startTime ?? operation[path: ["metadata", "creationTimestamp"]]?.stringValue ?? ""
    }

    static func clusterName(of operation: JSONValue) -> String { ClusterOperationObject(operation).clusterName ?? "" }

    /// One operation, as stored: reading never writes (an orphaned operation is marked FAILED
    /// by the controller's ``OrphanedOperationSweep``).
    func operationJSON(_ id: String) async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        return Self.operationJSON(try await operation(try Self.operationID(id), connection))
    }

    /// Keeps the newest ``Configuration/maximumFinishedOperations`` finished operations and
    /// deletes older finished ones; an unfinished operation is never deleted. Runs with each new
    /// operation, so the list stays bounded by the rate of requests; a failure is logged, never
    /// the request's failure.
    func pruneFinishedOperations(_ connection: Connection) async {
        let items: [JSONValue]
        do {
            items = try await connection.api.list(.clusterOperations, namespace: namespace).items
        } catch {
            logger.warning("could not list the operations to prune them", metadata: ["error": "\(error)"])
            return
        }
        let finished = items.filter { ClusterOperationObject($0).isFinished }
            .sorted { (Self.startTime($0), $0.name ?? "") < (Self.startTime($1), $1.name ?? "") }
        for old in finished.dropLast(max(0, configuration.maximumFinishedOperations)) {
            guard let name = old.name else { continue }
            do {
                try await connection.api.delete(.clusterOperations, namespace: namespace, name: name)
            } catch  where !error.isNotFound {
                logger.warning("could not prune an old operation", metadata: ["operation": "\(name)", "error": "\(error)"])
            } catch {
                // Another request pruned it first.
            }
        }
    }

    /// Asks the controller to stop the operation (`spec.cancelRequested`); it then rolls back
    /// per the cluster's `rollbackStrategy`. A finished operation is a 409.
    func cancel(_ id: String, user: String) async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        let current = try await operation(try Self.operationID(id), connection)
        let view = ClusterOperationObject(current)
        let status = view.state ?? .pending
        if status.isFinished {
            throw .conflict("operation \(id) cannot be cancelled: it is already \(status.rawValue)")
        }
        if view.type == .decommission {
            // The ClusterDefinition is already deleted (its finalizer holds it): there is no
            // state to roll back to, and the controller never reads cancelRequested for it.
            throw .conflict(
                "operation \(id) cannot be cancelled: a DECOMMISSION cannot be stopped once accepted (the cluster is "
                    + "already being removed)")
        }
        let updated: JSONValue
        do {
            updated = try await connection.api.patch(
                .clusterOperations, namespace: namespace, name: id, patch: ["spec": ["cancelRequested": true]])
        } catch  where error.isNotFound {
            throw .notFound("operation \(id) not found")
        } catch {
            throw .api("could not cancel operation \(id)", error)
        }
        let cluster = view.clusterName ?? ""
        await audit(
            AuditEntry(
                timestamp: Date(), user: user, action: "CANCEL", resource: "\(namespace)/\(cluster)", result: .accepted,
                message: "cancel of \(view.type?.rawValue ?? "an") operation requested", operationID: id),
            on: connection)
        var answer = Self.operationJSON(updated)
        answer["message"] = "Cancellation requested: the controller stops the operation and rolls back per the cluster's rollbackStrategy"
        return answer
    }

    /// `id` when it is an operation id; anything else names no operation (404).
    static func operationID(_ id: String) throws(ProvisioningAPIError) -> String {
        guard ClusterOperationID.isValid(id) else {
            throw .notFound("operation \(String(id.prefix(64))) not found (operation ids look like op-1a2b3c4d)")
        }
        return id
    }

    /// moxxie's `ClusterProvisioningResponse` from a ClusterOperation, with its type.
    static func operationJSON(_ operation: JSONValue) -> JSONValue {
        let spec = operation["spec"] ?? [:]
        let status = operation["status"] ?? [:]
        let id = spec["operationId"]?.stringValue ?? operation.name ?? ""
        let cluster = spec["clusterName"]?.stringValue ?? status["clusterName"]?.stringValue ?? ""
        var json: JSONValue = [
            "operationId": .string(id), "clusterName": .string(cluster), "type": spec["type"] ?? .null,
            "status": status["status"] ?? .string(ClusterPhase.pending.rawValue),
            "progressPercentage": status["progressPercentage"] ?? 0, "currentOperation": status["currentOperation"] ?? .null,
            "totalNodes": status["totalNodes"] ?? 0, "successfulNodes": status["successfulNodes"] ?? 0,
            "failedNodes": status["failedNodes"] ?? 0,
            "startTime": status["startTime"] ?? operation[path: ["metadata", "creationTimestamp"]] ?? .null,
            "endTime": status["endTime"] ?? .null, "errorMessage": status["errorMessage"] ?? .null,
            "nodeStates": status["nodeStates"] ?? [], "requestedBy": spec["requestedBy"] ?? .null,
            "cancelRequested": spec["cancelRequested"] ?? false,
        ]
        let base = "/api/v1/clusters"
        json["links"] = [
            "status": .string("\(base)/operations/\(id)"), "cancel": .string("\(base)/operations/\(id)/cancel"),
            "cluster": .string("\(base)/\(cluster)"),
        ]
        return json
    }
}
