import Foundation
import KubeClient
import KubeModel

/// What a client asks to instantiate: a vApp named `name` from a Template.
struct InstantiateRequest: Sendable {
    var name: String
    var description: String
    /// The Template's `metadata.uid` (a catalog item's entity).
    var templateID: String
    /// nil keeps the Template's own run strategy (the cloudapi); the legacy API's `powerOn`.
    var powerOn: Bool?
}

/// vApps: a VApp object in the VDC's namespace, the Secret `<name>-params` and the
/// TemplateInstance `<name>` that makes its VMs, and the VMs labelled `vapp.ssvirt=<name>`.
extension VAppStore {
    static let maximumDescription = 4096
    static let maximumMetadataEntries = 64

    /// The vApps of a namespace (nil: every namespace), with their VMs and instantiation state.
    func vApps(namespace: String? = nil) async throws(VCDError) -> [VAppRecord] {
        let objects = try await list(.vApps, namespace, selector: Self.vAppIDLabel)
        return try await records(objects, namespace: namespace)
    }

    /// The vApps of a VDC, in name order (what `GET /api/vdc/{id}` lists as its ResourceEntities).
    func vApps(in vdc: VDCRecord) async throws(VCDError) -> [VAppRecord] {
        try await vApps(namespace: vdc.namespace).filter { $0.vdcID == vdc.id }
    }

    /// The vApp with this UUID, whatever its organisation (callers check visibility).
    func vApp(id: String) async throws(VCDError) -> VAppRecord? {
        guard TenancyNames.isUUID(id) else { return nil }
        let objects = try await list(.vApps, nil, selector: "\(Self.vAppIDLabel)=\(id)")
        guard let object = objects.first, let namespace = object["metadata"]?["namespace"]?.stringValue else { return nil }
        return try await records([object], namespace: namespace).first
    }

    /// The vApp of a VM (by the VM's `metadata.uid`), and that VM.
    func vApp(ofVM id: String) async throws(VCDError) -> (vApp: VAppRecord, vm: VAppVM)? {
        guard TenancyNames.isUUID(id) else { return nil }
        for vApp in try await vApps() {
            if let vm = vApp.vms.first(where: { $0.id == id }) { return (vApp, vm) }
        }
        return nil
    }

