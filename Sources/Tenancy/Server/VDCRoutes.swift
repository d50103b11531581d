import Hummingbird
import KubeModel

/// VDCs: the legacy documents (`GET /api/vdc/{id}`, `GET|DELETE /api/admin/vdc/{id}`),
/// ssvirt's JSON admin routes (`GET|POST /api/admin/org/{orgUrn}/vdcs`,
/// `GET|PUT|DELETE …/vdcs/{vdcUrn}`) and the cloudapi's `GET /cloudapi/1.0.0/vdcs[/{urn}]`.
/// Only the System Administrator writes; tenants read their own organisation's.
struct VDCRoutes: Sendable {
    let directory: any TenantDirectory
    let address: PublicAddress
    let entities: VDCEntities

    func register(on router: Router<VCDRequestContext>) {
        router.get("/api/vdc/{id}") { _, context in
            let (vdc, organization) = try await visibleVDC(context, "id")
            return try await vdcDocument(vdc, organization, admin: false, context)
        }
        router.get("/api/admin/vdc/{id}") { _, context in
            let (vdc, organization) = try await visibleVDC(context, "id")
            try context.requireSession().principal.requireAdministration(of: organization.id)
            return try await vdcDocument(vdc, organization, admin: true, context)
        }
        router.delete("/api/admin/vdc/{id}") { request, context in
            try context.requireSession().principal.requireVDCManagement()
            let (vdc, _) = try await visibleVDC(context, "id")
            try await directory.deleteVDC(id: vdc.id, force: AdminRoutes.flag(request, "force") || AdminRoutes.flag(request, "recursive"))
            return Response(status: .noContent)
        }

        // ssvirt's JSON admin routes.
        router.get("/api/admin/org/{id}/vdcs") { request, context in
            let organization = try await usedOrganization(context)
            let paging = try Paging { request.uri.queryParameters[Substring($0)].map(String.init) }
            let vdcs = try await directory.vdcs(of: organization)
            return SessionRoutes.json(paging.page(of: vdcs.map { VDCJSON.make($0, organization: organization) }))
        }
        router.post("/api/admin/org/{id}/vdcs") { request, context in
            try context.requireSession().principal.requireVDCManagement()
            let organization = try await usedOrganization(context)
            let body = try await JSONBody.read(request)
            guard let name = try JSONBody.string(body, "name"), !name.isEmpty else { throw VCDError.badRequest("name is required.") }
            guard body["allocationModel"] != nil else { throw VCDError.badRequest("allocationModel is required.") }
            let draft = VDCRecord(
                id: "", name: name, organizationID: organization.id, namespace: "",
                description: try JSONBody.string(body, "description", maximum: TenancyValidation.maximumDescriptionLength) ?? "",
                enabled: try JSONBody.bool(body, "isEnabled") ?? true, settings: try VDCSpec.merge(body, into: VDCSettings()))
            let vdc = try await directory.createVDC(draft)
            return SessionRoutes.json(VDCJSON.make(vdc, organization: organization), status: .created)
        }
        router.get("/api/admin/org/{id}/vdcs/{vdc}") { _, context in
            let (vdc, organization) = try await vdcOfOrganization(context)
            return SessionRoutes.json(VDCJSON.make(vdc, organization: organization))
        }
        router.put("/api/admin/org/{id}/vdcs/{vdc}") { request, context in
            try context.requireSession().principal.requireVDCManagement()
            var (vdc, organization) = try await vdcOfOrganization(context)
            let body = try await JSONBody.read(request)
            if let name = try JSONBody.string(body, "name"), !name.isEmpty, name.lowercased() != vdc.name.lowercased() {
                throw VCDError.badRequest("A VDC cannot be renamed (its namespace is named after it).")
            }
            if let description = try JSONBody.string(body, "description", maximum: TenancyValidation.maximumDescriptionLength) {
                vdc.description = description
            }
            if let enabled = try JSONBody.bool(body, "isEnabled") { vdc.enabled = enabled }
            vdc.settings = try VDCSpec.merge(body, into: vdc.settings)
            vdc = try await directory.updateVDC(vdc)
            return SessionRoutes.json(VDCJSON.make(vdc, organization: organization))
        }
        router.delete("/api/admin/org/{id}/vdcs/{vdc}") { request, context in
            try context.requireSession().principal.requireVDCManagement()
            let (vdc, _) = try await vdcOfOrganization(context)
            try await directory.deleteVDC(id: vdc.id, force: AdminRoutes.flag(request, "force"))
            return Response(status: .noContent)
        }

        // The cloudapi's read-only view.
        router.get("/cloudapi/1.0.0/vdcs") { request, context in
            let principal = try context.requireSession().principal
            let paging = try Paging { request.uri.queryParameters[Substring($0)].map(String.init) }
            var values: [JSONValue] = []
            for organization in try await directory.organizations() where principal.mayUse(organizationID: organization.id) {
                values += try await directory.vdcs(of: organization).map { VDCJSON.make($0, organization: organization) }
            }
            return SessionRoutes.json(paging.page(of: values))
        }
        router.get("/cloudapi/1.0.0/vdcs/{id}") { _, context in
            let (vdc, organization) = try await visibleVDC(context, "id")
            return SessionRoutes.json(VDCJSON.make(vdc, organization: organization))
        }
    }

    /// The VDC of a path parameter (UUID or URN) with its organisation; 404 when it does not
    /// exist or belongs to an organisation the caller may not use.
    func visibleVDC(_ context: VCDRequestContext, _ parameter: String) async throws -> (VDCRecord, OrganizationRecord) {
        let principal = try context.requireSession().principal
        let id = try EntityID.uuid(context.parameters.get(parameter) ?? "", kind: "vdc")
        guard let vdc = try await directory.vdc(id: id), principal.mayUse(organizationID: vdc.organizationID),
            let organization = try await directory.organization(id: vdc.organizationID)
        else { throw VCDError.notFound("No VDC \(id).") }
        return (vdc, organization)
    }

    /// The `{id}` organisation of ssvirt's routes, when the caller may use it (403 otherwise).
    func usedOrganization(_ context: VCDRequestContext) async throws -> OrganizationRecord {
        try await directory.organization(ofPath: context, for: .use)
    }

    /// `…/org/{id}/vdcs/{vdc}`: the VDC must belong to that organisation.
    func vdcOfOrganization(_ context: VCDRequestContext) async throws -> (VDCRecord, OrganizationRecord) {
        let organization = try await usedOrganization(context)
        let (vdc, _) = try await visibleVDC(context, "vdc")
        guard vdc.organizationID == organization.id else { throw VCDError.notFound("No VDC \(vdc.urn) in \(organization.name).") }
        return (vdc, organization)
    }

    func vdcDocument(_ vdc: VDCRecord, _ organization: OrganizationRecord, admin: Bool, _ context: VCDRequestContext) async throws
        -> Response
    {
        let held = try await entities(vdc)
        return XMLResponse.make(
            LegacyDocuments.vdc(vdc, organization: organization, entities: held, admin: admin, address: address),
            mediaType: admin ? MediaType.adminVDC : MediaType.vdc, version: context.apiVersion)
    }
}
