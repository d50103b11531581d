import KubeModel

/// The `/api/query` types of catalogs, catalog items, vApp templates and vApps: what
/// pyvcloud's `Org.list_catalogs`, `VDC.get_vapp` and vcd-cli's `catalog list` / `vapp list`
/// ask. The `admin…` types are the System Administrator's; the others show the caller's
/// organisation (everything to the System Administrator).
enum VAppQueries {
    static func all(access: VAppAccess, address: PublicAddress) -> [any RecordQuery] {
        [
            CatalogQuery(access: access, address: address), CatalogItemQuery(access: access, address: address),
            VAppQuery(access: access, address: address),
        ]
    }

    static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    /// Organisations by id, for names in records.
    static func organizationNames(_ access: VAppAccess) async throws(VCDError) -> [String: String] {
        Dictionary(try await access.directory.organizations().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }
}

struct CatalogQuery: RecordQuery {
    let access: VAppAccess
    let address: PublicAddress
    var types: [String] { ["catalog", "adminCatalog"] }

    func records(type: String, for principal: Principal) async throws(VCDError) -> [QueryRecord] {
        try TenancyQueries.requireAdminType(type, principal)
        let catalogs = try await access.catalogs(for: principal)
        let items = try await access.store.items(of: catalogs)
        let names = try await VAppQueries.organizationNames(access)
        let admin = type == "adminCatalog"
        return catalogs.map { catalog in
            QueryRecord(
                element: admin ? "AdminCatalogRecord" : "CatalogRecord",
                href: address.href(admin ? VAppHrefs.adminCatalog(catalog.id) : VAppHrefs.catalog(catalog.id)), id: catalog.urn,
                name: catalog.name, mediaType: admin ? MediaType.adminCatalog : MediaType.catalog,
                fields: [
                    .init("orgName", names[catalog.organizationID] ?? ""), .init("ownerName", catalog.ownerName),
                    .init("description", catalog.description), .init("isPublished", "false"),
                    .init("isShared", VAppQueries.bool(catalog.sharedToEveryone)),
                    .init("numberOfVAppTemplates", String(items.filter { $0.catalog.id == catalog.id }.count)),
                    .init("numberOfMedia", "0"), .init("creationDate", catalog.created),
                    .init("org", address.href(VAppHrefs.org(catalog.organizationID))),
                ])
        }
    }
}

/// Catalog items (`catalogItem`) and the vApp templates they hold (`vAppTemplate`): one
/// record per catalog a Template is in.
struct CatalogItemQuery: RecordQuery {
    let access: VAppAccess
    let address: PublicAddress
    var types: [String] { ["catalogItem", "adminCatalogItem", "vAppTemplate", "adminVAppTemplate"] }

    func records(type: String, for principal: Principal) async throws(VCDError) -> [QueryRecord] {
        try TenancyQueries.requireAdminType(type, principal)
        let items = try await access.store.items(of: try await access.catalogs(for: principal))
        let names = try await VAppQueries.organizationNames(access)
        let admin = type.hasPrefix("admin")
        if type.lowercased().hasSuffix("vapptemplate") {
            return items.map { item in
                QueryRecord(
                    element: admin ? "AdminVAppTemplateRecord" : "VAppTemplateRecord",
                    href: address.href(VAppHrefs.vAppTemplate(item.template.id)), id: item.template.urn, name: item.name,
                    mediaType: MediaType.vAppTemplate,
                    fields: [
                        .init("catalogName", item.catalog.name), .init("catalogItem", address.href(VAppHrefs.catalogItem(item.id))),
                        .init("org", address.href(VAppHrefs.org(item.catalog.organizationID))),
                        .init("orgName", names[item.catalog.organizationID] ?? ""), .init("ownerName", "system"),
                        .init("status", "RESOLVED"), .init("isDeployed", "false"), .init("isEnabled", "true"),
                        .init("isGoldMaster", "false"), .init("isExpired", "false"), .init("creationDate", item.template.created),
                        .init("numberOfVMs", String(item.template.vms.count)), .init("description", item.template.description),
                    ])
            }
        }
        return items.map { item in
            QueryRecord(
                element: admin ? "AdminCatalogItemRecord" : "CatalogItemRecord",
                href: address.href(VAppHrefs.catalogItem(item.id)), id: item.urn, name: item.name, mediaType: MediaType.catalogItem,
                fields: [
                    .init("catalog", address.href(VAppHrefs.catalog(item.catalog.id))), .init("catalogName", item.catalog.name),
                    .init("entity", address.href(VAppHrefs.vAppTemplate(item.template.id))), .init("entityName", item.name),
                    .init("entityType", "vapptemplate"), .init("org", address.href(VAppHrefs.org(item.catalog.organizationID))),
                    .init("orgName", names[item.catalog.organizationID] ?? ""), .init("ownerName", "system"),
                    .init("status", "RESOLVED"), .init("isPublished", "false"), .init("isExpired", "false"),
                    .init("creationDate", item.template.created), .init("description", item.template.description),
                ])
        }
    }
}

/// vApps (`vApp`, `adminVApp`): `vdc==<href>` and `name==` filters are what `VDC.get_vapp` sends.
/// Filters and sorts on the VApp object's own fields page before the VMs are read.
struct VAppQuery: TwoStepRecordQuery {
    let access: VAppAccess
    let address: PublicAddress
    var types: [String] { ["vApp", "adminVApp"] }

