import Foundation
import KubeClient
import KubeModel

/// One requested move, as `POST /feedback` carries it.
public struct MigrationRequest: Sendable, Equatable {
    public var vmID: String
    public var fromNode: String
    public var toNode: String

    /// Reads `{"migrations": [{"vm_id", "from_node", "to_node"}]}`; entries missing a field
    /// come back as nil (reported per entry, as node-classifier-sim does).
    public static func parse(_ body: JSONValue) throws(CapacityError) -> [MigrationRequest?] {
        guard let list = body["migrations"]?.arrayValue, !list.isEmpty else {
            throw CapacityError(
                .badRequest,
                "Missing migrations field: expected {\"migrations\": [{\"vm_id\", \"from_node\", \"to_node\"}]}")
        }
        return list.map { entry in
            guard let vm = entry["vm_id"]?.stringValue, let from = entry["from_node"]?.stringValue,
                let to = entry["to_node"]?.stringValue, !vm.isEmpty
            else { return nil }
            return MigrationRequest(vmID: vm, fromNode: from, toNode: to)
        }
    }
}

extension CapacityService {
    /// Starts a live migration per request (the target node is a preference: the scheduler
    /// decides) and answers, once they finish, where each VM landed.
    public func migrate(_ requests: [MigrationRequest?], raw: [JSONValue]) async throws(CapacityError) -> JSONValue {
        guard let cluster = connected, isReady else { throw .notConnected }
        let results = await withTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask {
                    guard let request else {
                        return (
                            index,
                            [
                                "vm_id": raw[index]["vm_id"] ?? .null, "success": false,
                                "error": "Missing required fields",
                            ]
                        )
                    }
                    return (index, await self.migrate(request, cluster: cluster))
                }
            }
            var results = [JSONValue](repeating: .null, count: requests.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        return ["results": .array(results)]
    }

    /// The VM a scenario id or a VM name refers to.
    func virtualMachineName(for id: String, cluster: Cluster) -> String? {
        let vms = cluster.vms.list(namespace: configuration.namespace)
        return vms.first { $0.annotations[CapacityAnnotations.vmID] == id }?.name
            ?? vms.first { $0.name == id }?.name
            ?? vms.first { $0.name == NodeNames.vmName(forID: id) }?.name
    }

    func migrate(_ request: MigrationRequest, cluster: Cluster) async -> JSONValue {
        var result: JSONValue = [
            "vm_id": .string(request.vmID), "from_node": .string(request.fromNode),
            "to_node": .string(request.toNode), "success": false,
        ]
        let namespace = configuration.namespace
        guard let name = virtualMachineName(for: request.vmID, cluster: cluster),
            let vmi = cluster.vmis.get(namespace: namespace, name: name).map(VirtualMachineInstance.init)
        else {
            result["error"] = .string("VM \(request.vmID) is not running")
            return result
        }
        let current = vmi.nodeName ?? ""
        guard current == request.fromNode else {
            result["error"] = .string("VM \(request.vmID) is on node \(current.isEmpty ? "(none)" : current), not \(request.fromNode)")
            result["landed_node"] = .string(current)
            return result
        }
        guard cluster.nodes.get(namespace: nil, name: request.toNode) != nil else {
            result["error"] = .string("Node \(request.toNode) not found")
            return result
        }
        var migration = VirtualMachineInstanceMigration([
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstanceMigration",
            "metadata": ["generateName": .string("\(name)-migration-"), "namespace": .string(namespace)],
        ])
        migration.vmiName = name
        migration.annotations = [KubeVirtLabels.preferredNode: request.toNode]
        migration.labels = ["virtyard.io/requested-by": "capacity"]
        let created: JSONValue
        do {
            created = try await cluster.api.create(
                .virtualMachineInstanceMigrations, namespace: namespace,
                object: migration.object)
        } catch {
            result["error"] = .string("could not create the migration: \(error.message)")
            return result
        }
        let migrationName = created.name ?? ""
        result["migration"] = .string(migrationName)
        let outcome = await waitForMigration(migrationName, vmName: name, cluster: cluster)
        result["phase"] = .string(outcome.phase?.rawValue ?? "Unknown")
        result["landed_node"] = .string(outcome.node)
        result["success"] = .bool(outcome.phase == .succeeded)
        result["followed_request"] = .bool(outcome.node == request.toNode)
        if let reason = outcome.reason { result["error"] = .string(reason) }
        return result
    }

    /// How a migration ended: its phase (nil when it did not finish in time), the node the VM
    /// is on, and why it failed.
    struct MigrationOutcome {
        var phase: VirtualMachineInstanceMigration.Phase?
        var node: String
        var reason: String?
    }

    func waitForMigration(_ name: String, vmName: String, cluster: Cluster) async -> MigrationOutcome {
        let namespace = configuration.namespace
        func vmiNode() -> String {
            cluster.vmis.get(namespace: namespace, name: vmName).map(VirtualMachineInstance.init)?.nodeName ?? ""
        }
        let deadline = ContinuousClock.now + configuration.migrationTimeout
        while ContinuousClock.now < deadline {
            if let migration = cluster.migrations.get(namespace: namespace, name: name).map(VirtualMachineInstanceMigration.init),
                let phase = migration.phase, phase.isFinished
            {
                // The VMI write lands before the migration's; the cache may trail by an event.
                var node = vmiNode()
                if phase == .succeeded, let target = migration.migrationState?.targetNode { node = target }
                return MigrationOutcome(phase: phase, node: node, reason: migration.conditions.condition("Failed")?.message)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return MigrationOutcome(phase: nil, node: vmiNode(), reason: "the migration did not finish in time")
    }
}
