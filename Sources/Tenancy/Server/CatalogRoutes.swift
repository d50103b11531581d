import Hummingbird

/// The legacy API's catalogs: `/api/org/{id}/catalogs/query`, `/api/catalog/{id}` (+
/// `controlAccess`), `/api/admin/catalog/{id}`, `POST /api/admin/org/{id}/catalogs`,
/// `/api/catalogItem/{id}` and `/api/vAppTemplate/vappTemplate-{id}`.
struct CatalogRoutes: VAppRouteGroup {
    let access: VAppAccess
    let address: PublicAddress

    func register(on router: Router<VCDRequestContext>) {
        router.get("/api/org/{id}/catalogs/query") { _, context in
            let principal = try context.requireSession().principal
            let id = context.parameters.get("id") ?? ""
            guard principal.mayUse(organizationID: id) else {
                throw VCDError.forbidden("Access to organisation \(id.prefix(64)) is forbidden.")
            }
            guard let organization = try await access.directory.organization(id: id) else {
                throw VCDError.notFound("No organisation \(id.prefix(64)).")
            }
            let catalogs = try await store.catalogs(organizationID: organization.id)
            return XMLResponse.make(
                VAppDocuments.catalogRecords(catalogs, organization: organization, address: address), mediaType: MediaType.records,
                version: context.apiVersion)
        }
        router.get("/api/catalog/{id}") { _, context in
            let catalog = try await access.catalog(context.parameters.get("id") ?? "", for: try context.requireSession().principal)
            let items = try await store.items(of: catalog)
            return XMLResponse.make(
                VAppDocuments.catalog(catalog, items: items, address: address), mediaType: MediaType.catalog,
                version: context.apiVersion)
        }
        router.get("/api/admin/catalog/{id}") { _, context in
            let catalog = try await access.catalog(context.parameters.get("id") ?? "", for: try context.requireSession().principal)
            return XMLResponse.make(
                VAppDocuments.adminCatalog(catalog, address: address), mediaType: MediaType.adminCatalog, version: context.apiVersion)
        }
        router.delete("/api/admin/catalog/{id}") { _, context in try await deleteCatalog(context) }
        router.delete("/api/catalog/{id}") { _, context in try await deleteCatalog(context) }
        router.put("/api/admin/catalog/{id}") { request, context in
            let principal = try context.requireSession().principal
            var catalog = try await access.catalog(context.parameters.get("id") ?? "", for: principal)
            try principal.requireAdministration(of: catalog.organizationID)
            let body = try await XMLBody.read(request, context: context, expecting: "AdminCatalog")
            if let description = body.text(of: "Description") { catalog.description = description }
            guard let updated = try await store.updateCatalog(catalog) else { throw VCDError.notFound("No catalog \(catalog.id).") }
            return XMLResponse.make(
                VAppDocuments.adminCatalog(updated, address: address), mediaType: MediaType.adminCatalog, version: context.apiVersion)
        }
        router.post("/api/admin/org/{id}/catalogs") { request, context in
            let principal = try context.requireSession().principal
            let id = context.parameters.get("id") ?? ""
            try principal.requireAdministration(of: id)
            guard let organization = try await access.directory.organization(id: id) else {
                throw VCDError.notFound("No organisation \(id.prefix(64)).")
            }
            let body = try await XMLBody.read(request, context: context, expecting: "AdminCatalog")
            guard let name = body.attribute("name"), !name.isEmpty else {
                throw VCDError.badRequest("<AdminCatalog> needs a name attribute.")
            }
            let catalog = try await store.createCatalog(
                name: name, description: body.text(of: "Description") ?? "", in: organization, owner: principal)
            let task = try await store.createFinishedTask(
                .createCatalog, targetID: catalog.id, targetName: catalog.name, organizationID: organization.id, by: principal)
            let taskNode = try await access.taskNode(task, address: address, root: false)
            return XMLResponse.make(
                VAppDocuments.adminCatalog(catalog, tasks: [taskNode], address: address), mediaType: MediaType.adminCatalog,
                version: context.apiVersion, status: .created)
        }
        router.get("/api/catalog/{id}/controlAccess") { _, context in
            let catalog = try await access.catalog(context.parameters.get("id") ?? "", for: try context.requireSession().principal)
            return accessDocument(catalog, context)
        }
        router.post("/api/catalog/{id}/action/controlAccess") { request, context in try await setAccess(request, context) }
        router.post("/api/catalog/{id}/controlAccess/action/controlAccess") { request, context in
            try await setAccess(request, context)
        }
        router.get("/api/catalogItem/{id}") { _, context in
            let item = try await access.item(context.parameters.get("id") ?? "", for: try context.requireSession().principal)
            return XMLResponse.make(
                VAppDocuments.catalogItem(item, address: address), mediaType: MediaType.catalogItem, version: context.apiVersion)
        }
        router.get("/api/vAppTemplate/{id}") { _, context in
            let principal = try context.requireSession().principal
            let segment = context.parameters.get("id") ?? ""
            guard let id = VAppAccess.id(segment, prefix: "vappTemplate-") else {
                throw VCDError.notFound("No vApp template \(segment.prefix(80)).")
            }
            let template = try await access.template(id, in: principal.organization.id, for: principal)
            return XMLResponse.make(
                VAppDocuments.vAppTemplate(template, address: address), mediaType: MediaType.vAppTemplate, version: context.apiVersion)
        }
    }

    func deleteCatalog(_ context: VCDRequestContext) async throws -> Response {
        let principal = try context.requireSession().principal
        let catalog = try await access.catalog(context.parameters.get("id") ?? "", for: principal)
        try principal.requireAdministration(of: catalog.organizationID)
        guard try await store.deleteCatalog(id: catalog.id) else { throw VCDError.notFound("No catalog \(catalog.id).") }
        return Response(status: .noContent)
    }

    /// `ControlAccessParams` in: shared with everyone in the organisation, and how.
    func setAccess(_ request: Request, _ context: VCDRequestContext) async throws -> Response {
        let principal = try context.requireSession().principal
        var catalog = try await access.catalog(context.parameters.get("id") ?? "", for: principal)
        try principal.requireAdministration(of: catalog.organizationID)
        let params = try await ControlAccessParams.read(request, context: context)
        catalog.sharedToEveryone = params.sharedToEveryone
        catalog.everyoneAccessLevel = params.everyoneAccessLevel
        guard let updated = try await store.updateCatalog(catalog) else { throw VCDError.notFound("No catalog \(catalog.id).") }
        return accessDocument(updated, context)
    }

    func accessDocument(_ catalog: CatalogRecord, _ context: VCDRequestContext) -> Response {
        accessDocument(
            sharedToEveryone: catalog.sharedToEveryone, level: catalog.everyoneAccessLevel, of: VAppHrefs.catalog(catalog.id), context)
    }
}