    /// A vApp before its VMs are read, with the names its record shows.
    struct Draft: Sendable {
        var object: JSONValue
        var organizationName: String
        var vdcName: String
    }

    /// Every field but those counted from the VMs and the instantiation state.
    var draftFields: Set<String> {
        [
            "name", "href", "id", "vdc", "vdcName", "org", "orgName", "ownerName", "isEnabled", "isExpired",
            "isInMaintenanceMode", "isBusy", "creationDate", "description",
        ]
    }

    func records(type: String, for principal: Principal) async throws(VCDError) -> [QueryRecord] {
        try TenancyQueries.requireAdminType(type, principal)
        let vApps = try await access.vApps(for: principal)
        let names = try await VAppQueries.organizationNames(access)
        let vdcNames = try await self.vdcNames(Set(vApps.map(\.vdcID)))
        return vApps.map { record($0, type: type, organizationName: names[$0.organizationID] ?? "", vdcName: vdcNames[$0.vdcID] ?? "") }
    }

    func drafts(type: String, for principal: Principal) async throws(VCDError) -> [(record: QueryRecord, draft: Draft)] {
        try TenancyQueries.requireAdminType(type, principal)
        let vApps = try await access.store.vAppObjects { principal.mayUse(organizationID: $0.organizationID) }
        let names = try await VAppQueries.organizationNames(access)
        let vdcNames = try await self.vdcNames(Set(vApps.map(\.record.vdcID)))
        return vApps.map { object, vApp in
            let draft = Draft(object: object, organizationName: names[vApp.organizationID] ?? "", vdcName: vdcNames[vApp.vdcID] ?? "")
            return (record(vApp, type: type, organizationName: draft.organizationName, vdcName: draft.vdcName), draft)
        }
    }

    func complete(_ drafts: [Draft], type: String) async throws(VCDError) -> [QueryRecord] {
        let vApps = try await access.store.joined(drafts.map(\.object), namespace: nil)
        // Matched by object, not by position: `joined` drops objects it cannot read.
        func key(_ draft: Draft) -> String {
            let metadata = draft.object["metadata"]
            return "\(metadata?["namespace"]?.stringValue ?? "")/\(metadata?["name"]?.stringValue ?? "")"
        }
        let draftsByObject = Dictionary(drafts.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        return vApps.compactMap { vApp in
            guard let draft = draftsByObject["\(vApp.namespace)/\(vApp.objectName)"] else { return nil }
            return record(vApp, type: type, organizationName: draft.organizationName, vdcName: draft.vdcName)
        }
    }

    private func vdcNames(_ ids: Set<String>) async throws(VCDError) -> [String: String] {
        var names: [String: String] = [:]
        for id in ids { names[id] = try await access.directory.vdc(id: id)?.name ?? "" }
        return names
    }

    private func record(_ vApp: VAppRecord, type: String, organizationName: String, vdcName: String) -> QueryRecord {
        let admin = type == "adminVApp"
        return QueryRecord(
            element: admin ? "AdminVAppRecord" : "VAppRecord", href: address.href(VAppHrefs.vApp(vApp.id)), id: vApp.urn,
            name: vApp.name, mediaType: MediaType.vApp,
            fields: [
                .init("vdc", address.href(VAppHrefs.vdc(vApp.vdcID))), .init("vdcName", vdcName),
                .init("org", address.href(VAppHrefs.org(vApp.organizationID))), .init("orgName", organizationName),
                .init("ownerName", vApp.ownerName), .init("status", vApp.statusName),
                .init("numberOfVMs", String(vApp.vms.count)), .init("numberOfCpus", String(vApp.vms.reduce(0) { $0 + $1.cpus })),
                .init("memoryAllocationMB", String(vApp.vms.reduce(0) { $0 + $1.memoryMB })),
                .init("isDeployed", VAppQueries.bool(vApp.vcdStatus == 4)), .init("isEnabled", "true"),
                .init("isExpired", "false"), .init("isInMaintenanceMode", "false"), .init("isBusy", "false"),
                .init("creationDate", vApp.created), .init("description", vApp.description),
            ])
    }
}
