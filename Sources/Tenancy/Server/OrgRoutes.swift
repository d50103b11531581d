import Hummingbird

/// `GET /api/org` and `GET /api/org/{id}`: the System administrator sees every
/// organisation, anyone else their own; another organisation's is 403.
struct OrgRoutes: Sendable {
    let directory: any TenantDirectory
    let address: PublicAddress

    func register(on router: Router<VCDRequestContext>) {
        router.get("/api/org") { _, context in
            let session = try context.requireSession()
            let visible = try await directory.organizations().filter { session.principal.maySee($0) }
            return XMLResponse.make(
                LegacyDocuments.orgList(visible, address: address), mediaType: MediaType.orgList, version: context.apiVersion)
        }
        router.get("/api/org/{id}") { _, context in
            let organization = try await visibleOrganization(context)
            return XMLResponse.make(
                LegacyDocuments.org(organization, address: address), mediaType: MediaType.org, version: context.apiVersion)
        }
        router.get("/api/org/{id}/vdcs/query") { _, context in
            let organization = try await visibleOrganization(context)
            let vdcs = try await directory.vdcs(of: organization)
            return XMLResponse.make(
                LegacyDocuments.vdcRecords(vdcs, of: organization, address: address), mediaType: MediaType.records,
                version: context.apiVersion)
        }
    }

    /// The organisation of the `{id}` in the path, when the caller may see it.
    func visibleOrganization(_ context: VCDRequestContext) async throws -> OrganizationRecord {
        let session = try context.requireSession()
        let id = context.parameters.get("id") ?? ""
        // A tenant learns nothing about other organisations, not even whether they exist.
        try session.principal.requireUse(of: id)
        guard let organization = try await directory.organization(id: id) else {
            throw VCDError.notFound("No organisation \(id.prefix(64)).")
        }
        return organization
    }
}
