/// The legacy API's catalog, vApp and task documents, with the elements, attributes and link
/// `rel`/`type` pairs pyvcloud and vcd-cli read (see docs/tenancy.md, "Catalogs and vApps").
enum VAppDocuments {
    static func link(_ rel: String, _ type: String?, _ href: String, name: String? = nil) -> XMLNode {
        XMLNode("Link", [("rel", rel), ("type", type), ("name", name), ("href", href)])
    }

    // MARK: Catalogs

    /// `GET /api/catalog/{id}`: what `Org.get_catalog` and `list_catalog_items` read.
    static func catalog(_ catalog: CatalogRecord, items: [CatalogItemRecord], address: PublicAddress) -> XMLNode {
        XMLNode(
            "Catalog",
            [
                ("xmlns", MediaType.vcloudNamespace), ("name", catalog.name), ("id", catalog.urn),
                ("href", address.href(VAppHrefs.catalog(catalog.id))), ("type", MediaType.catalog),
            ],
            children: catalogLinks(catalog, address: address) + [
                XMLNode("Description", text: catalog.description),
                XMLNode(
                    "CatalogItems",
                    children: items.map { item in
                        XMLNode(
                            "CatalogItem",
                            [
                                ("href", address.href(VAppHrefs.catalogItem(item.id))), ("id", item.id), ("name", item.name),
                                ("type", MediaType.catalogItem),
                            ])
                    }),
                XMLNode("IsPublished", text: "false"),
                XMLNode("DateCreated", text: catalog.created),
                XMLNode("VersionNumber", text: "1"),
            ])
    }

    /// `AdminCatalog`: `POST /api/admin/org/{id}/catalogs` (with its task) and `GET /api/admin/catalog/{id}`.
    static func adminCatalog(_ catalog: CatalogRecord, tasks: [XMLNode] = [], address: PublicAddress) -> XMLNode {
        XMLNode(
            "AdminCatalog",
            [
                ("xmlns", MediaType.vcloudNamespace), ("name", catalog.name), ("id", catalog.urn),
                ("href", address.href(VAppHrefs.adminCatalog(catalog.id))), ("type", MediaType.adminCatalog),
            ],
            children: catalogLinks(catalog, address: address) + [
                link("alternate", MediaType.catalog, address.href(VAppHrefs.catalog(catalog.id))),
                link("remove", nil, address.href(VAppHrefs.adminCatalog(catalog.id))),
                link("edit", MediaType.adminCatalog, address.href(VAppHrefs.adminCatalog(catalog.id))),
                XMLNode("Description", text: catalog.description),
            ] + (tasks.isEmpty ? [] : [XMLNode("Tasks", children: tasks)]) + [
                XMLNode("IsPublished", text: "false"),
                XMLNode("DateCreated", text: catalog.created),
            ])
    }

    private static func catalogLinks(_ catalog: CatalogRecord, address: PublicAddress) -> [XMLNode] {
        [
            link("up", MediaType.org, address.href(VAppHrefs.org(catalog.organizationID))),
            link("down", MediaType.controlAccess, address.href(VAppHrefs.catalog(catalog.id) + "/controlAccess/")),
            link("controlAccess", MediaType.controlAccess, address.href(VAppHrefs.catalog(catalog.id) + "/action/controlAccess")),
        ]
    }

    /// `GET /api/org/{id}/catalogs/query`: the `CatalogRecord`s pyvcloud's `Org.get_catalog` finds by name.
    static func catalogRecords(_ catalogs: [CatalogRecord], organization: OrganizationRecord, address: PublicAddress) -> XMLNode {
        XMLNode(
            "QueryResultRecords",
            [
                ("xmlns", MediaType.vcloudNamespace), ("name", "catalog"), ("page", "1"), ("pageSize", String(max(catalogs.count, 1))),
                ("total", String(catalogs.count)), ("href", address.href("/api/org/\(organization.id)/catalogs/query")),
                ("type", MediaType.records),
            ],
            children: catalogs.map { catalog in
                XMLNode(
                    "CatalogRecord",
                    [
                        ("name", catalog.name), ("href", address.href(VAppHrefs.catalog(catalog.id))), ("id", catalog.urn),
                        ("orgName", organization.name), ("ownerName", catalog.ownerName), ("description", catalog.description),
                        ("isPublished", "false"), ("isShared", catalog.sharedToEveryone ? "true" : "false"),
                        ("creationDate", catalog.created),
                    ])
            })
    }

