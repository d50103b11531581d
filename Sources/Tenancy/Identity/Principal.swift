/// Who a session belongs to: the user, their organisation and role, as stored.
public struct Principal: Sendable, Equatable {
    public var userID: String
    public var userName: String
    public var organization: OrganizationRecord
    public var role: Role

    public init(userID: String, userName: String, organization: OrganizationRecord, role: Role) {
        self.userID = userID
        self.userName = userName
        self.organization = organization
        self.role = role
    }

    /// The System Administrator of the provider organisation sees every organisation.
    public var isSystemAdministrator: Bool { role == .systemAdministrator && organization.isProvider }

    public func maySee(_ organization: OrganizationRecord) -> Bool {
        mayUse(organizationID: organization.id)
    }
}

/// An organisation as the APIs show it.
public struct OrganizationRecord: Sendable, Equatable {
    /// The UUID shared by `urn:vcloud:org:<id>` and `/api/org/<id>`.
    public var id: String
    /// The name as clients spell it (`System`).
    public var name: String
    public var fullName: String
    public var description: String
    public var enabled: Bool
    public var isProvider: Bool

    public init(id: String, name: String, fullName: String, description: String = "", enabled: Bool = true, isProvider: Bool = false) {
        self.id = id
        self.name = name
        self.fullName = fullName
        self.description = description
        self.enabled = enabled
        self.isProvider = isProvider
    }

    public var urn: String { "urn:vcloud:org:\(id)" }
}

/// A VDC as the APIs show it.
public struct VDCRecord: Sendable, Equatable {
    /// The UUID shared by `urn:vcloud:vdc:<id>` and `/api/vdc/<id>`.
    public var id: String
    public var name: String
    /// The UUID of the organisation it belongs to.
    public var organizationID: String
    /// Where its workloads live (``TenancyNames/vdcNamespace(organization:vdc:)``).
    public var namespace: String
    public var description: String
    public var enabled: Bool
    /// Allocation model, capacity and quotas, as ssvirt's VDC JSON has them.
    public var settings: VDCSettings

    public init(
        id: String, name: String, organizationID: String, namespace: String, description: String = "", enabled: Bool = true,
        settings: VDCSettings = VDCSettings()
    ) {
        self.id = id
        self.name = name
        self.organizationID = organizationID
        self.namespace = namespace
        self.description = description
        self.enabled = enabled
        self.settings = settings
    }

    public var urn: String { "urn:vcloud:vdc:\(id)" }
}
