import KubeClient
import KubeModel

/// Tasks: a Task object per operation, whose status is worked out when it is read, from the
/// objects the operation acts on (the TemplateInstance, the VMs), and kept once it changes.
/// Nothing runs in the background: a task nobody reads stays where it was last seen.
extension VAppStore {
    func createTask(
        _ operation: TaskOperation, vApp: VAppRecord, by principal: Principal, expectedVMs: Int, waitForRunning: Bool = false,
        vmID: String? = nil, status: TaskStatus = .queued
    ) async throws(VCDError) -> TaskRecord {
        let task = TaskRecord(
            id: VAppIDs.fresh(), operation: operation, organizationID: vApp.organizationID, userID: principal.userID,
            userName: principal.userName, targetID: vApp.id, targetName: vApp.name, targetNamespace: vApp.namespace,
            targetObject: vApp.objectName, status: status, message: "", started: VAppIDs.now(),
            ended: status.isFinal ? VAppIDs.now() : nil, expectedVMs: expectedVMs, waitForRunning: waitForRunning)
        try await save(task, vmID: vmID)
        return task
    }

    /// A task that is done when it starts (catalog creation).
    func createFinishedTask(
        _ operation: TaskOperation, targetID: String, targetName: String, organizationID: String, by principal: Principal
    )
        async throws(VCDError) -> TaskRecord
    {
        let now = VAppIDs.now()
        let task = TaskRecord(
            id: VAppIDs.fresh(), operation: operation, organizationID: organizationID, userID: principal.userID,
            userName: principal.userName, targetID: targetID, targetName: targetName, targetNamespace: "", targetObject: "",
            status: .success, message: "", started: now, ended: now, expectedVMs: 0, waitForRunning: false)
        try await save(task, vmID: nil)
        return task
    }

    private func save(_ task: TaskRecord, vmID: String?) async throws(VCDError) {
        var status: [String: JSONValue] = ["status": .string(task.status.rawValue), "message": ""]
        if let ended = task.ended { status["ended"] = .string(ended) }
        var target: [String: JSONValue] = [
            "id": .string(task.targetID), "name": .string(task.targetName), "namespace": .string(task.targetNamespace),
            "object": .string(task.targetObject),
        ]
        if let vmID { target["vmID"] = .string(vmID) }
        let object: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "Task",
            "metadata": [
                "name": .string("task-\(task.id)"),
                "labels": .object([
                    Self.organizationIDLabel: .string(task.organizationID), "virtyard.io/target-id": .string(task.targetID),
                    Self.managedByLabel: "virtyard",
                ]),
            ],
            "spec": [
                "id": .string(task.id), "operation": .string(task.operation.rawValue),
                "organizationID": .string(task.organizationID),
                "user": ["id": .string(task.userID), "name": .string(task.userName)], "target": .object(target),
                "started": .string(task.started), "expectedVMs": .int(Int64(task.expectedVMs)),
                "waitForRunning": .bool(task.waitForRunning),
            ],
            "status": .object(status),
        ]
        try await create(.vcdTasks, nil, object, duplicate: .internalFailure)
    }

    /// The task of this UUID with its status brought up to date; nil when there is none.
    func task(id: String) async throws(VCDError) -> TaskRecord? {
        guard TenancyNames.isUUID(id), let object = try await get(.vcdTasks, nil, "task-\(id)"),
            var task = Self.taskRecord(object)
        else { return nil }
        guard !task.status.isFinal else { return task }
        let (status, message) = try await progress(of: task, vmID: object["spec"]?["target"]?["vmID"]?.stringValue)
        guard status != task.status else { return task }
        task.status = status
        task.message = message
        var patch: [String: JSONValue] = ["status": .string(status.rawValue), "message": .string(message)]
        if status.isFinal {
            let now = VAppIDs.now()
            task.ended = now
            patch["ended"] = .string(now)
        }
        try await self.patch(.vcdTasks, nil, "task-\(id)", ["status": .object(patch)])
        return task
    }

    /// Where the operation stands, from the objects it acts on.
    func progress(of task: TaskRecord, vmID: String?) async throws(VCDError) -> (TaskStatus, String) {
        let namespace = task.targetNamespace
        let object = task.targetObject
        let vms = try await list(.virtualMachines, namespace, selector: "\(Self.vAppLabel)=\(object)").compactMap(VAppObjects.vm)
            .filter { vmID == nil || $0.id == vmID }
        switch task.operation {
        case .instantiate:
            guard let instance = try await get(.openShiftTemplateInstances, namespace, object) else {
                return (.error, "The vApp's TemplateInstance \(namespace)/\(object) is gone.")
            }
            switch VAppObjects.instantiation(instance) {
            case .failed(let message): return (.error, message)
            case .ready:
                let made = vms.count >= task.expectedVMs
                let running = !task.waitForRunning || vms.allSatisfy { $0.printableStatus == "Running" }
                return made && running ? (.success, "") : (.running, "")
            case nil: return (.running, "")
            }
        case .powerOn, .powerOff:
            guard !vms.isEmpty else { return (.error, "The vApp's VMs are gone.") }
            let wanted = task.operation == .powerOn ? "Running" : "Stopped"
            return vms.allSatisfy { $0.printableStatus == wanted } ? (.success, "") : (.running, "")
        case .delete:
            let instance = try await get(.openShiftTemplateInstances, namespace, object)
            return instance == nil && vms.isEmpty ? (.success, "") : (.running, "")
        case .createCatalog, .updateMetadata:
            return (.success, "")
        }
    }

    static func taskRecord(_ object: JSONValue) -> TaskRecord? {
        guard let spec = object["spec"], let id = spec["id"]?.stringValue, TenancyNames.isUUID(id),
            let operation = spec["operation"]?.stringValue.flatMap(TaskOperation.init(rawValue:))
        else { return nil }
        let target = spec["target"]
        return TaskRecord(
            id: id, operation: operation, organizationID: spec["organizationID"]?.stringValue ?? "",
            userID: spec["user"]?["id"]?.stringValue ?? "", userName: spec["user"]?["name"]?.stringValue ?? "",
            targetID: target?["id"]?.stringValue ?? "", targetName: target?["name"]?.stringValue ?? "",
            targetNamespace: target?["namespace"]?.stringValue ?? "", targetObject: target?["object"]?.stringValue ?? "",
            status: object["status"]?["status"]?.stringValue.flatMap(TaskStatus.init(rawValue:)) ?? .queued,
            message: object["status"]?["message"]?.stringValue ?? "", started: spec["started"]?.stringValue ?? "",
            ended: object["status"]?["ended"]?.stringValue, expectedVMs: Int(spec["expectedVMs"]?.intValue ?? 0),
            waitForRunning: spec["waitForRunning"]?.boolValue ?? false)
    }
}
