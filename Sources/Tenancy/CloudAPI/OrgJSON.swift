import KubeModel

/// Organisations in the cloudapi's JSON shape (ssvirt's `/cloudapi/1.0.0/orgs`).
enum OrgJSON {
    static func make(_ organization: OrganizationRecord) -> JSONValue {
        [
            "id": .string(organization.urn), "name": .string(organization.name),
            "displayName": .string(organization.fullName), "description": .string(organization.description),
            "isEnabled": .bool(organization.enabled), "canManageOrgs": .bool(organization.isProvider), "canPublish": false,
        ]
    }
}
