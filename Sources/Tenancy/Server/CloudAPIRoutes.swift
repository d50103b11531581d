import Hummingbird

/// The cloudapi's organisation routes (`/cloudapi/1.0.0/orgs`, paged, and `/orgs/{urn}`),
/// with the legacy API's visibility: the System administrator sees all, others their own.
struct CloudAPIRoutes: Sendable {
    let directory: any TenantDirectory

    func register(on router: Router<VCDRequestContext>) {
        router.get("/cloudapi/1.0.0/orgs") { request, context in
            let session = try context.requireSession()
            let paging = try Paging { request.uri.queryParameters[Substring($0)].map(String.init) }
            let visible = try await directory.organizations().filter { session.principal.maySee($0) }
            return SessionRoutes.json(paging.page(of: visible.map(OrgJSON.make)))
        }
        router.get("/cloudapi/1.0.0/orgs/{id}") { _, context in
            let session = try context.requireSession()
            let urn = context.parameters.get("id") ?? ""
            let prefix = "urn:vcloud:org:"
            guard urn.hasPrefix(prefix), TenancyNames.isUUID(String(urn.dropFirst(prefix.count))) else {
                throw VCDError.badRequest("\(urn.prefix(80)) is not an organisation id (urn:vcloud:org:<uuid>).")
            }
            let id = String(urn.dropFirst(prefix.count))
            try session.principal.requireUse(of: id)
            guard let organization = try await directory.organization(id: id) else {
                throw VCDError.notFound("No organisation \(urn).")
            }
            return SessionRoutes.json(OrgJSON.make(organization))
        }
    }
}
