import Foundation
import Hummingbird
import KubeModel

/// ssvirt's cloudapi routes of catalogs, catalog items, instantiation, vApps and VMs, with
/// the legacy API's visibility and roles.
struct VAppCloudAPIRoutes: VAppRouteGroup {
    let access: VAppAccess
    let address: PublicAddress
    static let base = "/cloudapi/1.0.0"

    func register(on router: Router<VCDRequestContext>) {
        registerCatalogs(on: router)
        registerVApps(on: router)
    }

    private func paging(_ request: Request) throws(VCDError) -> Paging {
        try Paging { request.uri.queryParameters[Substring($0)].map(String.init) }
    }

    private func registerCatalogs(on router: Router<VCDRequestContext>) {
        router.get("\(Self.base)/catalogs") { request, context in
            let principal = try context.requireSession().principal
            let paging = try paging(request)
            let catalogs = try await access.catalogs(for: principal)
            let items = try await store.items(of: catalogs)
            let organizations = try await access.directory.organizations()
            let values = catalogs.map { catalog in
                VAppJSON.catalog(
                    catalog, organization: organizations.first { $0.id == catalog.organizationID },
                    items: items.filter { $0.catalog.id == catalog.id }.count)
            }
            return SessionRoutes.json(paging.page(of: values))
        }
        router.post("\(Self.base)/catalogs") { request, context in
            let principal = try context.requireSession().principal
            let body = try await JSONBody.read(request)
            guard let name = try JSONBody.string(body, "name"), !name.isEmpty else { throw VCDError.badRequest("name is required.") }
            let organizationURN = try JSONBody.string(body, "orgId") ?? body["org"]?["id"]?.stringValue ?? principal.organization.urn
            let organizationID = try EntityID.uuid(organizationURN, kind: "org")
            try principal.requireAdministration(of: organizationID)
            guard let organization = try await access.directory.organization(id: organizationID) else {
                throw VCDError.notFound("No organisation \(organizationURN.prefix(80)).")
            }
            let catalog = try await store.createCatalog(
                name: name, description: try JSONBody.string(body, "description") ?? "", in: organization, owner: principal)
            return SessionRoutes.json(VAppJSON.catalog(catalog, organization: organization, items: 0), status: .created)
        }
        router.get("\(Self.base)/catalogs/{id}") { _, context in
            try await catalogJSON(try await catalogOfPath(context))
        }
        router.put("\(Self.base)/catalogs/{id}") { request, context in
            var catalog = try await administeredCatalogOfPath(context)
            let body = try await JSONBody.read(request)
            if let name = try JSONBody.string(body, "name"), name != catalog.name {
                throw VCDError.badRequest("A catalog cannot be renamed.")
            }
            if let description = try JSONBody.string(body, "description") { catalog.description = description }
            guard let updated = try await store.updateCatalog(catalog) else { throw VCDError.notFound("No catalog \(catalog.urn).") }
            return try await catalogJSON(updated)
        }
        router.delete("\(Self.base)/catalogs/{id}") { _, context in
            let catalog = try await administeredCatalogOfPath(context)
            guard try await store.deleteCatalog(id: catalog.id) else { throw VCDError.notFound("No catalog \(catalog.urn).") }
            return Response(status: .noContent)
        }
        router.get("\(Self.base)/catalogs/{id}/catalogItems") { request, context in
            let paging = try paging(request)
            let catalog = try await catalogOfPath(context)
            return SessionRoutes.json(paging.page(of: try await store.items(of: catalog).map(VAppJSON.catalogItem)))
        }
        router.get("\(Self.base)/catalogs/{id}/catalogItems/{item}") { _, context in
            let catalog = try await catalogOfPath(context)
            let item = try await catalogItem(context.parameters.get("item") ?? "", in: catalog)
            return SessionRoutes.json(VAppJSON.catalogItem(item))
        }
    }

    private func registerVApps(on router: Router<VCDRequestContext>) {
        router.post("\(Self.base)/vdcs/{id}/actions/instantiateTemplate") { request, context in
            let principal = try context.requireSession().principal
            let vdcID = try EntityID.uuid(context.parameters.get("id") ?? "", kind: "vdc")
            let vdc = try await access.vdc(vdcID, for: principal)
            let body = try await JSONBody.read(request)
            guard let name = try JSONBody.string(body, "name"), !name.isEmpty else { throw VCDError.badRequest("name is required.") }
            guard let itemID = body["catalogItem"]?["id"]?.stringValue, !itemID.isEmpty else {
                throw VCDError.badRequest("catalogItem.id is required.")
            }
            let item = try await instantiableItem(itemID, organizationID: vdc.organizationID, for: principal)
            let (vApp, task) = try await store.instantiate(
                InstantiateRequest(
                    name: name, description: try JSONBody.string(body, "description") ?? "", templateID: item.template.id, powerOn: nil),
                in: vdc, by: principal)
            guard case .object(var json) = VAppJSON.vApp(vApp, address: address) else { throw VCDError.internalFailure }
            json["numberOfVMs"] = .int(Int64(item.template.vms.count))
            json["task"] = VAppJSON.task(task, address: address)
            return SessionRoutes.json(.object(json), status: .created)
        }
        router.get("\(Self.base)/vdcs/{id}/vapps") { request, context in
            let principal = try context.requireSession().principal
            let paging = try paging(request)
            let vdc = try await access.vdc(try EntityID.uuid(context.parameters.get("id") ?? "", kind: "vdc"), for: principal)
            let (vApps, total) = try await store.vAppPage(namespace: vdc.namespace, paging: paging) { $0.vdcID == vdc.id }
            return SessionRoutes.json(paging.page(values: vApps.map { VAppJSON.vApp($0, address: address) }, total: total))
        }
        router.get("\(Self.base)/vapps") { request, context in
            let principal = try context.requireSession().principal
            let paging = try paging(request)
            let (vApps, total) = try await access.vAppPage(for: principal, paging: paging)
            return SessionRoutes.json(paging.page(values: vApps.map { VAppJSON.vApp($0, address: address) }, total: total))
        }
        router.get("\(Self.base)/vapps/{id}") { _, context in
            SessionRoutes.json(VAppJSON.vApp(try await vAppOfPath(context), address: address))
        }
        router.delete("\(Self.base)/vapps/{id}") { _, context in
            let principal = try context.requireSession().principal
            _ = try await store.delete(try await vAppOfPath(context), by: principal)
            return Response(status: .noContent)
        }
        router.get("\(Self.base)/vms/{id}") { _, context in
            let (vApp, vm) = try await vmOfPath(context)
            return SessionRoutes.json(VAppJSON.vm(vm, of: vApp, address: address))
        }
        router.post("\(Self.base)/vms/{id}/actions/powerOn") { _, context in try await power(context, on: true) }
        router.post("\(Self.base)/vms/{id}/actions/powerOff") { _, context in try await power(context, on: false) }
    }

