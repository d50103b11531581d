import KubeModel
import Tenancy

/// The tenancy page's model, built from the objects alone (no I/O, so it is tested without a
/// server): organisations in name order, each with its VDCs, their quota use and their vApps.
enum TenancyViewModel {
    static func build(_ objects: TenancyObjects) -> [String: Any] {
        let organizations = objects.organizations.compactMap(TenancyConsole.organization)
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
        let vdcs = objects.vdcs.compactMap { TenancyConsole.vdc($0, organizations: organizations) }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
        let vmsByVApp = Dictionary(grouping: objects.virtualMachines) { vm -> String in
            guard let owner = vm["metadata"]?["labels"]?[TenancyConsole.vAppLabel]?.stringValue else { return "" }
            return "\(vm["metadata"]?["namespace"]?.stringValue ?? "")/\(owner)"
        }
        let instances = Dictionary(
            objects.templateInstances.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let vApps = objects.vApps.compactMap { object in
            TenancyConsole.vApp(object, vms: vmsByVApp[key(object)] ?? [], instance: instances[key(object)])
        }
        let vAppCount = vApps.count
        let shown = organizations.map { organization -> [String: Any] in
            let own = vdcs.filter { $0.organizationID == organization.id }
            return [
                "id": organization.id, "name": organization.name, "fullName": organization.fullName,
                "enabled": organization.enabled, "provider": organization.isProvider,
                "vdcCount": own.count, "vdcs": own.map { vdc(for: $0, objects: objects, vApps: vApps) },
            ]
        }
        return [
            "organizations": shown, "organizationCount": organizations.count, "vdcCount": vdcs.count, "vAppCount": vAppCount,
        ]
    }

    /// `namespace/name`: how a VApp, its TemplateInstance and its VMs' label meet.
    static func key(_ object: JSONValue) -> String {
        "\(object["metadata"]?["namespace"]?.stringValue ?? "")/\(object["metadata"]?["name"]?.stringValue ?? "")"
    }

    static func vdc(for vdc: VDCRecord, objects: TenancyObjects, vApps: [VAppRecord]) -> [String: Any] {
        let own = vApps.filter { $0.namespace == vdc.namespace && ($0.vdcID == vdc.id || $0.vdcID.isEmpty) }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
        return [
            "id": vdc.id, "name": vdc.name, "namespace": vdc.namespace, "enabled": vdc.enabled,
            "allocationModel": vdc.settings.allocationModel.rawValue,
            "quota": quota(of: vdc, objects: objects).map(\.model),
            "vApps": own.map(vApp), "hasVApps": !own.isEmpty,
        ]
    }

    /// CPU and memory of the VMs that are meant to run (not halted), and the storage its
    /// claims request, against the VDC's limits and its quota's `requests.storage`.
    static func quota(of vdc: VDCRecord, objects: TenancyObjects) -> [QuotaUse] {
        let running = objects.virtualMachines.filter { $0["metadata"]?["namespace"]?.stringValue == vdc.namespace }
            .compactMap(TenancyConsole.vm).filter { $0.runStrategy != "Halted" }
        let cores = Double(running.reduce(0) { $0 + $1.cpus })
        let memory = Double(running.reduce(0) { $0 + $1.memoryMB }) / 1024
        let storage = objects.claims.filter { $0["metadata"]?["namespace"]?.stringValue == vdc.namespace }
            .compactMap { $0["spec"]?["resources"]?["requests"]?["storage"]?.stringValue.flatMap(QuotaUse.gibibytes(quantity:)) }
            .reduce(0, +)
        let storageLimit = objects.quotas.first {
            $0["metadata"]?["namespace"]?.stringValue == vdc.namespace && $0["metadata"]?["name"]?.stringValue == "vdc-quota"
        }?["spec"]?["hard"]?["requests.storage"]?.stringValue.flatMap(QuotaUse.gibibytes(quantity:))
        return [
            QuotaUse(
                resource: "CPU", used: cores, limit: QuotaUse.cores(limit: vdc.settings.cpu.limit, units: vdc.settings.cpu.units),
                unit: "cores"),
            QuotaUse(
                resource: "Memory", used: memory,
                limit: QuotaUse.gibibytes(limit: vdc.settings.memory.limit, units: vdc.settings.memory.units), unit: "GiB"),
            QuotaUse(resource: "Storage", used: storage, limit: storageLimit, unit: "GiB"),
        ]
    }

    static func vApp(_ vApp: VAppRecord) -> [String: Any] {
        let status = vApp.statusName
        let settled = !vApp.deleting && !vApp.vms.isEmpty
        var model: [String: Any] = [
            "id": vApp.id, "name": vApp.name, "status": statusWords(status), "statusLevel": level(status),
            "vmCount": vApp.vms.count, "owner": vApp.ownerName.isEmpty ? "—" : vApp.ownerName,
            "template": vApp.templateName.isEmpty ? "—" : vApp.templateName,
            "canPowerOn": settled && status != "POWERED_ON", "canPowerOff": settled && status != "POWERED_OFF",
            "canDelete": !vApp.deleting,
        ]
        if case .failed(let message) = vApp.instantiation { model["problem"] = message }
        return model
    }

    /// The API's status word for a person: `POWERED_OFF` → `Powered off`.
    static func statusWords(_ status: String) -> String {
        let words = status.lowercased().replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func level(_ status: String) -> String {
        switch status {
        case "POWERED_ON": "ok"
        case "POWERED_OFF": "muted"
        case "FAILED_CREATION": "bad"
        default: "warn"
        }
    }
}
