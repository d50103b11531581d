/// The admin documents (`/api/admin…`) and the VDC documents, with the links pyvcloud's
/// `System`, `Org` and `VDC` classes follow (`rel="add"` + media type).
extension LegacyDocuments {
    static func link(_ rel: String, _ type: String?, _ href: String, name: String? = nil) -> XMLNode {
        XMLNode("Link", [("rel", rel), ("type", type), ("name", name), ("href", href)])
    }

    static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    /// `GET /api/admin`: the `VCloud` document (pyvcloud's `System`, `client.get_admin()`).
    static func admin(organizations: [OrganizationRecord], roles: [RoleRecord], address: PublicAddress) -> XMLNode {
        XMLNode(
            "VCloud",
            [("xmlns", MediaType.vcloudNamespace), ("name", "vCloud"), ("href", address.href("/api/admin")), ("type", MediaType.admin)],
            children: [
                link("add", MediaType.adminOrg, address.href("/api/admin/orgs")),
                link("down", MediaType.queryList, address.href("/api/query")),
                link("down", MediaType.orgList, address.href("/api/org")),
                XMLNode("Description", text: "Virtyard"),
                references(
                    "OrganizationReferences", "OrganizationReference", type: MediaType.org,
                    organizations.map { (address.href("/api/org/\($0.id)"), $0.name) }),
                XMLNode("ProviderVdcReferences"),
                XMLNode("RightReferences"),
                references(
                    "RoleReferences", "RoleReference", type: MediaType.role,
                    roles.map { (address.href("/api/admin/role/\($0.id)"), $0.name) }),
                XMLNode("Networks"),
            ])
    }

    /// `<container>` with one `<element href name type>` reference an item.
    static func references(_ container: String, _ element: String, type: String, _ items: [(href: String, name: String)])
        -> XMLNode
    {
        XMLNode(container, children: items.map { XMLNode(element, [("href", $0.href), ("name", $0.name), ("type", type)]) })
    }

    /// `GET /api/admin/org/{id}`: the `AdminOrg`, with `add` links for users and catalogs.
    static func adminOrg(_ organization: OrganizationRecord, users: [UserRecord], vdcs: [VDCRecord], address: PublicAddress)
        -> XMLNode
    {
        let href = address.href("/api/admin/org/\(organization.id)")
        return XMLNode(
            "AdminOrg",
            [
                ("xmlns", MediaType.vcloudNamespace), ("name", organization.name), ("id", organization.urn), ("href", href),
                ("type", MediaType.adminOrg),
            ],
            children: [
                link("add", MediaType.user, address.href("/api/admin/org/\(organization.id)/users")),
                link("add", MediaType.adminCatalog, address.href("/api/admin/org/\(organization.id)/catalogs")),
                link("alternate", MediaType.org, address.href("/api/org/\(organization.id)")),
                link("edit", MediaType.adminOrg, href),
                link("remove", nil, href),
                link("up", MediaType.admin, address.href("/api/admin")),
                XMLNode("Description", text: organization.description),
                XMLNode("FullName", text: organization.fullName),
                XMLNode("IsEnabled", text: bool(organization.enabled)),
                XMLNode("Settings", [("type", "application/vnd.vmware.admin.orgSettings+xml")]),
                references(
                    "Users", "UserReference", type: MediaType.user, users.map { (address.href("/api/admin/user/\($0.id)"), $0.name) }),
                XMLNode("Catalogs"),
                references("Vdcs", "Vdc", type: MediaType.adminVDC, vdcs.map { (address.href("/api/admin/vdc/\($0.id)"), $0.name) }),
            ])
    }

    /// `GET /api/admin/user/{id}`; never a password.
    static func user(_ user: UserRecord, role: RoleRecord?, address: PublicAddress) -> XMLNode {
        let href = address.href("/api/admin/user/\(user.id)")
        return XMLNode(
            "User",
            [("xmlns", MediaType.vcloudNamespace), ("name", user.name), ("id", user.urn), ("href", href), ("type", MediaType.user)],
            children: [
                link("edit", MediaType.user, href),
                link("remove", nil, href),
                link("up", MediaType.adminOrg, address.href("/api/admin/org/\(user.organizationID)")),
                XMLNode("Description", text: user.description),
                XMLNode("FullName", text: user.fullName),
                XMLNode("EmailAddress", text: user.email),
                XMLNode("IsEnabled", text: bool(user.enabled)),
                XMLNode("IsLocked", text: "false"),
                XMLNode("IsExternal", text: "false"),
                XMLNode("ProviderType", text: "INTEGRATED"),
                XMLNode("StoredVmQuota", text: "0"),
                XMLNode("DeployedVmQuota", text: "0"),
                XMLNode(
                    "Role",
                    [
                        ("href", role.map { address.href("/api/admin/role/\($0.id)") }), ("name", user.role.rawValue),
                        ("type", MediaType.role),
                    ]),
            ])
    }

