import KubeModel

/// Users, roles and VDCs in the cloudapi's JSON shapes (ssvirt's fields and Cloud
/// Director's entity references); never a password.
enum UserJSON {
    static func make(_ user: UserRecord, organization: OrganizationRecord?, role: RoleRecord?) -> JSONValue {
        let roleReference: JSONValue = ["name": .string(user.role.rawValue), "id": role.map { .string($0.urn) } ?? .null]
        return [
            "id": .string(user.urn), "username": .string(user.name), "name": .string(user.name),
            "fullName": .string(user.fullName), "email": .string(user.email), "description": .string(user.description),
            "enabled": .bool(user.enabled), "providerType": "LOCAL", "deployedVmQuota": 0, "storedVmQuota": 0,
            "organizationId": .string("urn:vcloud:org:\(user.organizationID)"),
            "orgEntityRef": ["id": .string("urn:vcloud:org:\(user.organizationID)"), "name": .string(organization?.name ?? "")],
            "roleEntityRefs": [roleReference],
        ]
    }
}

enum RoleJSON {
    static func make(_ role: RoleRecord) -> JSONValue {
        [
            "id": .string(role.urn), "name": .string(role.name), "description": .string(role.description),
            "bundleKey": .string("ROLE_" + role.name.uppercased().replacingOccurrences(of: " ", with: "_")), "readOnly": true,
        ]
    }
}

enum VDCJSON {
    static func make(_ vdc: VDCRecord, organization: OrganizationRecord) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(vdc.urn), "name": .string(vdc.name), "description": .string(vdc.description),
            "isEnabled": .bool(vdc.enabled), "namespace": .string(vdc.namespace),
            "org": ["id": .string(organization.urn), "name": .string(organization.name)],
            "vdcStorageProfiles": ["providerVdcStorageProfiles": []],
        ]
        fields.merge(VDCSpec.fields(vdc.settings)) { _, new in new }
        return .object(fields)
    }
}
