import Hummingbird

/// The catalogs, items, vApps and tasks a caller may see, by id: anything of another
/// organisation is a 404, as if it did not exist (a tenant learns nothing about others).
struct VAppAccess: Sendable {
    let store: VAppStore

    var directory: any TenantDirectory { store.directory }

    func catalog(_ id: String, for principal: Principal) async throws(VCDError) -> CatalogRecord {
        guard let catalog = try await store.catalog(id: id), principal.mayUse(organizationID: catalog.organizationID) else {
            throw .notFound("No catalog \(id.prefix(80)).")
        }
        return catalog
    }

    /// The catalogs of the caller's organisation (every one for the System Administrator).
    func catalogs(for principal: Principal) async throws(VCDError) -> [CatalogRecord] {
        try await store.catalogs(organizationID: principal.isSystemAdministrator ? nil : principal.organization.id)
    }

    func item(_ id: String, for principal: Principal) async throws(VCDError) -> CatalogItemRecord {
        guard TenancyNames.isUUID(id),
            let item = try await store.items(of: try await catalogs(for: principal)).first(where: { $0.id == id })
        else { throw .notFound("No catalog item \(id.prefix(80)).") }
        return item
    }

    /// A Template the caller may instantiate in `organizationID`: one in a catalog of that
    /// organisation (any for the System Administrator).
    func template(_ id: String, in organizationID: String, for principal: Principal) async throws(VCDError) -> TemplateRecord {
        guard let (template, _) = try await store.template(id: id) else { throw .notFound("No vApp template \(id.prefix(80)).") }
        if principal.isSystemAdministrator { return template }
        let catalogs = try await store.catalogs(organizationID: organizationID)
        guard principal.mayUse(organizationID: organizationID), catalogs.contains(where: { VAppStore.belongs(template, to: $0) }) else {
            throw .notFound("No vApp template \(id.prefix(80)).")
        }
        return template
    }

    func vdc(_ id: String, for principal: Principal) async throws(VCDError) -> VDCRecord {
        guard TenancyNames.isUUID(id), let vdc = try await directory.vdc(id: id), principal.mayUse(organizationID: vdc.organizationID)
        else { throw .notFound("No VDC \(id.prefix(80)).") }
        return vdc
    }

    func vApp(_ id: String, for principal: Principal) async throws(VCDError) -> VAppRecord {
        guard let vApp = try await store.vApp(id: id), principal.mayUse(organizationID: vApp.organizationID) else {
            throw .notFound("No vApp \(id.prefix(80)).")
        }
        return vApp
    }

    func vm(_ id: String, for principal: Principal) async throws(VCDError) -> (vApp: VAppRecord, vm: VAppVM) {
        guard let found = try await store.vApp(ofVM: id), principal.mayUse(organizationID: found.vApp.organizationID) else {
            throw .notFound("No VM \(id.prefix(80)).")
        }
        return found
    }

    /// The vApps the caller may see (every one for the System Administrator).
    func vApps(for principal: Principal) async throws(VCDError) -> [VAppRecord] {
        try await store.vApps().filter { principal.mayUse(organizationID: $0.organizationID) }
    }

    /// One page of the vApps the caller may see, and how many they may see in all.
    func vAppPage(for principal: Principal, paging: Paging) async throws(VCDError) -> (vApps: [VAppRecord], total: Int) {
        try await store.vAppPage(paging: paging) { principal.mayUse(organizationID: $0.organizationID) }
    }

    func task(_ id: String, for principal: Principal) async throws(VCDError) -> TaskRecord {
        guard let task = try await store.task(id: id), principal.mayUse(organizationID: task.organizationID) else {
            throw .notFound("No task \(id.prefix(80)).")
        }
        return task
    }

    /// A task as XML, with its organisation.
    func taskNode(_ task: TaskRecord, address: PublicAddress, root: Bool = true) async throws(VCDError) -> XMLNode {
        let organization = try await directory.organization(id: task.organizationID)
        return VAppDocuments.task(task, organization: organization, address: address, root: root)
    }

    /// The UUID after `prefix` in a path segment (`vapp-<uuid>`); nil otherwise.
    static func id(_ segment: String, prefix: String) -> String? {
        guard segment.hasPrefix(prefix) else { return nil }
        let id = String(segment.dropFirst(prefix.count))
        return TenancyNames.isUUID(id) ? id : nil
    }
}

extension VAppAccess {
    /// Every catalog, vApp and task route, in both APIs.
    static func registerRoutes(_ access: VAppAccess, on router: Router<VCDRequestContext>, address: PublicAddress) {
        CatalogRoutes(access: access, address: address).register(on: router)
        VAppRoutes(access: access, address: address).register(on: router)
        TaskRoutes(access: access, address: address).register(on: router)
        VAppCloudAPIRoutes(access: access, address: address).register(on: router)
    }

    /// The vApps `GET /api/vdc/{id}` lists under `ResourceEntities`.
    func vdcEntities(address: PublicAddress) -> VDCEntities {
        let store = self.store
        return { vdc throws(VCDError) in
            try await store.vAppSummaries(in: vdc).map {
                VDCResourceEntity(name: $0.name, href: address.href(VAppHrefs.vApp($0.id)), mediaType: MediaType.vApp)
            }
        }
    }
}
