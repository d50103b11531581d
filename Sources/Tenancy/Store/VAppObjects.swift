import KubeModel

/// Reading VApp objects, their VirtualMachines and TemplateInstances into records.
enum VAppObjects {
    static func record(_ object: JSONValue, vms: [VAppVM], instance: JSONValue?) -> VAppRecord? {
        guard let metadata = object["metadata"], let spec = object["spec"], let id = spec["id"]?.stringValue,
            TenancyNames.isUUID(id), let name = spec["name"]?.stringValue, let objectName = metadata["name"]?.stringValue,
            let namespace = metadata["namespace"]?.stringValue
        else { return nil }
        return VAppRecord(
            id: id, name: name, objectName: objectName, namespace: namespace, vdcID: spec["vdcID"]?.stringValue ?? "",
            organizationID: spec["organizationID"]?.stringValue ?? "", description: spec["description"]?.stringValue ?? "",
            ownerName: spec["owner"]?["name"]?.stringValue ?? "", ownerID: spec["owner"]?["id"]?.stringValue ?? "",
            templateID: spec["template"]?["id"]?.stringValue ?? "", templateName: spec["template"]?["name"]?.stringValue ?? "",
            created: metadata["creationTimestamp"]?.stringValue ?? VAppIDs.now(),
            metadata: (spec["metadata"]?.objectValue ?? [:]).compactMapValues(\.stringValue), vms: vms,
            instantiation: instance.flatMap(instantiation), deleting: metadata["deletionTimestamp"] != nil,
            sharedToEveryone: spec["sharedToEveryone"]?.boolValue ?? false,
            everyoneAccessLevel: spec["everyoneAccessLevel"]?.stringValue ?? "ReadOnly")
    }

    /// A TemplateInstance's outcome from its conditions; nil while it is processed.
    static func instantiation(_ instance: JSONValue) -> VAppRecord.Instantiation? {
        let conditions = instance["status"]?["conditions"]?.arrayValue ?? []
        func condition(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        if let failure = condition("InstantiateFailure") {
            let message = failure["message"]?.stringValue ?? failure["reason"]?.stringValue ?? "The template could not be instantiated."
            return .failed(String(message.prefix(1000)))
        }
        return condition("Ready") == nil ? nil : .ready
    }

    static func vm(_ object: JSONValue) -> VAppVM? {
        guard let metadata = object["metadata"], let uid = metadata["uid"]?.stringValue, TenancyNames.isUUID(uid),
            let name = metadata["name"]?.stringValue
        else { return nil }
        let spec = object["spec"]
        let runStrategy =
            spec?["runStrategy"]?.stringValue ?? (spec?["running"]?.boolValue == true ? "Always" : "Halted")
        let domain = spec?["template"]?["spec"]?["domain"]
        let cores = Int(domain?["cpu"]?["cores"]?.intValue ?? 1)
        let sockets = Int(domain?["cpu"]?["sockets"]?.intValue ?? 1)
        let memory = domain?["memory"]?["guest"]?.stringValue ?? domain?["resources"]?["requests"]?["memory"]?.stringValue
        return VAppVM(
            id: uid, name: name, printableStatus: object["status"]?["printableStatus"]?.stringValue ?? "Provisioning",
            runStrategy: runStrategy, cpus: max(1, cores * sockets), memoryMB: memory.flatMap(TemplateObjects.megabytes) ?? 1024)
    }
}
