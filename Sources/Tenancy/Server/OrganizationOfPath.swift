import Hummingbird

/// What a route does with the organisation its path names.
enum OrganizationAccess {
    /// Reads it or works in it (its members and the System administrator).
    case use
    /// Changes it (its Organization Administrators and the System administrator).
    case administration
}

extension TenantDirectory {
    /// The organisation `{id}` of the path (a UUID or `urn:vcloud:org:<uuid>`), when the
    /// caller may `access` it: 403 otherwise, whether or not it exists, so tenants learn
    /// nothing of others; 404 when it does not exist.
    func organization(ofPath context: VCDRequestContext, for access: OrganizationAccess) async throws -> OrganizationRecord {
        let principal = try context.requireSession().principal
        let id = try EntityID.uuid(context.parameters.get("id") ?? "", kind: "org")
        switch access {
        case .use: try principal.requireUse(of: id)
        case .administration: try principal.requireAdministration(of: id)
        }
        guard let organization = try await organization(id: id) else { throw VCDError.notFound("No organisation \(id).") }
        return organization
    }
}
