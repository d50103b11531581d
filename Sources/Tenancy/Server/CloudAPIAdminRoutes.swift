import Hummingbird
import KubeModel

/// The cloudapi's writes on organisations (`POST /orgs`, `PUT|DELETE /orgs/{urn}`), users
/// (`/users`, ssvirt's body or Cloud Director's `orgEntityRef`/`roleEntityRefs`) and roles
/// (`GET /roles[/{urn}]`). The writes and their session consequences are ``AdminRoutes``'s.
struct CloudAPIAdminRoutes: Sendable {
    let directory: any TenantDirectory
    let admin: AdminRoutes

    func register(on router: Router<VCDRequestContext>) {
        router.post("/cloudapi/1.0.0/orgs") { request, context in
            try context.requireSession().principal.requireOrganizationManagement()
            let body = try await JSONBody.read(request)
            guard let name = try JSONBody.string(body, "name"), !name.isEmpty else { throw VCDError.badRequest("name is required.") }
            let draft = OrganizationRecord(
                id: "", name: name, fullName: try JSONBody.string(body, "displayName") ?? name,
                description: try JSONBody.string(body, "description", maximum: TenancyValidation.maximumDescriptionLength) ?? "",
                enabled: try JSONBody.bool(body, "isEnabled") ?? true)
            return SessionRoutes.json(OrgJSON.make(try await directory.createOrganization(draft)), status: .created)
        }
        router.put("/cloudapi/1.0.0/orgs/{id}") { request, context in
            try context.requireSession().principal.requireOrganizationManagement()
            var organization = try await admin.administeredOrganization(context)
            let body = try await JSONBody.read(request)
            if let name = try JSONBody.string(body, "name"), !name.isEmpty, name.lowercased() != organization.name.lowercased() {
                throw VCDError.badRequest("An organisation cannot be renamed.")
            }
            if let displayName = try JSONBody.string(body, "displayName") { organization.fullName = displayName }
            if let description = try JSONBody.string(body, "description", maximum: TenancyValidation.maximumDescriptionLength) {
                organization.description = description
            }
            if let enabled = try JSONBody.bool(body, "isEnabled") { organization.enabled = enabled }
            return SessionRoutes.json(OrgJSON.make(try await admin.updateOrganization(organization)))
        }
        router.delete("/cloudapi/1.0.0/orgs/{id}") { request, context in
            try context.requireSession().principal.requireOrganizationManagement()
            let organization = try await admin.administeredOrganization(context)
            try await admin.deleteOrganization(organization, force: AdminRoutes.flag(request, "force"))
            return Response(status: .noContent)
        }

        router.get("/cloudapi/1.0.0/roles") { request, context in
            _ = try context.requireSession()
            let paging = try Paging { request.uri.queryParameters[Substring($0)].map(String.init) }
            return SessionRoutes.json(paging.page(of: try await directory.roles().map(RoleJSON.make)))
        }
        router.get("/cloudapi/1.0.0/roles/{id}") { _, context in
            _ = try context.requireSession()
            let id = try EntityID.uuid(context.parameters.get("id") ?? "", kind: "role")
            guard let role = try await directory.roles().first(where: { $0.id == id }) else {
                throw VCDError.notFound("No role urn:vcloud:role:\(id).")
            }
            return SessionRoutes.json(RoleJSON.make(role))
        }

        router.get("/cloudapi/1.0.0/users") { request, context in
            let principal = try context.requireSession().principal
            let paging = try Paging { request.uri.queryParameters[Substring($0)].map(String.init) }
            let users = try await directory.users(organizationID: principal.isSystemAdministrator ? nil : principal.organization.id)
            return SessionRoutes.json(paging.page(of: try await json(users)))
        }
        router.post("/cloudapi/1.0.0/users") { request, context in
            let principal = try context.requireSession().principal
            let body = try await JSONBody.read(request)
            let organizationID = try organizationID(of: body) ?? principal.organization.id
            try principal.requireAdministration(of: organizationID)
            guard let name = try JSONBody.string(body, "username") ?? JSONBody.string(body, "name"), !name.isEmpty else {
                throw VCDError.badRequest("username is required.")
            }
            guard let password = try JSONBody.string(body, "password", maximum: TenancyValidation.maximumPasswordLength) else {
                throw VCDError.badRequest("password is required.")
            }
            let draft = UserRecord(
                id: "", name: name, organizationID: organizationID, role: try await role(of: body) ?? .vAppUser,
                fullName: try JSONBody.string(body, "fullName") ?? "", email: try JSONBody.string(body, "email") ?? "",
                description: try JSONBody.string(body, "description", maximum: TenancyValidation.maximumDescriptionLength) ?? "",
                enabled: try JSONBody.bool(body, "enabled") ?? true)
            let user = try await directory.createUser(draft, password: password)
            return SessionRoutes.json(try await json([user])[0], status: .created)
        }
        router.get("/cloudapi/1.0.0/users/{id}") { _, context in
            SessionRoutes.json(try await json([try await admin.visibleUser(context, toAdminister: false)])[0])
        }
        router.put("/cloudapi/1.0.0/users/{id}") { request, context in
            var user = try await admin.visibleUser(context, toAdminister: true)
            let body = try await JSONBody.read(request)
            if let name = try JSONBody.string(body, "username") ?? JSONBody.string(body, "name"), !name.isEmpty,
                name.lowercased() != user.name.lowercased()
            {
                throw VCDError.badRequest("A user cannot be renamed.")
            }
            if let other = try organizationID(of: body), other != user.organizationID {
                throw VCDError.badRequest("A user cannot move to another organisation.")
            }
            if let role = try await role(of: body) { user.role = role }
            if let fullName = try JSONBody.string(body, "fullName") { user.fullName = fullName }
            if let email = try JSONBody.string(body, "email") { user.email = email }
            if let description = try JSONBody.string(body, "description", maximum: TenancyValidation.maximumDescriptionLength) {
                user.description = description
            }
            if let enabled = try JSONBody.bool(body, "enabled") { user.enabled = enabled }
            let password = try JSONBody.string(body, "password", maximum: TenancyValidation.maximumPasswordLength)
            user = try await admin.updateUser(user, password: password.flatMap { $0.isEmpty ? nil : $0 })
            return SessionRoutes.json(try await json([user])[0])
        }
        router.delete("/cloudapi/1.0.0/users/{id}") { _, context in
            try await admin.deleteUser(try await admin.visibleUser(context, toAdminister: true))
            return Response(status: .noContent)
        }
    }

