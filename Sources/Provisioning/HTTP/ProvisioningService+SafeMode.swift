import Foundation
import KubeClient
import KubeModel

/// Safe mode (`DELETE /api/v1/vms/{namespace}/{name}`) and the audit log's reader.
///
/// moxxie protects VMs it did not make by a tag; here it is the label
/// `virtyard.io/managed-by=provisioning` the provisioner puts on every VM it creates. Any
/// other VM is refused (403 `SAFE_MODE_VIOLATION`, nothing deleted) unless `?force=true`.
/// Every decision is in the audit log: ALLOWED, BLOCKED, or OVERRIDDEN for a forced delete.
extension ProvisioningService {
    /// moxxie's `SafeModeViolationException` body.
    static func safeModeViolation(namespace: String, name: String) -> ProvisioningAPIError {
        ProvisioningAPIError(
            .forbidden, "SAFE_MODE_VIOLATION",
            "Safe mode refused to delete VirtualMachine \(namespace)/\(name): the provisioner did not create it",
            details: [
                "reason": .string(
                    "the VM has no label \(ProvisioningLabels.managedBy)=\(ProvisioningLabels.managedByValue)"),
                "suggestion": "Use force=true to override, or delete the cluster that owns it (DELETE /api/v1/clusters/{name})",
            ])
    }

    func deleteVM(namespace vmNamespace: String, name: String, force: Bool, user: String) async throws(ProvisioningAPIError)
        -> JSONValue
    {
        let connection = try connected()
        let resource = "vm/\(vmNamespace)/\(name)"
        let vm: JSONValue
        do {
            vm = try await connection.api.get(.virtualMachines, namespace: vmNamespace, name: name)
        } catch  where error.isNotFound {
            throw .notFound("VirtualMachine \(vmNamespace)/\(name) not found")
        } catch {
            throw .api("could not read VirtualMachine \(vmNamespace)/\(name)", error)
        }
        let managed = vm.labels[ProvisioningLabels.managedBy] == ProvisioningLabels.managedByValue
        let decision: AuditEntry.Result
        let reason: String
        if managed {
            decision = .allowed
            reason = "created by the provisioner (cluster \(vm.labels[ProvisioningLabels.cluster] ?? "unknown"))"
        } else if !configuration.safeMode {
            decision = .allowed
            reason = "not created by the provisioner; safe mode is off"
        } else if force {
            decision = .overridden
            reason = "not created by the provisioner; forced with force=true"
        } else {
            await audit(
                AuditEntry(
                    timestamp: Date(), user: user, action: "DELETE_VM", resource: resource, result: .blocked,
                    message: "not created by the provisioner (no \(ProvisioningLabels.managedBy) label)"),
                on: connection)
            throw Self.safeModeViolation(namespace: vmNamespace, name: name)
        }
        do {
            // The precondition makes sure the VM deleted is the one just judged.
            _ = try await connection.api.delete(
                .virtualMachines, namespace: vmNamespace, name: name, options: DeleteOptions(preconditionUID: vm.uid))
        } catch  where error.isNotFound {
            throw .notFound("VirtualMachine \(vmNamespace)/\(name) not found")
        } catch  where error.code == 409 {
            throw .conflict("VirtualMachine \(vmNamespace)/\(name) was replaced meanwhile; ask again")
        } catch {
            throw .api("could not delete VirtualMachine \(vmNamespace)/\(name)", error)
        }
        await audit(
            AuditEntry(timestamp: Date(), user: user, action: "DELETE_VM", resource: resource, result: decision, message: reason),
            on: connection)
        return [
            "namespace": .string(vmNamespace), "name": .string(name), "decision": .string(decision.rawValue),
            "reason": .string(reason), "message": .string("VirtualMachine \(vmNamespace)/\(name) is being deleted"),
        ]
    }

    /// moxxie's `GET /api/v1/safety/audit`: entries at or after `since` (default: the last 24
    /// hours, as moxxie), oldest first, at most `limit`.
    func auditEntries(since: Date?, limit: Int) async throws(ProvisioningAPIError) -> JSONValue {
        let connection = try connected()
        let start = since ?? Date().addingTimeInterval(-86_400)
        do {
            let entries = try await connection.audit.entries(since: start, limit: limit)
            return ["entries": .array(entries.map(\.json))]
        } catch {
            throw .api("could not read the audit log", error)
        }
    }
}
