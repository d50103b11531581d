/// A user as the APIs show it (never with a password: only its hash exists, in a Secret).
public struct UserRecord: Sendable, Equatable {
    /// The UUID shared by `urn:vcloud:user:<id>` and `/api/admin/user/<id>`.
    public var id: String
    public var name: String
    /// The UUID of the user's organisation.
    public var organizationID: String
    public var role: Role
    public var fullName: String
    public var email: String
    public var description: String
    public var enabled: Bool

    public init(
        id: String, name: String, organizationID: String, role: Role, fullName: String = "", email: String = "",
        description: String = "", enabled: Bool = true
    ) {
        self.id = id
        self.name = name
        self.organizationID = organizationID
        self.role = role
        self.fullName = fullName
        self.email = email
        self.description = description
        self.enabled = enabled
    }

    public var urn: String { "urn:vcloud:user:\(id)" }
}

/// A role (a `Role` object of `virtyard.io`): one of ``Role``'s cases with its stable id.
public struct RoleRecord: Sendable, Equatable {
    /// The UUID of `urn:vcloud:role:<id>` and `/api/admin/role/<id>`.
    public var id: String
    public var role: Role
    public var description: String

    public init(id: String, role: Role, description: String = "") {
        self.id = id
        self.role = role
        self.description = description
    }

    public var name: String { role.rawValue }
    public var urn: String { "urn:vcloud:role:\(id)" }

    /// Whether organisations of this kind have the role: System Administrator only in the
    /// provider organisation, the tenant roles only in tenant organisations (as in VCD).
    public func applies(to organization: OrganizationRecord) -> Bool {
        (role == .systemAdministrator) == organization.isProvider
    }
}

/// A VDC's allocation model, capacity and quotas (ssvirt's VDC JSON).
public struct VDCSettings: Sendable, Equatable {
    public var allocationModel: AllocationModel
    public var cpu: Capacity
    public var memory: Capacity
    public var nicQuota: Int
    public var networkQuota: Int
    public var isThinProvision: Bool
    public var providerVDCName: String

    public init(
        allocationModel: AllocationModel = .payAsYouGo, cpu: Capacity = Capacity(units: "MHz"),
        memory: Capacity = Capacity(units: "MB"), nicQuota: Int = 100, networkQuota: Int = 50, isThinProvision: Bool = false,
        providerVDCName: String = "virtyard"
    ) {
        self.allocationModel = allocationModel
        self.cpu = cpu
        self.memory = memory
        self.nicQuota = nicQuota
        self.networkQuota = networkQuota
        self.isThinProvision = isThinProvision
        self.providerVDCName = providerVDCName
    }

    /// ssvirt's allocation models, and Cloud Director's older name for pay-as-you-go.
    public enum AllocationModel: String, Sendable, CaseIterable {
        case payAsYouGo = "PayAsYouGo"
        case allocationPool = "AllocationPool"
        case reservationPool = "ReservationPool"
        case flex = "Flex"
        case allocationVApp = "AllocationVApp"
    }

    /// `{allocated, limit, units}`; 0 means no limit.
    public struct Capacity: Sendable, Equatable {
        public var allocated: Int64
        public var limit: Int64
        public var units: String

        public init(allocated: Int64 = 0, limit: Int64 = 0, units: String) {
            self.allocated = allocated
            self.limit = limit
            self.units = units
        }
    }
}