    /// `GET /api/catalogItem/{id}`: its `Entity` is the vApp template.
    static func catalogItem(_ item: CatalogItemRecord, address: PublicAddress) -> XMLNode {
        XMLNode(
            "CatalogItem",
            [
                ("xmlns", MediaType.vcloudNamespace), ("size", "0"), ("name", item.name), ("id", item.urn),
                ("href", address.href(VAppHrefs.catalogItem(item.id))), ("type", MediaType.catalogItem),
            ],
            children: [
                link("up", MediaType.catalog, address.href(VAppHrefs.catalog(item.catalog.id))),
                XMLNode("Description", text: item.template.description),
                XMLNode(
                    "Entity",
                    [
                        ("href", address.href(VAppHrefs.vAppTemplate(item.template.id))), ("id", item.template.urn),
                        ("name", item.template.name), ("type", MediaType.vAppTemplate),
                    ]),
                XMLNode("DateCreated", text: item.template.created),
                XMLNode("VersionNumber", text: "1"),
            ])
    }

    /// `GET /api/vAppTemplate/vappTemplate-{id}`: `Children/Vm` is what `VDC.instantiate_vapp` walks.
    static func vAppTemplate(_ template: TemplateRecord, address: PublicAddress) -> XMLNode {
        XMLNode(
            "VAppTemplate",
            [
                ("xmlns", MediaType.vcloudNamespace), ("xmlns:ovf", MediaType.ovfNamespace), ("xmlns:rasd", MediaType.rasdNamespace),
                ("goldMaster", "false"), ("ovfDescriptorUploaded", "true"), ("status", "8"), ("name", template.name),
                ("id", template.urn), ("href", address.href(VAppHrefs.vAppTemplate(template.id))), ("type", MediaType.vAppTemplate),
            ],
            children: [
                XMLNode("Description", text: template.description),
                XMLNode(
                    "Children",
                    children: template.vms.map { vm in
                        XMLNode(
                            "Vm",
                            [
                                ("goldMaster", "false"), ("status", "8"), ("name", vm.name), ("id", "urn:vcloud:vm:\(vm.id)"),
                                ("href", address.href(VAppHrefs.templateVM(vm.id))), ("type", MediaType.vm),
                            ],
                            children: [
                                XMLNode("Description", text: ""),
                                hardware(cpus: vm.cpus, memoryMB: vm.memoryMB),
                                networkConnections(href: address.href(VAppHrefs.templateVM(vm.id) + "/networkConnectionSection/")),
                            ])
                    }),
            ])
    }

    // MARK: vApps

