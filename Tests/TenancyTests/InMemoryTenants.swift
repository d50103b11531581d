import Foundation

@testable import Tenancy

/// A tenant directory held in memory, for the routes' tests.
struct InMemoryTenants: TenantDirectory {
    struct Account {
        var principal: Principal
        var password: String
        var enabled = true
    }

    var organizationList: [OrganizationRecord]
    var accounts: [Account]

    static let system = OrganizationRecord(
        id: "00000000-0000-4000-8000-000000000001", name: "System", fullName: "Provider", isProvider: true)
    static let acme = OrganizationRecord(id: "00000000-0000-4000-8000-000000000002", name: "acme", fullName: "Acme Inc.")
    static let globex = OrganizationRecord(
        id: "00000000-0000-4000-8000-000000000003", name: "globex", fullName: "Globex", enabled: false)

    static let standard = InMemoryTenants(
        organizationList: [system, acme, globex],
        accounts: [
            Account(
                principal: Principal(userID: "u-admin", userName: "administrator", organization: system, role: .systemAdministrator),
                password: "admin-pass"),
            Account(principal: Principal(userID: "u-ann", userName: "ann", organization: acme, role: .vAppUser), password: "ann-pass"),
            Account(
                principal: Principal(userID: "u-bob", userName: "bob", organization: acme, role: .vAppUser), password: "bob-pass",
                enabled: false),
            Account(principal: Principal(userID: "u-gus", userName: "gus", organization: globex, role: .vAppUser), password: "gus-pass"),
        ])

    func authenticate(_ credentials: BasicCredentials) async throws(VCDError) -> Principal? {
        guard
            let account = accounts.first(where: {
                $0.principal.userName == credentials.user.lowercased()
                    && $0.principal.organization.name.lowercased() == credentials.organization.lowercased()
            }), account.password == credentials.password, account.enabled, account.principal.organization.enabled
        else { return nil }
        return account.principal
    }

    func organizations() async throws(VCDError) -> [OrganizationRecord] { organizationList }

    func organization(id: String) async throws(VCDError) -> OrganizationRecord? { organizationList.first { $0.id == id } }

    static let acmeVDC = VDCRecord(
        id: "00000000-0000-4000-8000-0000000000d1", name: "acme-vdc", organizationID: acme.id, namespace: "vdc-acme-acme-vdc")

    func vdcs(of organization: OrganizationRecord) async throws(VCDError) -> [VDCRecord] {
        organization.id == Self.acme.id ? [Self.acmeVDC] : []
    }

    func vdc(id: String) async throws(VCDError) -> VDCRecord? { id == Self.acmeVDC.id ? Self.acmeVDC : nil }
}
