import Foundation
import KubeClient
import KubeModel
import PlatformHTTP

/// `POST /api/v1/clusters/provision`: a specification checked, then either planned (dry run)
/// or recorded as a ClusterDefinition with its PROVISION operation.
extension ProvisioningService {
    /// The answer: 202 with the operation, or 200 with the plan of a dry run.
    struct Accepted: Sendable {
        var body: JSONValue
        var dryRun: Bool
        var operationID: String?
    }

    /// Names the REST paths take for themselves (`/api/v1/clusters/operations`).
    static let reservedNames: Set<String> = ["operations", "provision"]

    func provision(body bytes: [UInt8], contentType: String?, user: String) async throws(ProvisioningAPIError) -> Accepted {
        let validated = try Self.validatedSpec(bytes, contentType: contentType)
        if validated.dryRun { return Accepted(body: try dryRun(validated), dryRun: true, operationID: nil) }
        let connection = try connected()
        try await ensureNamespace(connection)
        let name = validated.name
        if (try? await cluster(name, connection)) != nil {
            throw .conflict("cluster \(name) already exists in namespace \(namespace)")
        }
        let specJSON = try Self.specJSON(validated.spec)
        // The operation first, then the cluster that names it: a crash in between leaves a
        // PENDING operation of a cluster that does not exist, which the controller's
        // ``OrphanedOperationSweep`` marks FAILED after its grace period. The other order would
        // leave a ClusterDefinition annotated with an operation that does not exist, which the
        // controller would have to guess about.
        let operation = try await createOperation(.provision, cluster: name, totalNodes: validated.nodes.count, user: user, connection)
        let id = operation.name ?? ""
        let definition: JSONValue = [
            "apiVersion": .string(ResourceType.clusterDefinitions.apiVersion), "kind": "ClusterDefinition",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "annotations": [
                    ProvisioningObjects.operationAnnotation: .string(id), ProvisioningObjects.requestedByAnnotation: .string(user),
                ],
                "finalizers": [.string(ProvisioningObjects.finalizer)],
            ],
            "spec": specJSON,
        ]
        do {
            _ = try await connection.api.create(.clusterDefinitions, namespace: namespace, object: definition)
        } catch {
            // Nothing may be left behind for a request that was refused.
            _ = try? await connection.api.delete(.clusterOperations, namespace: namespace, name: id)
            if error.isAlreadyExists { throw .conflict("cluster \(name) already exists in namespace \(namespace)") }
            throw .api("could not create cluster \(name)", error)
        }
        await audit(
            AuditEntry(
                timestamp: Date(), user: user, action: "PROVISION", resource: "\(namespace)/\(name)", result: .accepted,
                message: "\(validated.type.rawValue) \(validated.version?.text ?? "") with \(validated.nodes.count) nodes",
                operationID: id),
            on: connection)
        return Accepted(body: Self.operationJSON(operation), dryRun: false, operationID: id)
    }

    /// The body read as a specification and checked: malformed JSON → 400 with where it
    /// breaks, a specification that breaks rules → the 400 Constraint Violation body.
    static func validatedSpec(_ bytes: [UInt8], contentType: String?) throws(ProvisioningAPIError) -> ValidatedClusterSpec {
        if let contentType, !bytes.isEmpty, !JSONBody.isJSON(contentType) {
            throw ProvisioningAPIError(
                .unsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
                "the body must be JSON (Content-Type: application/json), not \(contentType)")
        }
        guard !bytes.isEmpty else { throw .badRequest("malformed JSON: the body must be a cluster specification (a JSON object)") }
        // The project's parser first: it bounds nesting without deep recursion.
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw .badRequest("malformed JSON: \(error)")
        }
        guard document.objectValue != nil else {
            throw .badRequest("malformed JSON: the body must be a JSON object, not \(document.typeName)")
        }
        let spec: ClusterSpec
        do {
            spec = try ClusterSpec.decode(from: Data(bytes))
        } catch {
            throw .badRequest(error.description)
        }
        var violations = ClusterSpecValidation.violations(of: spec)
        if let name = spec.name, reservedNames.contains(name) {
            violations.insert(ConstraintViolation(field: "name", message: "\"\(name)\" is reserved by the REST API"), at: 0)
        }
        if !violations.isEmpty { throw ProvisioningAPIError(invalid: ClusterSpecInvalid(violations: violations)) }
        do {
            return try ClusterSpecValidation.validate(spec)
        } catch {
            throw ProvisioningAPIError(invalid: error)
        }
    }

    /// The plan of a dry run: every object the controller would write (with throwaway
    /// secrets) and each node's rendered boot configuration. Nothing is written.
    func dryRun(_ cluster: ValidatedClusterSpec) throws(ProvisioningAPIError) -> JSONValue {
        var random = SystemRandomNumberGenerator()
        let now = Date()
        let plan: ProvisioningPlan
        do {
            let secrets = try ClusterSecrets.generate(clusterName: cluster.name, type: cluster.type, now: now, random: &random)
            plan = try ProvisioningPlanner.plan(cluster, namespace: namespace, secrets: secrets, now: now, random: &random)
        } catch {
            throw ProvisioningAPIError(.internalServerError, "INTERNAL_ERROR", "could not plan cluster \(cluster.name): \(error)")
        }
        let nodes: [JSONValue] = plan.nodes.map { node in
            [
                "name": .string(node.name), "nodeGroup": .string(node.group), "role": .string(node.role.rawValue),
                "format": .string(node.bootConfiguration.format.checkKind),
                "volumeSource": .string(node.bootConfiguration.format.volumeSource),
                "userDataSecret": .string(node.userDataSecret.name ?? ""), "configuration": .string(node.bootConfiguration.text),
            ]
        }
        return [
            "dryRun": true, "clusterName": .string(cluster.name), "namespace": .string(namespace), "type": .string(cluster.type.rawValue),
            "version": cluster.version.map { .string($0.text) } ?? .null, "endpoint": .string(plan.endpoint),
            "totalNodes": .int(Int64(plan.nodes.count)), "serviceStartOrder": .array(plan.serviceStartOrder.map(JSONValue.string)),
            "nodes": .array(nodes), "objects": plan.list,
            "message": "dry run: nothing was created; the secrets shown are throwaway ones, a real run makes its own",
        ]
    }
}
