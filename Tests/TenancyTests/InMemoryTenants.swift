import Foundation
import Synchronization

@testable import Tenancy

/// A tenant directory held in memory, for the routes' tests. Each `standard` is a fresh one,
/// so tests that write do not see each other.
final class InMemoryTenants: TenantDirectory {
    struct Account {
        var principal: Principal
        var password: String
        var enabled = true
        var email = ""
        var fullName = ""
    }

    struct State {
        var organizations: [OrganizationRecord]
        var accounts: [Account]
        var vdcs: [VDCRecord]
        /// VDC ids whose namespace holds VirtualMachines (deleting them needs force).
        var busyVDCs: Set<String> = []
    }

    let state: Mutex<State>

    init(organizations: [OrganizationRecord], accounts: [Account], vdcs: [VDCRecord]) {
        state = Mutex(State(organizations: organizations, accounts: accounts, vdcs: vdcs))
    }

    static let system = OrganizationRecord(
        id: "00000000-0000-4000-8000-000000000001", name: "System", fullName: "Provider", isProvider: true)
    static let acme = OrganizationRecord(id: "00000000-0000-4000-8000-000000000002", name: "acme", fullName: "Acme Inc.")
    static let globex = OrganizationRecord(
        id: "00000000-0000-4000-8000-000000000003", name: "globex", fullName: "Globex", enabled: false)
    static let initech = OrganizationRecord(id: "00000000-0000-4000-8000-000000000004", name: "initech", fullName: "Initech")

    static let acmeVDC = VDCRecord(
        id: "00000000-0000-4000-8000-0000000000d1", name: "acme-vdc", organizationID: acme.id, namespace: "vdc-acme-acme-vdc")

    static let roleRecords = [
        RoleRecord(id: "00000000-0000-4000-8000-0000000000a1", role: .systemAdministrator, description: "everything"),
        RoleRecord(id: "00000000-0000-4000-8000-0000000000a2", role: .organizationAdministrator, description: "one org"),
        RoleRecord(id: "00000000-0000-4000-8000-0000000000a3", role: .vAppUser, description: "vApps"),
    ]

    /// `standard` and a second enabled tenant: initech, with its org admin ivan.
    static var twoTenants: InMemoryTenants {
        let tenants = standard
        tenants.state.withLock { state in
            state.organizations.append(initech)
            state.accounts.append(
                Account(
                    principal: Principal(
                        userID: "00000000-0000-4000-8000-00000000000f", userName: "ivan", organization: initech,
                        role: .organizationAdministrator), password: "ivan-pass"))
        }
        return tenants
    }

    /// System (administrator), acme (ann, disabled bob, org admin olga), disabled globex
    /// (gus); acme has one VDC.
    static var standard: InMemoryTenants {
        InMemoryTenants(
            organizations: [system, acme, globex],
            accounts: [
                Account(
                    principal: Principal(
                        userID: "00000000-0000-4000-8000-00000000000a", userName: "administrator", organization: system,
                        role: .systemAdministrator), password: "admin-pass"),
                Account(
                    principal: Principal(
                        userID: "00000000-0000-4000-8000-00000000000b", userName: "ann", organization: acme, role: .vAppUser),
                    password: "ann-pass"),
                Account(
                    principal: Principal(
                        userID: "00000000-0000-4000-8000-00000000000c", userName: "bob", organization: acme, role: .vAppUser),
                    password: "bob-pass", enabled: false),
                Account(
                    principal: Principal(
                        userID: "00000000-0000-4000-8000-00000000000d", userName: "gus", organization: globex, role: .vAppUser),
                    password: "gus-pass"),
                Account(
                    principal: Principal(
                        userID: "00000000-0000-4000-8000-00000000000e", userName: "olga", organization: acme,
                        role: .organizationAdministrator), password: "olga-pass"),
            ],
            vdcs: [acmeVDC])
    }

    func authenticate(_ credentials: BasicCredentials) async throws(VCDError) -> Principal? {
        state.withLock { state in
            guard
                let account = state.accounts.first(where: {
                    $0.principal.userName == credentials.user.lowercased()
                        && $0.principal.organization.name.lowercased() == credentials.organization.lowercased()
                }), account.password == credentials.password, account.enabled,
                let organization = state.organizations.first(where: { $0.id == account.principal.organization.id }),
                organization.enabled
            else { return nil }
            var principal = account.principal
            principal.organization = organization
            return principal
        }
    }

    func organizations() async throws(VCDError) -> [OrganizationRecord] {
        state.withLock { $0.organizations }
    }

    func organization(id: String) async throws(VCDError) -> OrganizationRecord? {
        state.withLock { $0.organizations.first { $0.id == id } }
    }

    func vdcs(of organization: OrganizationRecord) async throws(VCDError) -> [VDCRecord] {
        state.withLock { $0.vdcs.filter { $0.organizationID == organization.id } }
    }

    func vdc(id: String) async throws(VCDError) -> VDCRecord? { state.withLock { $0.vdcs.first { $0.id == id } } }

    static func record(_ account: Account) -> UserRecord {
        UserRecord(
            id: account.principal.userID, name: account.principal.userName, organizationID: account.principal.organization.id,
            role: account.principal.role, fullName: account.fullName, email: account.email, enabled: account.enabled)
    }

