import Foundation
import KubeClient
import KubeModel

/// Clusters: listed, read, decommissioned, and their admin kubeconfig.
extension ProvisioningService {
    func clusters() async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        let items: [JSONValue]
        do {
            items = try await connection.api.list(.clusterDefinitions, namespace: namespace).items
        } catch {
            throw .api("could not list the clusters", error)
        }
        return .array(items.sorted { ($0.name ?? "") < ($1.name ?? "") }.map { Self.clusterJSON($0, detail: false) })
    }

    func clusterJSON(_ name: String) async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        return Self.clusterJSON(try await cluster(try Self.clusterName(name), connection), detail: true)
    }

    /// Decommission: a DECOMMISSION operation, the ClusterDefinition annotated with it and
    /// deleted. Its finalizer holds it until the controller has removed the VMs, Secrets,
    /// services and the cluster's API; then it is gone (`GET` → 404).
    func decommission(_ name: String, user: String) async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        let current = try await cluster(try Self.clusterName(name), connection)
        if current.deletionTimestamp != nil {
            let id = current.annotations[ProvisioningObjects.operationAnnotation] ?? "unknown"
            throw .conflict("cluster \(name) is already being decommissioned (operation \(id))")
        }
        let nodes = Self.plannedNodeCount(current)
        let operation = try await createOperation(.decommission, cluster: name, totalNodes: nodes, user: user, connection)
        let id = operation.name ?? ""
        do {
            // Only the cluster checked above: a change accepted meanwhile makes this a 409
            // (``changeRefused``), and the new operation goes rather than stay PENDING.
            _ = try await patchUnchanged(current, connection) { version in
                Self.operationPatch(id: id, user: user, resourceVersion: version)
            }
            _ = try await connection.api.delete(.clusterDefinitions, namespace: namespace, name: name)
        } catch {
            _ = try? await connection.api.delete(.clusterOperations, namespace: namespace, name: id)
            throw Self.changeRefused(name, error, doing: "decommission")
        }
        await audit(
            AuditEntry(
                timestamp: Date(), user: user, action: "DECOMMISSION", resource: "\(namespace)/\(name)", result: .accepted,
                message: "decommission of \(nodes) nodes requested", operationID: id),
            on: connection)
        return Self.operationJSON(operation)
    }

    /// The cluster's admin kubeconfig (YAML): from the provisioned cluster's access when it
    /// has one that works from here, else Secret `<name>-kubeconfig` (key `value`).
    func kubeconfig(_ name: String) async throws(ProvisioningAPIError) -> String {
        let connection = try connected()
        let current = try await cluster(try Self.clusterName(name), connection)
        if let access = configuration.access, let text = await access.kubeconfig(namespace: namespace, cluster: name) {
            return text
        }
        let secretName = "\(name)-kubeconfig"
        let phase = current[path: ["status", "phase"]]?.stringValue ?? ClusterPhase.pending.rawValue
        let notYet = ProvisioningAPIError.notFound(
            "the kubeconfig of cluster \(name) is not there yet (phase \(phase)): the controller writes Secret "
                + "\(namespace)/\(secretName) when it makes the cluster's certificates; try again shortly")
        let secret: JSONValue
        do {
            secret = try await connection.api.get(.secrets, namespace: namespace, name: secretName)
        } catch  where error.isNotFound {
            throw notYet
        } catch {
            throw .api("could not read Secret \(secretName)", error)
        }
        guard let encoded = secret[path: ["data", "value"]]?.stringValue, let data = Data(base64Encoded: encoded),
            let text = String(data: data, encoding: .utf8), !text.isEmpty
        else { throw notYet }
        return text
    }

    /// `name` when it can name a cluster (a DNS label); anything else is no cluster (404).
    static func clusterName(_ name: String) throws(ProvisioningAPIError) -> String {
        guard ClusterSpecValidation.isDNSLabel(name) else {
            throw .notFound("cluster \(String(name.prefix(64))) not found (cluster names are DNS labels)")
        }
        return name
    }

    /// The stored specification of a ClusterDefinition.
    static func spec(of definition: JSONValue) -> ClusterSpec? {
        try? definition["spec"]?.decode(as: ClusterSpec.self)
    }

    static func plannedNodeCount(_ definition: JSONValue) -> Int {
        spec(of: definition)?.nodeGroups?.reduce(0) { $0 + max(0, $1.count ?? 0) } ?? 0
    }

    /// A cluster as the REST API shows it: the spec's type and version, the controller's phase,
    /// endpoint, node groups (replicas, ready, updated) and conditions, and links.
    static func clusterJSON(_ definition: JSONValue, detail: Bool) -> JSONValue {
        let name = definition.name ?? ""
        let spec = definition["spec"] ?? [:]
        let status = definition["status"] ?? [:]
        var groups = status["nodeGroups"]?.arrayValue ?? []
        if groups.isEmpty {
            // Before the controller's first status: what the spec asks for, none ready yet.
            groups = (spec["nodeGroups"]?.arrayValue ?? []).map { group in
                ["name": group["name"] ?? .null, "replicas": 0, "readyReplicas": 0, "updatedReplicas": 0]
            }
        }
        let roles = Dictionary(
            (spec["nodeGroups"]?.arrayValue ?? []).compactMap { group -> (String, JSONValue)? in
                guard let name = group["name"]?.stringValue else { return nil }
                return (name, ["role": group["role"] ?? .null, "count": group["count"] ?? .null])
            }, uniquingKeysWith: { first, _ in first })
        groups = groups.map { group in
            var group = group
            if let name = group["name"]?.stringValue, let declared = roles[name] {
                group["role"] = declared["role"]
                group["targetCount"] = declared["count"]
            }
            return group
        }
        var json: JSONValue = [
            "name": .string(name), "namespace": definition.namespace.map(JSONValue.string) ?? .null,
            "type": spec["type"] ?? .null, "version": status["version"] ?? spec["version"] ?? .null,
            "requestedVersion": spec["version"] ?? .null,
            "phase": status["phase"] ?? .string(ClusterPhase.pending.rawValue), "endpoint": status["endpoint"] ?? .null,
            "nodeGroups": .array(groups), "conditions": status["conditions"] ?? [],
            "operationId": definition.annotations[ProvisioningObjects.operationAnnotation].map(JSONValue.string) ?? .null,
            "decommissioning": .bool(definition.deletionTimestamp != nil),
            "createdAt": definition[path: ["metadata", "creationTimestamp"]] ?? .null,
        ]
        let base = "/api/v1/clusters/\(name)"
        var links: JSONValue = ["self": .string(base), "kubeconfig": .string("\(base)/kubeconfig")]
        if let id = definition.annotations[ProvisioningObjects.operationAnnotation] {
            links["operation"] = .string("/api/v1/clusters/operations/\(id)")
        }
        json["links"] = links
        if detail { json["spec"] = spec }
        return json
    }
}