    private func records(_ objects: [JSONValue], namespace: String?) async throws(VCDError) -> [VAppRecord] {
        guard !objects.isEmpty else { return [] }
        let vms = try await list(.virtualMachines, namespace, selector: Self.vAppLabel)
        let instances = try await list(.openShiftTemplateInstances, namespace, selector: Self.vAppIDLabel)
        func key(_ object: JSONValue) -> String {
            "\(object["metadata"]?["namespace"]?.stringValue ?? "")/\(object["metadata"]?["name"]?.stringValue ?? "")"
        }
        var vmsByVApp: [String: [VAppVM]] = [:]
        for vm in vms {
            guard let owner = Self.labels(vm)[Self.vAppLabel], let record = VAppObjects.vm(vm) else { continue }
            vmsByVApp["\(vm["metadata"]?["namespace"]?.stringValue ?? "")/\(owner)", default: []].append(record)
        }
        let instancesByName = Dictionary(instances.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        return objects.compactMap { object in
            let objectKey = key(object)
            return VAppObjects.record(
                object, vms: (vmsByVApp[objectKey] ?? []).sorted { $0.name < $1.name }, instance: instancesByName[objectKey])
        }.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    /// Starts making a vApp: VApp, params Secret and TemplateInstance, and the task that
    /// follows it. A name taken in the VDC is a 400 `DUPLICATE_NAME`; on any failure nothing
    /// is left behind.
    func instantiate(_ request: InstantiateRequest, in vdc: VDCRecord, by principal: Principal) async throws(VCDError)
        -> (vApp: VAppRecord, task: TaskRecord)
    {
        let name = request.name.trimmingCharacters(in: .whitespaces)
        let objectName = name.lowercased()
        guard TenancyNames.isDNSLabel(objectName) else {
            throw .badRequest(
                "vApp name \"\(request.name.prefix(80))\" must be a DNS label once lower-cased (letters, digits and '-', at most 63): it names the TemplateInstance."
            )
        }
        guard request.description.utf8.count <= Self.maximumDescription else {
            throw .badRequest("The description is longer than \(Self.maximumDescription) bytes.")
        }
        guard vdc.enabled else { throw .badRequest("VDC \(vdc.name) is disabled.") }
        guard let (template, templateObject) = try await template(id: request.templateID) else {
            throw .notFound("No vApp template \(request.templateID.prefix(80)).")
        }
        guard try await get(.namespaces, nil, vdc.namespace) != nil else {
            throw VCDError(.conflict, "INVALID_STATE", "The namespace \(vdc.namespace) of VDC \(vdc.name) does not exist.")
        }
        if try await get(.openShiftTemplateInstances, vdc.namespace, objectName) != nil {
            throw .duplicateName("A vApp named \(name) already exists in VDC \(vdc.name).")
        }
        let id = VAppIDs.fresh()
        let labels: JSONValue = .object([
            Self.vAppIDLabel: .string(id), Self.vAppLabel: .string(objectName), Self.organizationIDLabel: .string(vdc.organizationID),
            Self.vdcIDLabel: .string(vdc.id), Self.managedByLabel: "virtyard",
        ])
        let vApp: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "VApp",
            "metadata": ["name": .string(objectName), "namespace": .string(vdc.namespace), "labels": labels],
            "spec": [
                "id": .string(id), "name": .string(name), "description": .string(request.description),
                "vdcID": .string(vdc.id), "organizationID": .string(vdc.organizationID),
                "owner": ["id": .string(principal.userID), "name": .string(principal.userName)],
                "template": ["id": .string(template.id), "name": .string(template.name)],
                "templateInstance": .string(objectName), "metadata": [:], "sharedToEveryone": false,
                "everyoneAccessLevel": "ReadOnly",
            ],
        ]
        try await create(.vApps, vdc.namespace, vApp, duplicate: .duplicateName("A vApp named \(name) already exists in VDC \(vdc.name)."))
        // What this call made, removed again if a later step fails (never someone else's).
        var made: [(ResourceType, String)] = [(.vApps, objectName)]
        do {
            let secretName = "\(objectName)-params"
            // KubeVirt's common templates name their VM after NAME: the vApp's name keeps it unique.
            let parameters: JSONValue =
                TemplateObjects.declaresParameter(templateObject, "NAME") ? ["NAME": .string(objectName)] : [:]
            try await create(
                .secrets, vdc.namespace,
                [
                    "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": [
                        "name": .string(secretName), "namespace": .string(vdc.namespace),
                        "labels": .object([Self.managedByLabel: "virtyard", "ssvirt.io/template-instance": .string(objectName)]),
                    ],
                    "stringData": parameters,
                ],
                duplicate: .duplicateName("The Secret \(secretName) of a vApp named \(name) already exists in VDC \(vdc.name)."))
            made.append((.secrets, secretName))
            let instance = try await create(
                .openShiftTemplateInstances, vdc.namespace,
                [
                    "apiVersion": "template.openshift.io/v1", "kind": "TemplateInstance",
                    "metadata": [
                        "name": .string(objectName), "namespace": .string(vdc.namespace),
                        "labels": .object([
                            Self.vAppIDLabel: .string(id), Self.vAppLabel: .string(objectName), Self.managedByLabel: "virtyard",
                            "ssvirt.io/template-name": .string(String(template.name.prefix(63))),
                        ]),
                    ],
                    "spec": [
                        "template": TemplateObjects.embedded(templateObject, vAppObjectName: objectName, powerOn: request.powerOn),
                        "secret": ["name": .string(secretName)],
                        "requester": ["username": .string("\(principal.organization.name)/\(principal.userName)")],
                    ],
                ],
                duplicate: .duplicateName("A vApp named \(name) already exists in VDC \(vdc.name)."))
            made.append((.openShiftTemplateInstances, objectName))
            if let uid = instance["metadata"]?["uid"]?.stringValue {
                // The Secret goes with its TemplateInstance (best effort: the delete removes it too).
                _ = try? await patch(
                    .secrets, vdc.namespace, secretName,
                    [
                        "metadata": [
                            "ownerReferences": [
                                [
                                    "apiVersion": "template.openshift.io/v1", "kind": "TemplateInstance", "name": .string(objectName),
                                    "uid": .string(uid), "controller": true, "blockOwnerDeletion": true,
                                ]
                            ]
                        ]
                    ])
            }
            let record = VAppRecord(
                id: id, name: name, objectName: objectName, namespace: vdc.namespace, vdcID: vdc.id,
                organizationID: vdc.organizationID, description: request.description, ownerName: principal.userName,
                ownerID: principal.userID, templateID: template.id, templateName: template.name, created: VAppIDs.now(),
                metadata: [:], vms: [], instantiation: nil, deleting: false, sharedToEveryone: false, everyoneAccessLevel: "ReadOnly")
            let task = try await createTask(
                .instantiate, vApp: record, by: principal, expectedVMs: template.vms.count, waitForRunning: request.powerOn ?? false)
            return (record, task)
        } catch {
            for (resource, objectName) in made.reversed() { try? await delete(resource, vdc.namespace, objectName) }
            throw error
        }
    }

    /// Powers every VM of the vApp on (`runStrategy: Always`) or off (`Halted`).
    func power(_ vApp: VAppRecord, on: Bool, by principal: Principal) async throws(VCDError) -> TaskRecord {
        guard !vApp.vms.isEmpty else {
            throw VCDError(.badRequest, "INVALID_STATE", "vApp \(vApp.name) has no VMs yet: wait for its instantiation task.")
        }
        try await setRunStrategy(on ? "Always" : "Halted", of: vApp.vms, namespace: vApp.namespace)
        return try await createTask(on ? .powerOn : .powerOff, vApp: vApp, by: principal, expectedVMs: vApp.vms.count)
    }

    /// Powers one VM on or off.
    func power(_ vm: VAppVM, of vApp: VAppRecord, on: Bool, by principal: Principal) async throws(VCDError) -> TaskRecord {
        try await setRunStrategy(on ? "Always" : "Halted", of: [vm], namespace: vApp.namespace)
        var target = vApp
        target.vms = [vm]
        return try await createTask(on ? .powerOn : .powerOff, vApp: target, by: principal, expectedVMs: 1, vmID: vm.id)
    }

    private func setRunStrategy(_ strategy: String, of vms: [VAppVM], namespace: String) async throws(VCDError) {
        for vm in vms {
            // `running` and `runStrategy` are exclusive in KubeVirt: the older field goes.
            try await patch(.virtualMachines, namespace, vm.name, ["spec": ["runStrategy": .string(strategy), "running": .null]])
        }
    }

    /// Deletes the vApp at once and its TemplateInstance, Secret and VMs after; the task
    /// succeeds when the TemplateInstance and the VMs are gone.
    func delete(_ vApp: VAppRecord, by principal: Principal) async throws(VCDError) -> TaskRecord {
        let task = try await createTask(.delete, vApp: vApp, by: principal, expectedVMs: 0)
        try await self.delete(.openShiftTemplateInstances, vApp.namespace, vApp.objectName)
        try await self.delete(.secrets, vApp.namespace, "\(vApp.objectName)-params")
        for vm in vApp.vms { try await self.delete(.virtualMachines, vApp.namespace, vm.name) }
        try await self.delete(.vApps, vApp.namespace, vApp.objectName)
        return task
    }

    /// Adds or replaces metadata entries (string values).
    func setMetadata(_ entries: [String: String], of vApp: VAppRecord, by principal: Principal) async throws(VCDError)
        -> TaskRecord
    {
        var merged = vApp.metadata
        for (key, value) in entries { merged[key] = value }
        guard merged.count <= Self.maximumMetadataEntries else {
            throw .badRequest("A vApp holds at most \(Self.maximumMetadataEntries) metadata entries.")
        }
        guard
            try await patch(.vApps, vApp.namespace, vApp.objectName, ["spec": ["metadata": .object(merged.mapValues { .string($0) })]])
        else { throw .notFound("No vApp \(vApp.id).") }
        return try await createTask(.updateMetadata, vApp: vApp, by: principal, expectedVMs: 0, status: .success)
    }

    /// Removes one metadata entry.
    func removeMetadata(_ key: String, of vApp: VAppRecord, by principal: Principal) async throws(VCDError) -> TaskRecord {
        guard vApp.metadata[key] != nil else { throw .notFound("vApp \(vApp.name) has no metadata entry \(key.prefix(80)).") }
        guard try await patch(.vApps, vApp.namespace, vApp.objectName, ["spec": ["metadata": .object([key: .null])]]) else {
            throw .notFound("No vApp \(vApp.id).")
        }
        return try await createTask(.updateMetadata, vApp: vApp, by: principal, expectedVMs: 0, status: .success)
    }

    /// Changes who else in the organisation may use the vApp.
    func setSharing(of vApp: VAppRecord, toEveryone: Bool, level: String) async throws(VCDError) -> VAppRecord {
        guard
            try await patch(
                .vApps, vApp.namespace, vApp.objectName,
                ["spec": ["sharedToEveryone": .bool(toEveryone), "everyoneAccessLevel": .string(level)]])
        else { throw .notFound("No vApp \(vApp.id).") }
        var changed = vApp
        changed.sharedToEveryone = toEveryone
        changed.everyoneAccessLevel = level
        return changed
    }
}