    func users(organizationID: String?) async throws(VCDError) -> [UserRecord] {
        state.withLock { state in
            state.accounts.filter { organizationID == nil || $0.principal.organization.id == organizationID }.map(Self.record)
                .sorted { $0.name < $1.name }
        }
    }

    func user(id: String) async throws(VCDError) -> UserRecord? {
        state.withLock { $0.accounts.first { $0.principal.userID == id }.map(Self.record) }
    }

    func roles() async throws(VCDError) -> [RoleRecord] { Self.roleRecords }

    func createOrganization(_ draft: OrganizationRecord) async throws(VCDError) -> OrganizationRecord {
        _ = try TenancyValidation.organizationObjectName(draft.name)
        return try state.withLock { state throws(VCDError) -> OrganizationRecord in
            guard !state.organizations.contains(where: { $0.name.lowercased() == draft.name.lowercased() }) else {
                throw .duplicateName("An organisation named \(draft.name) already exists.")
            }
            var record = draft
            record.id = UUID().uuidString.lowercased()
            state.organizations.append(record)
            return record
        }
    }

    func updateOrganization(_ organization: OrganizationRecord) async throws(VCDError) -> OrganizationRecord {
        try state.withLock { state throws(VCDError) -> OrganizationRecord in
            guard let index = state.organizations.firstIndex(where: { $0.id == organization.id }) else {
                throw .notFound("No organisation.")
            }
            state.organizations[index] = organization
            return organization
        }
    }

    func deleteOrganization(id: String, force: Bool) async throws(VCDError) {
        try state.withLock { state throws(VCDError) in
            let held =
                state.vdcs.filter { $0.organizationID == id }.count
                + state.accounts.filter { $0.principal.organization.id == id }.count
            guard force || held == 0 else { throw .conflict("The organisation still has VDCs or users.") }
            state.organizations.removeAll { $0.id == id }
            state.vdcs.removeAll { $0.organizationID == id }
            state.accounts.removeAll { $0.principal.organization.id == id }
        }
    }

    func createUser(_ draft: UserRecord, password: String) async throws(VCDError) -> UserRecord {
        try TenancyValidation.password(password)
        guard let organization = try await organization(id: draft.organizationID) else { throw .notFound("No organisation.") }
        _ = try TenancyValidation.userObjectName(draft.name, organization: organization.name)
        try TenancyValidation.role(draft.role, in: organization)
        return try state.withLock { state throws(VCDError) -> UserRecord in
            guard
                !state.accounts.contains(where: {
                    $0.principal.organization.id == organization.id && $0.principal.userName == draft.name.lowercased()
                })
            else { throw .duplicateName("A user named \(draft.name) already exists.") }
            var record = draft
            record.id = UUID().uuidString.lowercased()
            state.accounts.append(
                Account(
                    principal: Principal(
                        userID: record.id, userName: draft.name.lowercased(), organization: organization, role: draft.role),
                    password: password, enabled: draft.enabled, email: draft.email, fullName: draft.fullName))
            return record
        }
    }

    func updateUser(_ user: UserRecord, password: String?) async throws(VCDError) -> UserRecord {
        if let password { try TenancyValidation.password(password) }
        return try state.withLock { state throws(VCDError) -> UserRecord in
            guard let index = state.accounts.firstIndex(where: { $0.principal.userID == user.id }) else { throw .notFound("No user.") }
            state.accounts[index].principal.role = user.role
            state.accounts[index].enabled = user.enabled
            state.accounts[index].email = user.email
            state.accounts[index].fullName = user.fullName
            if let password { state.accounts[index].password = password }
            return user
        }
    }

    func deleteUser(id: String) async throws(VCDError) {
        try state.withLock { state throws(VCDError) in
            guard state.accounts.contains(where: { $0.principal.userID == id }) else { throw .notFound("No user.") }
            state.accounts.removeAll { $0.principal.userID == id }
        }
    }

    func createVDC(_ draft: VDCRecord) async throws(VCDError) -> VDCRecord {
        guard let organization = try await organization(id: draft.organizationID) else { throw .notFound("No organisation.") }
        let namespace = try TenancyValidation.vdcNamespace(draft.name, organization: organization.name)
        return try state.withLock { state throws(VCDError) -> VDCRecord in
            guard !state.vdcs.contains(where: { $0.namespace == namespace }) else { throw .duplicateName("A VDC of that name exists.") }
            var record = draft
            record.id = UUID().uuidString.lowercased()
            record.namespace = namespace
            state.vdcs.append(record)
            return record
        }
    }

    func updateVDC(_ vdc: VDCRecord) async throws(VCDError) -> VDCRecord {
        try state.withLock { state throws(VCDError) -> VDCRecord in
            guard let index = state.vdcs.firstIndex(where: { $0.id == vdc.id }) else { throw .notFound("No VDC.") }
            state.vdcs[index] = vdc
            return vdc
        }
    }

    func deleteVDC(id: String, force: Bool) async throws(VCDError) {
        try state.withLock { state throws(VCDError) in
            guard state.vdcs.contains(where: { $0.id == id }) else { throw .notFound("No VDC.") }
            guard force || !state.busyVDCs.contains(id) else { throw .conflict("The VDC still holds VirtualMachines.") }
            state.vdcs.removeAll { $0.id == id }
        }
    }
}
