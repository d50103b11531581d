/// The legacy API's documents, with exactly the elements, attributes and link `rel`/`type`
/// pairs pyvcloud and vcd-cli look for.
enum LegacyDocuments {
    /// `GET /api/session`, and the body of the old `POST /api/sessions`.
    static func session(_ session: SessionStore.Session, address: PublicAddress) -> XMLNode {
        let principal = session.principal
        let organization = principal.organization
        var links = [
            XMLNode("Link", [("rel", "down"), ("type", MediaType.orgList), ("href", address.href("/api/org"))]),
            XMLNode("Link", [("rel", "down"), ("type", MediaType.queryList), ("href", address.href("/api/query"))]),
            XMLNode("Link", [("rel", "remove"), ("href", address.href("/api/session"))]),
            XMLNode(
                "Link",
                [
                    ("rel", "down"), ("type", MediaType.org), ("name", organization.name),
                    ("href", address.href("/api/org/\(organization.id)")),
                ]),
        ]
        // pyvcloud's `System` starts from this link (`client.get_admin()`).
        if principal.role != .vAppUser {
            links.append(XMLNode("Link", [("rel", "down"), ("type", MediaType.admin), ("href", address.href("/api/admin"))]))
        }
        return XMLNode(
            "Session",
            [
                ("xmlns", MediaType.vcloudNamespace), ("user", principal.userName), ("org", organization.name),
                ("userId", "urn:vcloud:user:\(principal.userID)"), ("roles", principal.role.rawValue),
                ("locationId", "\(organization.name)@virtyard"), ("href", address.href("/api/session")),
                ("type", MediaType.session),
            ],
            children: links)
    }

    /// `GET /api/org`: the organisations the caller may see.
    static func orgList(_ organizations: [OrganizationRecord], address: PublicAddress) -> XMLNode {
        XMLNode(
            "OrgList",
            [("xmlns", MediaType.vcloudNamespace), ("href", address.href("/api/org")), ("type", MediaType.orgList)],
            children: organizations.map { organization in
                XMLNode(
                    "Org",
                    [("href", address.href("/api/org/\(organization.id)")), ("name", organization.name), ("type", MediaType.org)])
            })
    }

    /// `GET /api/org/{id}`.
    static func org(_ organization: OrganizationRecord, address: PublicAddress) -> XMLNode {
        XMLNode(
            "Org",
            [
                ("xmlns", MediaType.vcloudNamespace), ("name", organization.name), ("id", organization.urn),
                ("href", address.href("/api/org/\(organization.id)")), ("type", MediaType.org),
            ],
            children: [
                XMLNode("Link", [("rel", "up"), ("type", MediaType.orgList), ("href", address.href("/api/org"))]),
                // From API 33.0 on, clients list VDCs through this query link (its href must contain "vdc").
                XMLNode(
                    "Link",
                    [("rel", "down"), ("type", MediaType.records), ("href", address.href("/api/org/\(organization.id)/vdcs/query"))]),
                // pyvcloud finds a catalog by name through the records link whose href contains "catalog".
                XMLNode(
                    "Link",
                    [("rel", "down"), ("type", MediaType.records), ("href", address.href("/api/org/\(organization.id)/catalogs/query"))]),
                // `Org.create_catalog` and `vcd catalog create` post here (the route checks the role).
                XMLNode(
                    "Link",
                    [
                        ("rel", "add"), ("type", MediaType.adminCatalog),
                        ("href", address.href("/api/admin/org/\(organization.id)/catalogs")),
                    ]),
                XMLNode("Description", text: organization.description),
                XMLNode("FullName", text: organization.fullName),
            ])
    }

    /// `GET /api/org/{id}/vdcs/query`: one `OrgVdcRecord` per VDC, all on one page.
    static func vdcRecords(_ vdcs: [VDCRecord], of organization: OrganizationRecord, address: PublicAddress) -> XMLNode {
        XMLNode(
            "QueryResultRecords",
            [
                ("xmlns", MediaType.vcloudNamespace), ("name", "orgVdc"), ("page", "1"), ("pageSize", String(max(vdcs.count, 1))),
                ("total", String(vdcs.count)), ("href", address.href("/api/org/\(organization.id)/vdcs/query")),
                ("type", MediaType.records),
            ],
            children: vdcs.map { vdc in
                XMLNode(
                    "OrgVdcRecord",
                    [
                        ("name", vdc.name), ("href", address.href("/api/vdc/\(vdc.id)")), ("orgName", organization.name),
                        ("isEnabled", vdc.enabled ? "true" : "false"), ("description", vdc.description),
                    ])
            })
    }
}
