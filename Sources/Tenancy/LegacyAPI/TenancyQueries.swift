/// The tenancy's own `/api/query` types: organisations, roles, users and VDCs. The `admin…`
/// types are the System Administrator's (403 for anyone else); the others show the caller's
/// own organisation (everything to the System Administrator).
enum TenancyQueries {
    static func all(directory: any TenantDirectory, address: PublicAddress) -> [any RecordQuery] {
        [
            OrganizationQuery(directory: directory, address: address), RoleQuery(directory: directory, address: address),
            UserQuery(directory: directory, address: address), VDCQuery(directory: directory, address: address),
        ]
    }

    /// 403 for an `admin…` type asked by anyone but the System Administrator.
    static func requireAdminType(_ type: String, _ principal: Principal) throws(VCDError) {
        if type.hasPrefix("admin"), !principal.isSystemAdministrator {
            throw .forbidden("The query type \(type) is the System Administrator's.")
        }
    }

    static func visibleOrganizations(_ directory: any TenantDirectory, _ principal: Principal) async throws(VCDError)
        -> [OrganizationRecord]
    {
        try await directory.organizations().filter { principal.mayUse(organizationID: $0.id) }
    }

    /// The organisations a query of `type` lists: 403 for an `admin…` type asked by anyone but
    /// the System Administrator, else those the caller may use.
    static func organizations(_ directory: any TenantDirectory, _ principal: Principal, asking type: String)
        async throws(VCDError) -> [OrganizationRecord]
    {
        try requireAdminType(type, principal)
        return try await visibleOrganizations(directory, principal)
    }

    /// The fields naming a record's organisation (`org==<href>` filters on them).
    static func organizationFields(_ organization: OrganizationRecord, _ address: PublicAddress) -> [QueryRecord.Field] {
        [.init("org", address.href("/api/org/\(organization.id)")), .init("orgName", organization.name)]
    }

    static func bool(_ value: Bool) -> String { value ? "true" : "false" }
}

struct OrganizationQuery: RecordQuery {
    let directory: any TenantDirectory
    let address: PublicAddress
    var types: [String] { ["organization"] }

    func records(type: String, for principal: Principal) async throws(VCDError) -> [QueryRecord] {
        try await TenancyQueries.visibleOrganizations(directory, principal).map { organization in
            QueryRecord(
                element: "OrgRecord", href: address.href("/api/org/\(organization.id)"), id: organization.urn,
                name: organization.name, mediaType: MediaType.org,
                fields: [
                    .init("displayName", organization.fullName), .init("isEnabled", TenancyQueries.bool(organization.enabled)),
                    .init("isReadOnly", TenancyQueries.bool(organization.isProvider)),
                ])
        }
    }
}

/// Roles per organisation, as Cloud Director lists them: `org==<href>` picks one's.
struct RoleQuery: RecordQuery {
    let directory: any TenantDirectory
    let address: PublicAddress
    var types: [String] { ["adminRole", "role"] }

    func records(type: String, for principal: Principal) async throws(VCDError) -> [QueryRecord] {
        let organizations = try await TenancyQueries.organizations(directory, principal, asking: type)
        let roles = try await directory.roles()
        return organizations.flatMap { organization in
            roles.filter { $0.applies(to: organization) }.map { role in
                QueryRecord(
                    element: type == "adminRole" ? "AdminRoleRecord" : "RoleRecord", href: address.href("/api/admin/role/\(role.id)"),
                    id: role.urn, name: role.name, mediaType: MediaType.role,
                    fields: [
                        .init("description", role.description), .init("isReadOnly", "true"),
                    ] + TenancyQueries.organizationFields(organization, address))
            }
        }
    }
}

struct UserQuery: RecordQuery {
    let directory: any TenantDirectory
    let address: PublicAddress
    var types: [String] { ["adminUser", "user"] }

    func records(type: String, for principal: Principal) async throws(VCDError) -> [QueryRecord] {
        let organizations = try await TenancyQueries.organizations(directory, principal, asking: type)
        let byID = Dictionary(organizations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let users = try await directory.users(organizationID: principal.isSystemAdministrator ? nil : principal.organization.id)
        return users.compactMap { user in
            guard let organization = byID[user.organizationID] else { return nil }
            return QueryRecord(
                element: type == "adminUser" ? "AdminUserRecord" : "UserRecord", href: address.href("/api/admin/user/\(user.id)"),
                id: user.urn, name: user.name, mediaType: MediaType.user,
                fields: [
                    .init("fullName", user.fullName), .init("email", user.email), .init("isEnabled", TenancyQueries.bool(user.enabled)),
                    .init("isLdapUser", "false"), .init("roleNames", user.role.rawValue),
                ] + TenancyQueries.organizationFields(organization, address))
        }
    }
}

struct VDCQuery: RecordQuery {
    let directory: any TenantDirectory
    let address: PublicAddress
    var types: [String] { ["adminOrgVdc", "orgVdc"] }

    func records(type: String, for principal: Principal) async throws(VCDError) -> [QueryRecord] {
        var records: [QueryRecord] = []
        for organization in try await TenancyQueries.organizations(directory, principal, asking: type) {
            for vdc in try await directory.vdcs(of: organization) {
                let admin = type == "adminOrgVdc"
                records.append(
                    QueryRecord(
                        element: admin ? "AdminVdcRecord" : "OrgVdcRecord",
                        href: address.href(admin ? "/api/admin/vdc/\(vdc.id)" : "/api/vdc/\(vdc.id)"), id: vdc.urn, name: vdc.name,
                        mediaType: admin ? MediaType.adminVDC : MediaType.vdc,
                        fields: [
                            .init("description", vdc.description), .init("isEnabled", TenancyQueries.bool(vdc.enabled)),
                            .init("allocationModel", vdc.settings.allocationModel.rawValue),
                            .init("cpuLimitMhz", String(vdc.settings.cpu.limit)),
                            .init("memoryLimitMB", String(vdc.settings.memory.limit)),
                        ] + TenancyQueries.organizationFields(organization, address) + [
                            .init("providerVdcName", vdc.settings.providerVDCName), .init("status", "READY"),
                        ]))
            }
        }
        return records
    }
}
