import Foundation
import KubeClient
import KubeModel

/// VDCs and what they own on Kubernetes: the `VDC` object is the truth, and its namespace,
/// quota and network policy follow it (``ensureNamespaceObjects(of:in:)`` on the request
/// path, and ``VDCReconciler`` whenever any of them changes).
extension KubeTenantDirectory {
    static let maximumVDCsPerOrganization = 100

    public func createVDC(_ draft: VDCRecord) async throws(VCDError) -> VDCRecord {
        guard let organization = try await organization(id: draft.organizationID),
            let organizationObject = TenancyNames.organization(organization.name)
        else { throw .notFound("No organisation \(draft.organizationID.prefix(64)).") }
        let namespace = try TenancyValidation.vdcNamespace(draft.name, organization: organization.name)
        let existing = try await vdcs(of: organization)
        guard existing.count < Self.maximumVDCsPerOrganization else {
            throw .badRequest("Organisation \(organization.name) has \(existing.count) VDCs, the most allowed.")
        }
        let api = try await readyAPI()
        // Another VDC whose namespace is already this one (e.g. org "a-b" + vdc "c" and org "a" + vdc "b-c").
        if try await object(api, .namespaces, nil, namespace) != nil {
            throw .duplicateName("The namespace \(namespace) is already in use; choose another VDC name.")
        }
        var record = draft
        record.id = UUID().uuidString.lowercased()
        record.namespace = namespace
        let objectName = "\(organizationObject).\(draft.name.lowercased())"
        var spec: [String: JSONValue] = [
            "id": .string(record.id), "name": .string(record.name), "organization": .string(organizationObject),
            "description": .string(record.description), "enabled": .bool(record.enabled),
        ]
        spec.merge(VDCSpec.fields(record.settings)) { _, new in new }
        let vdcObject: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "VDC",
            "metadata": ["name": .string(objectName), "labels": Self.labels], "spec": .object(spec),
        ]
        do {
            _ = try await api.create(.vdcs, object: vdcObject)
        } catch {
            if error.isAlreadyExists { throw .duplicateName("A VDC named \(draft.name) already exists in \(organization.name).") }
            throw failure("create the VDC", error)
        }
        do {
            try await ensureNamespaceObjects(of: record, in: organization)
        } catch {
            // Nothing half-made: the VDC goes with whatever part of its namespace was made.
            // The VDC first: while it exists, the reconciler would make its namespace again.
            _ = try? await api.delete(.vdcs, name: objectName)
            _ = try? await api.delete(.namespaces, name: namespace)
            throw failure("create the VDC's namespace", error)
        }
        logger.info("VDC created", metadata: ["vdc": "\(record.name)", "org": "\(organization.name)", "namespace": "\(namespace)"])
        return record
    }

    public func updateVDC(_ vdc: VDCRecord) async throws(VCDError) -> VDCRecord {
        guard let organization = try await organization(id: vdc.organizationID),
            let organizationObject = TenancyNames.organization(organization.name)
        else { throw .notFound("No VDC \(vdc.id.prefix(64)).") }
        var spec: [String: JSONValue] = ["description": .string(vdc.description), "enabled": .bool(vdc.enabled)]
        spec.merge(VDCSpec.fields(vdc.settings)) { _, new in new }
        let api = try await readyAPI()
        do {
            _ = try await api.patch(.vdcs, name: "\(organizationObject).\(vdc.name.lowercased())", patch: ["spec": .object(spec)])
        } catch {
            if error.isNotFound { throw .notFound("No VDC \(vdc.id.prefix(64)).") }
            throw failure("update the VDC", error)
        }
        do {
            try await ensureNamespaceObjects(of: vdc, in: organization)
        } catch {
            // The VDC object is the truth; the reconciler finishes the namespace.
            logger.warning("VDC namespace not yet updated", metadata: ["vdc": "\(vdc.name)", "error": "\(error)"])
        }
        return vdc
    }

    public func deleteVDC(id: String, force: Bool) async throws(VCDError) {
        guard let vdc = try await vdc(id: id), let organization = try await organization(id: vdc.organizationID),
            let organizationObject = TenancyNames.organization(organization.name)
        else { throw .notFound("No VDC \(id.prefix(64)).") }
        let api = try await readyAPI()
        if !force {
            let machines = try await count(api, .virtualMachines, in: vdc.namespace)
            let instances = try await count(api, .openShiftTemplateInstances, in: vdc.namespace)
            if machines + instances > 0 {
                throw .conflict(
                    "VDC \(vdc.name) still holds \(machines) VirtualMachine(s) and \(instances) TemplateInstance(s) in namespace \(vdc.namespace): delete its vApps first, or use force=true."
                )
            }
        }
        do {
            _ = try await api.delete(.vdcs, name: "\(organizationObject).\(vdc.name.lowercased())")
        } catch {
            if !error.isNotFound { throw failure("delete the VDC", error) }
        }
        do {
            _ = try await api.delete(.namespaces, name: vdc.namespace)
        } catch {
            if !error.isNotFound { throw failure("delete the VDC's namespace", error) }
        }
        logger.info("VDC deleted", metadata: ["vdc": "\(vdc.name)", "org": "\(organization.name)"])
    }

    /// Objects of a kind in a namespace; a kind the cluster does not serve counts none.
    private func count(_ api: any KubernetesAPI, _ resource: ResourceType, in namespace: String) async throws(VCDError) -> Int {
        do {
            return try await api.list(resource, namespace: namespace, options: ListOptions()).items.count
        } catch {
            if error.isNotFound { return 0 }
            throw failure("list \(resource.resource) of the VDC", error)
        }
    }

    /// Makes the namespace, quota and network policy match the VDC, reading what exists from
    /// the API (the request path); ``VDCReconciler`` does the same from its caches.
    func ensureNamespaceObjects(of vdc: VDCRecord, in organization: OrganizationRecord) async throws(KubeClientError) {
        let api = try await connectedAPI()
        try await ensureNamespaceObjects(of: vdc, in: organization, api: api, reader: APIObjectReader(api: api))
    }

    /// Makes the namespace, quota and network policy match the VDC: creates what is missing,
    /// puts back labels and specs changed by hand, and writes nothing when all is as wanted
    /// (so that the reconciler's own writes do not wake it forever). A namespace being deleted
    /// (a VDC deleted and made again at once) is a conflict the caller retries.
    func ensureNamespaceObjects(
        of vdc: VDCRecord, in organization: OrganizationRecord, api: any KubernetesAPI, reader: some VDCObjectReader
    ) async throws(KubeClientError) {
        let objects = VDCNamespaceObjects(vdc: vdc, organization: organization)
        let namespace = try await reader.current(.namespaces, nil, vdc.namespace)
        if namespace == nil, let name = TenancyNames.organization(organization.name) {
            // A cache can still hold a VDC just deleted: only a VDC the API confirms, and that
            // is not being deleted, gets its namespace (again).
            let live: JSONValue
            do {
                live = try await api.get(.vdcs, namespace: nil, name: "\(name).\(vdc.name.lowercased())")
            } catch {
                if error.isNotFound { return }
                throw error
            }
            guard live["metadata"]?["deletionTimestamp"] == nil else { return }
        }
        if namespace?["metadata"]?["deletionTimestamp"] != nil {
            throw KubeClientError(
                code: 409, reason: "Conflict", message: "namespace \(vdc.namespace) is being deleted",
                request: "reconcile VDC \(vdc.name)")
        }
        try await apply(.namespaces, nil, wanted: objects.namespace, current: namespace, replacesSpec: false, api)
        try await apply(
            .resourceQuotas, vdc.namespace, wanted: objects.quota,
            current: try await reader.current(.resourceQuotas, vdc.namespace, VDCNamespaceObjects.quotaName), replacesSpec: true,
            api)
        try await apply(
            .networkPolicies, vdc.namespace, wanted: objects.networkPolicy,
            current: try await reader.current(.networkPolicies, vdc.namespace, VDCNamespaceObjects.policyName),
            replacesSpec: true, api)
        guard let name = TenancyNames.organization(organization.name) else { return }
        let objectName = "\(name).\(vdc.name.lowercased())"
        let recorded = try? await reader.current(.vdcs, nil, objectName)?["status"]?["namespace"]?.stringValue
        if recorded != vdc.namespace {
            _ = try? await api.patch(
                .vdcs, namespace: nil, name: objectName, patch: ["status": ["namespace": .string(vdc.namespace)]],
                type: .merge, subresource: "status", options: .default)
        }
    }

    /// Creates `wanted`, or brings the existing object back to it (``VDCNamespaceObjects/write(wanted:current:replacesSpec:)``).
    private func apply(
        _ resource: ResourceType, _ namespace: String?, wanted: JSONValue, current: JSONValue?, replacesSpec: Bool,
        _ api: any KubernetesAPI
    ) async throws(KubeClientError) {
        switch VDCNamespaceObjects.write(wanted: wanted, current: current, replacesSpec: replacesSpec) {
        case nil:
            return
        case .create(let object):
            do {
                _ = try await api.create(resource, namespace: namespace, object: object)
            } catch {
                // Made meanwhile (the request path and the reconciler race): fix what the API holds.
                guard error.isAlreadyExists, let name = wanted["metadata"]?["name"]?.stringValue else { throw error }
                let existing = try await api.get(resource, namespace: namespace, name: name)
                if case .update(let object)? = VDCNamespaceObjects.write(wanted: wanted, current: existing, replacesSpec: replacesSpec) {
                    try await update(resource, namespace, object, replacesSpec: replacesSpec, api)
                }
            }
        case .update(let object):
            try await update(resource, namespace, object, replacesSpec: replacesSpec, api)
        }
    }

    /// Labels alone go as a merge patch (no conflict with other writers); a spec is replaced
    /// whole, since a merge patch cannot remove keys added by hand.
    private func update(
        _ resource: ResourceType, _ namespace: String?, _ object: JSONValue, replacesSpec: Bool, _ api: any KubernetesAPI
    ) async throws(KubeClientError) {
        if replacesSpec {
            _ = try await api.update(resource, namespace: namespace, object: object)
        } else if let name = object["metadata"]?["name"]?.stringValue {
            _ = try await api.patch(
                resource, namespace: namespace, name: name, patch: ["metadata": ["labels": object["metadata"]?["labels"] ?? [:]]])
        }
    }

    /// The client without the ready gate (the reconciler runs once the provider exists anyway).
    private func connectedAPI() async throws(KubeClientError) -> any KubernetesAPI {
        do {
            return try await api()
        } catch let error as KubeClientError {
            throw error
        } catch {
            throw KubeClientError(code: 0, reason: "Unreachable", message: "\(error)", request: "connect")
        }
    }
}