    /// `orgEntityRef.id` (Cloud Director) or `organizationId` (ssvirt), as a UUID.
    func organizationID(of body: JSONValue) throws(VCDError) -> String? {
        if let reference = body["orgEntityRef"], reference != .null {
            guard let id = reference["id"]?.stringValue else { throw .badRequest("orgEntityRef needs an id.") }
            return try EntityID.uuid(id, kind: "org")
        }
        if let id = try JSONBody.string(body, "organizationId"), !id.isEmpty { return try EntityID.uuid(id, kind: "org") }
        return nil
    }

    /// `roleEntityRefs[0]` by id or name, or ssvirt's `role` name; nil when none is given.
    func role(of body: JSONValue) async throws -> Role? {
        if let references = body["roleEntityRefs"], references != .null {
            guard let first = references.arrayValue?.first else { throw VCDError.badRequest("roleEntityRefs must name one role.") }
            if let id = first["id"]?.stringValue {
                let uuid = try EntityID.uuid(id, kind: "role")
                guard let role = try await directory.roles().first(where: { $0.id == uuid }) else {
                    throw VCDError.badRequest("No role \(id.prefix(80)).")
                }
                return role.role
            }
            guard let name = first["name"]?.stringValue, let role = Role(rawValue: name) else {
                throw VCDError.badRequest("roleEntityRefs[0] needs the id or name of a role.")
            }
            return role
        }
        if let name = try JSONBody.string(body, "role") {
            guard let role = Role(rawValue: name) else {
                throw VCDError.badRequest("role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return role
        }
        return nil
    }

    func json(_ users: [UserRecord]) async throws(VCDError) -> [JSONValue] {
        let organizations = try await directory.organizations()
        let roles = try await directory.roles()
        return users.map { user in
            UserJSON.make(
                user, organization: organizations.first { $0.id == user.organizationID }, role: roles.first { $0.role == user.role })
        }
    }
}