    /// `GET /api/vApp/vapp-{id}`, and the 201 of an instantiation (with its task in `Tasks`).
    static func vApp(_ vApp: VAppRecord, tasks: [XMLNode] = [], address: PublicAddress) -> XMLNode {
        let href = address.href(VAppHrefs.vApp(vApp.id))
        var links = [
            // Power links carry no `type`, as Cloud Director's do (pyvcloud posts without one).
            link("power:powerOn", nil, href + "/power/action/powerOn"),
            link("power:powerOff", nil, href + "/power/action/powerOff"),
            link("remove", nil, href),
            link("down", MediaType.metadata, href + "/metadata"),
            link("add", MediaType.metadata, href + "/metadata"),
            link("down", MediaType.controlAccess, href + "/controlAccess/"),
            link("controlAccess", MediaType.controlAccess, href + "/action/controlAccess"),
        ]
        if !vApp.vdcID.isEmpty { links.insert(link("up", MediaType.vdc, address.href(VAppHrefs.vdc(vApp.vdcID))), at: 0) }
        return XMLNode(
            "VApp",
            [
                ("xmlns", MediaType.vcloudNamespace), ("xmlns:ovf", MediaType.ovfNamespace), ("xmlns:rasd", MediaType.rasdNamespace),
                ("ownerName", vApp.ownerName), ("deployed", vApp.vcdStatus == 4 ? "true" : "false"), ("status", String(vApp.vcdStatus)),
                ("name", vApp.name), ("id", vApp.urn), ("href", href), ("type", MediaType.vApp),
            ],
            children: links + [XMLNode("Description", text: vApp.description)]
                + (tasks.isEmpty ? [] : [XMLNode("Tasks", children: tasks)]) + [
                    XMLNode(
                        "Owner", [("type", MediaType.owner)],
                        children: [
                            XMLNode(
                                "User",
                                [
                                    ("href", address.href(VAppHrefs.user(vApp.ownerID))), ("name", vApp.ownerName),
                                    ("type", MediaType.adminUser),
                                ])
                        ]),
                    XMLNode("InMaintenanceMode", text: "false"),
                    XMLNode("Children", children: vApp.vms.map { vm(vm: $0, of: vApp, address: address, standalone: false) }),
                    XMLNode("DateCreated", text: vApp.created),
                ])
    }

    /// A VM of a vApp: inside `Children`, or alone (`GET /api/vApp/vm-{id}`).
    static func vm(vm: VAppVM, of vApp: VAppRecord, address: PublicAddress, standalone: Bool) -> XMLNode {
        let href = address.href(VAppHrefs.vm(vm.id))
        var attributes: [(String, String?)] = [
            ("needsCustomization", "false"), ("deployed", vm.vcdStatus == 4 ? "true" : "false"), ("status", String(vm.vcdStatus)),
            ("name", vm.name), ("id", vm.urn), ("href", href), ("type", MediaType.vm),
        ]
        if standalone {
            attributes.insert(contentsOf: [("xmlns:ovf", MediaType.ovfNamespace), ("xmlns:rasd", MediaType.rasdNamespace)], at: 0)
            attributes.insert(("xmlns", MediaType.vcloudNamespace), at: 0)
        }
        return XMLNode(
            "Vm", attributes,
            children: [
                link("power:powerOn", nil, href + "/power/action/powerOn"),
                link("power:powerOff", nil, href + "/power/action/powerOff"),
                link("up", MediaType.vApp, address.href(VAppHrefs.vApp(vApp.id))),
                XMLNode("Description", text: ""),
                hardware(cpus: vm.cpus, memoryMB: vm.memoryMB),
                networkConnections(href: href + "/networkConnectionSection/"),
            ])
    }

    /// The OVF hardware items `vcd vapp info` prints: CPUs (resource type 3) and memory (4).
    static func hardware(cpus: Int, memoryMB: Int) -> XMLNode {
        func item(_ name: String, _ type: Int, _ quantity: Int, _ units: String) -> XMLNode {
            XMLNode(
                "ovf:Item",
                children: [
                    XMLNode("rasd:AllocationUnits", text: units),
                    XMLNode("rasd:Description", text: type == 3 ? "Number of Virtual CPUs" : "Memory Size"),
                    XMLNode("rasd:ElementName", text: name),
                    XMLNode("rasd:InstanceID", text: String(type)),
                    XMLNode("rasd:ResourceType", text: String(type)),
                    XMLNode("rasd:VirtualQuantity", text: String(quantity)),
                    XMLNode("rasd:VirtualQuantityUnits", text: type == 3 ? "count" : "byte * 2^20"),
                ])
        }
        return XMLNode(
            "ovf:VirtualHardwareSection",
            children: [
                XMLNode("ovf:Info", text: "Virtual hardware requirements"),
                item("\(cpus) virtual CPU(s)", 3, cpus, "hertz * 10^6"),
                item("\(memoryMB) MB of memory", 4, memoryMB, "byte * 2^20"),
            ])
    }