    /// The path's catalog, for a change: 403 unless the caller administers its organisation.
    func administeredCatalogOfPath(_ context: VCDRequestContext) async throws -> CatalogRecord {
        let catalog = try await catalogOfPath(context)
        try context.requireSession().principal.requireAdministration(of: catalog.organizationID)
        return catalog
    }

    /// A catalog as ssvirt's JSON, with its organisation and how many items it has.
    func catalogJSON(_ catalog: CatalogRecord) async throws -> Response {
        let organization = try await access.directory.organization(id: catalog.organizationID)
        return SessionRoutes.json(VAppJSON.catalog(catalog, organization: organization, items: try await store.items(of: catalog).count))
    }

    func catalogOfPath(_ context: VCDRequestContext) async throws -> CatalogRecord {
        let principal = try context.requireSession().principal
        return try await access.catalog(try EntityID.uuid(context.parameters.get("id") ?? "", kind: "catalog"), for: principal)
    }

    /// An item of `catalog` by its URN, or by ssvirt's `urn:vcloud:catalogitem:<catalog uuid>:<template name>`.
    func catalogItem(_ id: String, in catalog: CatalogRecord) async throws -> CatalogItemRecord {
        let items = try await store.items(of: catalog)
        if let uuid = VAppIDs.uuid(in: id, type: "catalogitem"), let item = items.first(where: { $0.id == uuid }) { return item }
        let ssvirtPrefix = "urn:vcloud:catalogitem:\(catalog.id):"
        if id.hasPrefix(ssvirtPrefix) {
            let name = String(id.dropFirst(ssvirtPrefix.count)).removingPercentEncoding ?? ""
            if let item = items.first(where: { $0.name == name }) { return item }
        }
        throw VCDError.notFound("No catalog item \(id.prefix(120)) in catalog \(catalog.name).")
    }

    /// The catalog item an instantiation names, among the catalogs of the VDC's organisation.
    func instantiableItem(_ id: String, organizationID: String, for principal: Principal) async throws -> CatalogItemRecord {
        let catalogs = try await store.catalogs(organizationID: organizationID)
        let items = try await store.items(of: catalogs)
        if let uuid = VAppIDs.uuid(in: id, type: "catalogitem") {
            if let item = items.first(where: { $0.id == uuid }) { return item }
        } else {
            // ssvirt's form: urn:vcloud:catalogitem:<catalog uuid>:<template name>.
            let parts = id.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "urn", parts[1] == "vcloud", parts[2] == "catalogitem",
                TenancyNames.isUUID(String(parts[3]))
            else { throw VCDError.badRequest("\(id.prefix(120)) is not a catalog item id (urn:vcloud:catalogitem:<uuid>).") }
            let name = String(parts[4]).removingPercentEncoding ?? ""
            if let item = items.first(where: { $0.catalog.id == parts[3] && $0.name == name }) { return item }
        }
        throw VCDError.notFound("No catalog item \(id.prefix(120)) in the catalogs of this VDC's organisation.")
    }

    func vAppOfPath(_ context: VCDRequestContext) async throws -> VAppRecord {
        let principal = try context.requireSession().principal
        return try await access.vApp(try EntityID.uuid(context.parameters.get("id") ?? "", kind: "vapp"), for: principal)
    }

    func vmOfPath(_ context: VCDRequestContext) async throws -> (vApp: VAppRecord, vm: VAppVM) {
        let principal = try context.requireSession().principal
        return try await access.vm(try EntityID.uuid(context.parameters.get("id") ?? "", kind: "vm"), for: principal)
    }

    /// ssvirt's answer: 202 `{id, name, status: POWERING_ON|POWERING_OFF, powerState, href}`,
    /// 400 when the VM is already in that state.
    func power(_ context: VCDRequestContext, on: Bool) async throws -> Response {
        let principal = try context.requireSession().principal
        let (vApp, vm) = try await vmOfPath(context)
        if vm.vcdStatus == (on ? 4 : 8) {
            throw VCDError(.badRequest, "INVALID_STATE", "VM \(vm.name) is already powered \(on ? "on" : "off").")
        }
        let task = try await store.power(vm, of: vApp, on: on, by: principal)
        return SessionRoutes.json(
            [
                "id": .string(vm.urn), "name": .string(vm.name), "status": .string(on ? "POWERING_ON" : "POWERING_OFF"),
                "powerState": .string(VAppJSON.vmStatus(vm)), "href": .string(address.href("/cloudapi/1.0.0/vms/\(vm.urn)")),
                "task": VAppJSON.task(task, address: address),
            ], status: .accepted)
    }
}
