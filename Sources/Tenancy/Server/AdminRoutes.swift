import Hummingbird

/// The legacy admin API: `GET /api/admin`, organisations (`POST /api/admin/orgs`,
/// `GET|PUT|DELETE /api/admin/org/{id}`), users (`POST /api/admin/org/{id}/users`,
/// `GET|PUT|DELETE /api/admin/user/{id}`) and roles (`GET /api/admin/role/{id}`), in the XML
/// pyvcloud's `System` and `Org` send and read. Permissions: ``Principal`` (+Permissions).
struct AdminRoutes: Sendable {
    let directory: any TenantDirectory
    let sessions: SessionStore
    let address: PublicAddress

    func register(on router: Router<VCDRequestContext>) {
        router.get("/api/admin") { _, context in
            let principal = try context.requireSession().principal
            guard principal.role != .vAppUser else { throw VCDError.forbidden("The admin view is for administrators.") }
            let organizations = try await directory.organizations().filter { principal.mayAdminister(organizationID: $0.id) }
            return xml(
                LegacyDocuments.admin(organizations: organizations, roles: try await directory.roles(), address: address),
                MediaType.admin, context)
        }
        router.post("/api/admin/orgs") { request, context in
            try context.requireSession().principal.requireOrganizationManagement()
            let body = try await XMLBody.read(request, context: context, expecting: "AdminOrg")
            guard let name = body.attribute("name"), !name.isEmpty else { throw VCDError.badRequest("<AdminOrg> needs a name attribute.") }
            guard let fullName = body.text(of: "FullName"), !fullName.isEmpty else {
                throw VCDError.badRequest("<AdminOrg> needs a <FullName>.")
            }
            try TenancyValidation.text(fullName, "FullName")
            let description = body.text(of: "Description") ?? ""
            try TenancyValidation.text(description, "Description", maximum: TenancyValidation.maximumDescriptionLength)
            let draft = OrganizationRecord(
                id: "", name: name, fullName: fullName, description: description, enabled: try body.bool(of: "IsEnabled") ?? false)
            let organization = try await directory.createOrganization(draft)
            return xml(LegacyDocuments.adminOrg(organization, users: [], vdcs: [], address: address), MediaType.adminOrg, context, .created)
        }
        router.get("/api/admin/org/{id}") { _, context in
            let organization = try await administeredOrganization(context)
            return try await adminOrgResponse(organization, context)
        }
        router.put("/api/admin/org/{id}") { request, context in
            try context.requireSession().principal.requireOrganizationManagement()
            var organization = try await administeredOrganization(context)
            let body = try await XMLBody.read(request, context: context, expecting: "AdminOrg")
            if let name = body.attribute("name"), name.lowercased() != organization.name.lowercased() {
                throw VCDError.badRequest("An organisation cannot be renamed.")
            }
            if let fullName = body.text(of: "FullName") {
                try TenancyValidation.text(fullName, "FullName")
                organization.fullName = fullName
            }
            if let description = body.text(of: "Description") {
                try TenancyValidation.text(description, "Description", maximum: TenancyValidation.maximumDescriptionLength)
                organization.description = description
            }
            if let enabled = try body.bool(of: "IsEnabled") { organization.enabled = enabled }
            organization = try await updateOrganization(organization)
            return try await adminOrgResponse(organization, context)
        }
        router.delete("/api/admin/org/{id}") { request, context in
            try context.requireSession().principal.requireOrganizationManagement()
            let organization = try await administeredOrganization(context)
            try await deleteOrganization(organization, force: Self.flag(request, "force") || Self.flag(request, "recursive"))
            return Response(status: .noContent)
        }
        router.post("/api/admin/org/{id}/users") { request, context in
            let organization = try await administeredOrganization(context)
            let body = try await XMLBody.read(request, context: context, expecting: "User")
            guard let name = body.attribute("name"), !name.isEmpty else { throw VCDError.badRequest("<User> needs a name attribute.") }
            guard let password = body.text(of: "Password") else { throw VCDError.badRequest("<User> needs a <Password>.") }
            let role = try await role(of: body)
            let draft = UserRecord(
                id: "", name: name, organizationID: organization.id, role: role, fullName: try Self.text(body, "FullName"),
                email: try Self.text(body, "EmailAddress"),
                description: try Self.text(body, "Description", maximum: TenancyValidation.maximumDescriptionLength),
                enabled: try body.bool(of: "IsEnabled") ?? false)
            let user = try await directory.createUser(draft, password: password)
            return try await userResponse(user, context, .created)
        }
        router.get("/api/admin/user/{id}") { _, context in
            let user = try await visibleUser(context, toAdminister: false)
            return try await userResponse(user, context)
        }
        router.put("/api/admin/user/{id}") { request, context in
            var user = try await visibleUser(context, toAdminister: true)
            let body = try await XMLBody.read(request, context: context, expecting: "User")
            if let name = body.attribute("name"), name.lowercased() != user.name.lowercased() {
                throw VCDError.badRequest("A user cannot be renamed.")
            }
            if body.child("Role") != nil { user.role = try await role(of: body) }
            if let enabled = try body.bool(of: "IsEnabled") { user.enabled = enabled }
            if let fullName = body.text(of: "FullName") { user.fullName = try Self.text(body, "FullName", value: fullName) }
            if let email = body.text(of: "EmailAddress") { user.email = try Self.text(body, "EmailAddress", value: email) }
            if let description = body.text(of: "Description") {
                try TenancyValidation.text(description, "Description", maximum: TenancyValidation.maximumDescriptionLength)
                user.description = description
            }
            user = try await updateUser(user, password: body.text(of: "Password"))
            return try await userResponse(user, context)
        }
        router.delete("/api/admin/user/{id}") { _, context in
            let user = try await visibleUser(context, toAdminister: true)
            try await deleteUser(user)
            return Response(status: .noContent)
        }
        router.get("/api/admin/role/{id}") { _, context in
            _ = try context.requireSession()
            let id = try EntityID.uuid(context.parameters.get("id") ?? "", kind: "role")
            guard let role = try await directory.roles().first(where: { $0.id == id }) else {
                throw VCDError.notFound("No role \(id).")
            }
            return xml(LegacyDocuments.role(role, address: address), MediaType.role, context)
        }
    }

