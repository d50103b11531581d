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
        return try await joined(objects, namespace: namespace, onlyThese: false).sorted(by: Self.nameOrder)
    }

    /// The vApps of a VDC, in name order.
    func vApps(in vdc: VDCRecord) async throws(VCDError) -> [VAppRecord] {
        try await vApps(namespace: vdc.namespace).filter { $0.vdcID == vdc.id }
    }

    /// One page of the vApps of a namespace (nil: every namespace) that `includes` admits, in
    /// name order, and how many it admits in all. Filtering, sorting and paging need only the
    /// VApp objects, so they come first and only the page's VMs and TemplateInstances are
    /// read: a page costs the same with ten vApps or ten thousand. `includes` sees the
    /// records before the join (no VMs, no instantiation state).
    func vAppPage(namespace: String? = nil, paging: Paging, where includes: (VAppRecord) -> Bool) async throws(VCDError)
        -> (vApps: [VAppRecord], total: Int)
    {
        let admitted = try await vAppObjects(namespace: namespace, where: includes)
        let page = Array(admitted[paging.range(total: admitted.count)]).map(\.object)
        return (try await joined(page, namespace: namespace), admitted.count)
    }

    /// The VApp objects of a namespace (nil: every namespace) that `includes` admits, in name
    /// order, each with its record before the join (no VMs, no instantiation state): what
    /// filtering, sorting and paging need, before ``joined(_:namespace:onlyThese:)`` completes a page.
    func vAppObjects(namespace: String? = nil, where includes: (VAppRecord) -> Bool) async throws(VCDError)
        -> [(object: JSONValue, record: VAppRecord)]
    {
        try await list(.vApps, namespace, selector: Self.vAppIDLabel).compactMap { object in
            VAppObjects.record(object, vms: [], instance: nil).flatMap { includes($0) ? (object, $0) : nil }
        }.sorted { Self.nameOrder($0.record, $1.record) }
    }

    /// The vApps of a VDC in name order, as their VApp objects alone say (no VMs, no
    /// instantiation state): for listings that show names and ids only.
    func vAppSummaries(in vdc: VDCRecord) async throws(VCDError) -> [VAppRecord] {
        try await list(.vApps, vdc.namespace, selector: Self.vAppIDLabel)
            .compactMap { VAppObjects.record($0, vms: [], instance: nil) }
            .filter { $0.vdcID == vdc.id }.sorted(by: Self.nameOrder)
    }

    /// The vApp with this UUID, whatever its organisation (callers check visibility).
    func vApp(id: String) async throws(VCDError) -> VAppRecord? {
        guard TenancyNames.isUUID(id) else { return nil }
        let objects = try await list(.vApps, nil, selector: "\(Self.vAppIDLabel)=\(id)")
        guard let object = objects.first, let namespace = object["metadata"]?["namespace"]?.stringValue else { return nil }
        return try await joined([object], namespace: namespace).first
    }

    /// The vApp of a VM (by the VM's `metadata.uid`), and that VM: the VM's `vapp.ssvirt`
    /// label names its vApp, so only that vApp is read and joined.
    func vApp(ofVM id: String) async throws(VCDError) -> (vApp: VAppRecord, vm: VAppVM)? {
        guard TenancyNames.isUUID(id) else { return nil }
        let machine = try await list(.virtualMachines, nil, selector: Self.vAppLabel).first { $0["metadata"]?["uid"]?.stringValue == id }
        guard let machine, let namespace = machine["metadata"]?["namespace"]?.stringValue,
            let owner = Self.labels(machine)[Self.vAppLabel], let object = try await get(.vApps, namespace, owner),
            Self.labels(object)[Self.vAppIDLabel] != nil,
            let vApp = try await joined([object], namespace: namespace).first,
            let vm = vApp.vms.first(where: { $0.id == id })
        else { return nil }
        return (vApp, vm)
    }

    /// Cloud Director lists by name, regardless of case; the namespace and object name make
    /// the order total (the same name in two VDCs).
    static func nameOrder(_ left: VAppRecord, _ right: VAppRecord) -> Bool {
        (left.name.lowercased(), left.namespace, left.objectName) < (right.name.lowercased(), right.namespace, right.objectName)
    }

    /// Joins VApp objects with their VMs (labelled `vapp.ssvirt=<object name>`) and their
    /// TemplateInstances (named as the VApp), in the objects' order. `onlyThese` reads only
    /// these vApps' VMs and instances (by a set-based label selector, in the one namespace
    /// they share when they do); otherwise every vApp VM and instance of `namespace`.
    func joined(_ objects: [JSONValue], namespace: String?, onlyThese: Bool = true) async throws(VCDError) -> [VAppRecord] {
        guard !objects.isEmpty else { return [] }
        func key(_ object: JSONValue) -> String {
            "\(object["metadata"]?["namespace"]?.stringValue ?? "")/\(object["metadata"]?["name"]?.stringValue ?? "")"
        }
        var vms: [JSONValue] = []
        var instances: [JSONValue] = []
        if onlyThese {
            let namespaces = Set(objects.compactMap { $0["metadata"]?["namespace"]?.stringValue })
            let scope = namespace ?? (namespaces.count == 1 ? namespaces.first : nil)
            let names = Array(Set(objects.compactMap { $0["metadata"]?["name"]?.stringValue })).sorted()
            for chunk in Self.selectorChunks(names) {
                let chosen = "\(Self.vAppLabel) in (\(chunk.joined(separator: ",")))"
                vms += try await list(.virtualMachines, scope, selector: chosen)
                instances += try await list(.openShiftTemplateInstances, scope, selector: "\(Self.vAppIDLabel),\(chosen)")
            }
        } else {
            vms = try await list(.virtualMachines, namespace, selector: Self.vAppLabel)
            instances = try await list(.openShiftTemplateInstances, namespace, selector: Self.vAppIDLabel)
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
        }
    }

    /// Names per set-based selector (`vapp.ssvirt in (…)`) are bounded by their bytes, so a
    /// request line stays near 4 KiB: a whole page in one list with usual names, a few lists
    /// with 63-byte ones.
    static let selectorBytes = 4096

    /// `names` cut into runs whose joined length stays within ``selectorBytes``.
    static func selectorChunks(_ names: [String]) -> [[String]] {
        var chunks: [[String]] = []
        var current: [String] = []
        var bytes = 0
        for name in names {
            if !current.isEmpty && bytes + name.utf8.count + 1 > selectorBytes {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(name)
            bytes += name.utf8.count + 1
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
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
