import KubeModel

/// Catalogs, catalog items, vApps, VMs and tasks in the cloudapi's JSON shapes (ssvirt's).
enum VAppJSON {
    static func reference(_ name: String, _ id: String) -> JSONValue { ["name": .string(name), "id": .string(id)] }

    static func catalog(_ catalog: CatalogRecord, organization: OrganizationRecord?, items: Int) -> JSONValue {
        [
            "id": .string(catalog.urn), "name": .string(catalog.name), "description": .string(catalog.description),
            "org": reference(organization?.name ?? "", "urn:vcloud:org:\(catalog.organizationID)"),
            "isPublished": false, "isSubscribed": false, "isLocal": true, "version": 1,
            "creationDate": .string(catalog.created), "numberOfVAppTemplates": .int(Int64(items)), "numberOfMedia": 0,
            "catalogStorageProfiles": [], "publishConfig": ["isPublished": false], "subscriptionConfig": ["isSubscribed": false],
            "distributedCatalogConfig": .null, "owner": reference(catalog.ownerName, ""),
        ]
    }

    static func catalogItem(_ item: CatalogItemRecord) -> JSONValue {
        let cpus = item.template.vms.reduce(0) { $0 + $1.cpus }
        let memory = item.template.vms.reduce(0) { $0 + $1.memoryMB }
        return [
            "id": .string(item.urn), "name": .string(item.name), "description": .string(item.template.description),
            "catalogId": .string(item.catalog.urn), "isPublished": false, "isExpired": false,
            "creationDate": .string(item.template.created), "size": 0, "status": "AVAILABLE",
            "entity": [
                "id": .string(item.template.urn), "name": .string(item.name), "description": .string(item.template.description),
                "type": .string(MediaType.vAppTemplate), "numberOfVMs": .int(Int64(item.template.vms.count)),
                "numberOfCpus": .int(Int64(cpus)), "memoryAllocation": .int(Int64(memory)), "storageAllocation": 0,
            ],
            "owner": reference("System", ""), "catalog": reference(item.catalog.name, item.catalog.urn),
        ]
    }

    static func vmStatus(_ vm: VAppVM) -> String {
        switch vm.vcdStatus {
        case 4: "POWERED_ON"
        case 8: "POWERED_OFF"
        case 3: "SUSPENDED"
        default: "UNRESOLVED"
        }
    }

    static func vApp(_ vApp: VAppRecord, address: PublicAddress) -> JSONValue {
        [
            "id": .string(vApp.urn), "name": .string(vApp.name), "description": .string(vApp.description),
            "status": .string(vApp.statusName), "vdcId": .string("urn:vcloud:vdc:\(vApp.vdcID)"),
            "templateId": .string("urn:vcloud:vapptemplate:\(vApp.templateID)"), "createdAt": .string(vApp.created),
            "updatedAt": .string(vApp.created), "numberOfVMs": .int(Int64(vApp.vms.count)),
            "owner": reference(vApp.ownerName, "urn:vcloud:user:\(vApp.ownerID)"),
            "vms": .array(
                vApp.vms.map { vm in
                    [
                        "id": .string(vm.urn), "name": .string(vm.name), "status": .string(vmStatus(vm)),
                        "href": .string(address.href("/cloudapi/1.0.0/vms/\(vm.urn)")),
                    ]
                }),
            "href": .string(address.href("/cloudapi/1.0.0/vapps/\(vApp.urn)")),
        ]
    }

    static func vm(_ vm: VAppVM, of vApp: VAppRecord, address: PublicAddress) -> JSONValue {
        [
            "id": .string(vm.urn), "name": .string(vm.name), "description": "", "status": .string(vmStatus(vm)),
            "powerState": .string(vmStatus(vm)), "printableStatus": .string(vm.printableStatus),
            "runStrategy": .string(vm.runStrategy), "vappId": .string(vApp.urn),
            "templateId": .string("urn:vcloud:vapptemplate:\(vApp.templateID)"), "createdAt": .string(vApp.created),
            "updatedAt": .string(vApp.created), "guestOs": "", "vmTools": ["status": "", "version": ""],
            "hardware": ["numCpus": .int(Int64(vm.cpus)), "numCoresPerSocket": .int(Int64(vm.cpus)), "memoryMB": .int(Int64(vm.memoryMB))],
            "storageProfile": ["name": "", "href": ""], "networkConnections": [],
            "href": .string(address.href("/cloudapi/1.0.0/vms/\(vm.urn)")),
        ]
    }

    static func task(_ task: TaskRecord, address: PublicAddress) -> JSONValue {
        [
            "id": .string(task.urn), "name": "task", "operationName": .string(task.operation.rawValue),
            "operation": .string(task.operation.sentence(task.targetName)), "status": .string(task.status.rawValue),
            "message": task.message.isEmpty ? .null : .string(task.message), "startTime": .string(task.started),
            "endTime": task.ended.map { .string($0) } ?? .null,
            "owner": reference(
                task.targetName,
                task.operation == .createCatalog ? "urn:vcloud:catalog:\(task.targetID)" : "urn:vcloud:vapp:\(task.targetID)"),
            "user": reference(task.userName, "urn:vcloud:user:\(task.userID)"),
            "href": .string(address.href("/cloudapi/1.0.0/tasks/\(task.urn)")),
        ]
    }
}