    /// `GET /api/admin/role/{id}`.
    static func role(_ role: RoleRecord, address: PublicAddress) -> XMLNode {
        XMLNode(
            "Role",
            [
                ("xmlns", MediaType.vcloudNamespace), ("name", role.name), ("id", role.urn),
                ("href", address.href("/api/admin/role/\(role.id)")), ("type", MediaType.role),
            ],
            children: [XMLNode("Description", text: role.description), XMLNode("RightReferences")])
    }

    /// `GET /api/vdc/{id}` (`admin: false`) and `/api/admin/vdc/{id}` (`admin: true`): the
    /// `add` link of `instantiateVAppTemplateParams`, and the vApps as `ResourceEntities`.
    static func vdc(
        _ vdc: VDCRecord, organization: OrganizationRecord, entities: [VDCResourceEntity], admin: Bool, address: PublicAddress
    ) -> XMLNode {
        let href = address.href(admin ? "/api/admin/vdc/\(vdc.id)" : "/api/vdc/\(vdc.id)")
        func capacity(_ name: String, _ capacity: VDCSettings.Capacity) -> XMLNode {
            XMLNode(
                name,
                children: [
                    XMLNode("Units", text: capacity.units), XMLNode("Allocated", text: String(capacity.allocated)),
                    XMLNode("Limit", text: String(capacity.limit)), XMLNode("Reserved", text: "0"), XMLNode("Used", text: "0"),
                ])
        }
        var links = [
            link(
                "up", admin ? MediaType.adminOrg : MediaType.org,
                address.href(admin ? "/api/admin/org/\(organization.id)" : "/api/org/\(organization.id)")),
            link("add", MediaType.instantiateVAppTemplateParams, address.href("/api/vdc/\(vdc.id)/action/instantiateVAppTemplate")),
        ]
        links.append(
            admin
                ? link("alternate", MediaType.vdc, address.href("/api/vdc/\(vdc.id)"))
                : link("alternate", MediaType.adminVDC, address.href("/api/admin/vdc/\(vdc.id)")))
        if admin {
            links.append(link("edit", MediaType.adminVDC, href))
            links.append(link("remove", nil, href))
        }
        return XMLNode(
            admin ? "AdminVdc" : "Vdc",
            [
                ("xmlns", MediaType.vcloudNamespace), ("status", "1"), ("name", vdc.name), ("id", vdc.urn), ("href", href),
                ("type", admin ? MediaType.adminVDC : MediaType.vdc),
            ],
            children: links + [
                XMLNode("Description", text: vdc.description),
                XMLNode("AllocationModel", text: vdc.settings.allocationModel.rawValue),
                XMLNode("ComputeCapacity", children: [capacity("Cpu", vdc.settings.cpu), capacity("Memory", vdc.settings.memory)]),
                XMLNode(
                    "ResourceEntities",
                    children: entities.map { XMLNode("ResourceEntity", [("href", $0.href), ("name", $0.name), ("type", $0.mediaType)]) }),
                XMLNode("AvailableNetworks"),
                XMLNode("NicQuota", text: String(vdc.settings.nicQuota)),
                XMLNode("NetworkQuota", text: String(vdc.settings.networkQuota)),
                XMLNode("UsedNetworkCount", text: "0"),
                XMLNode("VmQuota", text: "0"),
                XMLNode("IsEnabled", text: bool(vdc.enabled)),
                XMLNode("VdcStorageProfiles"),
            ])
    }
}

/// One entity a VDC lists under `ResourceEntities` (a vApp: `application/vnd.vmware.vcloud.vApp+xml`).
public struct VDCResourceEntity: Sendable, Equatable {
    public var name: String
    public var href: String
    public var mediaType: String

    public init(name: String, href: String, mediaType: String) {
        self.name = name
        self.href = href
        self.mediaType = mediaType
    }
}

/// What a VDC holds, for `GET /api/vdc/{id}`: given by the part of the module that owns vApps
/// (`VCDRouter.make(vdcEntities:)`); none until then.
public typealias VDCEntities = @Sendable (VDCRecord) async throws(VCDError) -> [VDCResourceEntity]