    // MARK: Shared with the cloudapi routes: every write and its session consequences.

    func updateOrganization(_ organization: OrganizationRecord) async throws(VCDError) -> OrganizationRecord {
        if organization.isProvider, !organization.enabled {
            throw VCDError.badRequest("The System organisation cannot be disabled.")
        }
        let updated = try await directory.updateOrganization(organization)
        // Disabled means no one of it is logged in any more, at once.
        if !updated.enabled { sessions.revokeAll(organizationID: updated.id) }
        return updated
    }

    func deleteOrganization(_ organization: OrganizationRecord, force: Bool) async throws(VCDError) {
        guard !organization.isProvider else { throw VCDError.forbidden("The System organisation cannot be deleted.") }
        try await directory.deleteOrganization(id: organization.id, force: force)
        sessions.revokeAll(organizationID: organization.id)
    }

    func updateUser(_ user: UserRecord, password: String?) async throws(VCDError) -> UserRecord {
        guard let previous = try await directory.user(id: user.id) else { throw VCDError.notFound("No user \(user.id).") }
        if previous.name.lowercased() == TenancyNames.administrator,
            try await directory.organization(id: user.organizationID)?.isProvider == true,
            !user.enabled || user.role != .systemAdministrator
        {
            throw VCDError.badRequest("The System administrator cannot be disabled or demoted.")
        }
        let updated = try await directory.updateUser(user, password: password)
        if !updated.enabled || password != nil || previous.role != updated.role { sessions.revokeAll(userID: updated.id) }
        return updated
    }

    func deleteUser(_ user: UserRecord) async throws(VCDError) {
        try await directory.deleteUser(id: user.id)
        sessions.revokeAll(userID: user.id)
    }

    // MARK: Lookups with permissions

    /// The `{id}` organisation (UUID or URN), when the caller administers it; 403 otherwise
    /// (whether or not it exists, so tenants learn nothing of others).
    func administeredOrganization(_ context: VCDRequestContext) async throws -> OrganizationRecord {
        try await directory.organization(ofPath: context, for: .administration)
    }

    /// The `{id}` user: visible to administrators of their organisation and to themselves;
    /// 404 to anyone else, as if it did not exist.
    func visibleUser(_ context: VCDRequestContext, toAdminister: Bool) async throws -> UserRecord {
        let principal = try context.requireSession().principal
        let id = try EntityID.uuid(context.parameters.get("id") ?? "", kind: "user")
        guard let user = try await directory.user(id: id),
            principal.mayAdminister(organizationID: user.organizationID) || (!toAdminister && principal.userID == user.id)
        else {
            if let user = try await directory.user(id: id), principal.mayUse(organizationID: user.organizationID) {
                throw VCDError.forbidden("Changing users is for administrators of \(principal.organization.name).")
            }
            throw VCDError.notFound("No user \(id).")
        }
        return user
    }

    /// The role a `<User>` names: `<Role href=".../role/<id>">` or `<Role name="vApp User">`;
    /// vApp User when there is none.
    func role(of body: XMLNode) async throws -> Role {
        guard let element = body.child("Role") else { return .vAppUser }
        let roles = try await directory.roles()
        if let href = element.attribute("href"), !href.isEmpty {
            let id = String(href.split(separator: "/").last ?? "")
            guard let role = roles.first(where: { $0.id == id }) else {
                throw VCDError.badRequest("No role at \(href.prefix(200)).")
            }
            return role.role
        }
        if let name = element.attribute("name"), let role = Role(rawValue: name) { return role }
        throw VCDError.badRequest("<Role> needs the href of a role.")
    }

    // MARK: Responses

    func adminOrgResponse(_ organization: OrganizationRecord, _ context: VCDRequestContext) async throws -> Response {
        let users = try await directory.users(organizationID: organization.id)
        let vdcs = try await directory.vdcs(of: organization)
        return xml(LegacyDocuments.adminOrg(organization, users: users, vdcs: vdcs, address: address), MediaType.adminOrg, context)
    }

    func userResponse(_ user: UserRecord, _ context: VCDRequestContext, _ status: HTTPResponse.Status = .ok) async throws -> Response {
        let role = try await directory.roles().first { $0.role == user.role }
        return xml(LegacyDocuments.user(user, role: role, address: address), MediaType.user, context, status)
    }

    func xml(_ node: XMLNode, _ mediaType: String, _ context: VCDRequestContext, _ status: HTTPResponse.Status = .ok) -> Response {
        XMLResponse.make(node, mediaType: mediaType, version: context.apiVersion, status: status)
    }

    static func flag(_ request: Request, _ name: String) -> Bool {
        request.uri.queryParameters[Substring(name)].map { $0.lowercased() == "true" } ?? false
    }

    static func text(_ body: XMLNode, _ name: String, maximum: Int = TenancyValidation.maximumTextLength, value: String? = nil)
        throws(VCDError) -> String
    {
        let text = value ?? body.text(of: name) ?? ""
        try TenancyValidation.text(text, name, maximum: maximum)
        return text
    }
}