    /// No networks yet: the section says so, with the primary index pyvcloud reads.
    static func networkConnections(href: String) -> XMLNode {
        XMLNode(
            "NetworkConnectionSection", [("href", href), ("type", MediaType.networkConnectionSection), ("ovf:required", "false")],
            children: [
                XMLNode("ovf:Info", text: "Specifies the available VM network connections"),
                XMLNode("PrimaryNetworkConnectionIndex", text: "0"),
            ])
    }

    // MARK: Tasks, metadata, access

    /// A `Task`: `status`, `operation`, `Owner`, and `Error@message` once it failed.
    static func task(_ task: TaskRecord, organization: OrganizationRecord?, address: PublicAddress, root: Bool = true) -> XMLNode {
        var attributes: [(String, String?)] = [
            ("cancelRequested", "false"), ("status", task.status.rawValue), ("startTime", task.started), ("endTime", task.ended),
            ("operationName", task.operation.rawValue), ("operation", task.operation.sentence(task.targetName)),
            ("serviceNamespace", "com.vmware.vcloud"), ("name", "task"), ("id", task.urn),
            ("href", address.href(VAppHrefs.task(task.id))), ("type", MediaType.task),
        ]
        if root { attributes.insert(("xmlns", MediaType.vcloudNamespace), at: 0) }
        let isCatalog = task.operation == .createCatalog
        var children = [
            XMLNode(
                "Owner",
                [
                    ("href", address.href(isCatalog ? VAppHrefs.catalog(task.targetID) : VAppHrefs.vApp(task.targetID))),
                    ("name", task.targetName), ("type", isCatalog ? MediaType.catalog : MediaType.vApp),
                ])
        ]
        if task.status == .error {
            children.append(
                XMLNode(
                    "Error",
                    [
                        ("majorErrorCode", "500"), ("minorErrorCode", "INTERNAL_SERVER_ERROR"),
                        ("message", task.message.isEmpty ? "The task failed." : task.message), ("stackTrace", ""),
                    ]))
        }
        children.append(
            XMLNode("User", [("href", address.href(VAppHrefs.user(task.userID))), ("name", task.userName), ("type", MediaType.adminUser)]))
        if let organization {
            children.append(
                XMLNode(
                    "Organization",
                    [("href", address.href(VAppHrefs.org(organization.id))), ("name", organization.name), ("type", MediaType.org)]
                ))
        }
        children.append(XMLNode("Progress", text: task.status == .success ? "100" : "0"))
        return XMLNode("Task", attributes, children: children)
    }

    /// `GET …/metadata`: string entries, as pyvcloud's `get_metadata` reads them.
    static func metadata(_ entries: [String: String], href: String) -> XMLNode {
        XMLNode(
            "Metadata",
            [("xmlns", MediaType.vcloudNamespace), ("xmlns:xsi", MediaType.xsiNamespace), ("href", href), ("type", MediaType.metadata)],
            children: [link("up", MediaType.vApp, String(href.dropLast("/metadata".count))), link("add", MediaType.metadata, href)]
                + entries.sorted { $0.key < $1.key }.map { key, value in
                    XMLNode(
                        "MetadataEntry", [("href", href + "/" + key), ("type", "application/vnd.vmware.vcloud.metadata.value+xml")],
                        children: [
                            XMLNode("Key", text: key),
                            XMLNode("TypedValue", [("xsi:type", "MetadataStringValue")], children: [XMLNode("Value", text: value)]),
                        ])
                })
    }

    /// `ControlAccessParams`: shared with the organisation or not; no per-user settings.
    static func controlAccess(sharedToEveryone: Bool, level: String, href: String) -> XMLNode {
        var children = [XMLNode("IsSharedToEveryone", text: sharedToEveryone ? "true" : "false")]
        if sharedToEveryone { children.append(XMLNode("EveryoneAccessLevel", text: level)) }
        return XMLNode(
            "ControlAccessParams", [("xmlns", MediaType.vcloudNamespace), ("href", href), ("type", MediaType.controlAccess)],
            children: children)
    }
}
