import KubeClient
import KubeModel
import Logging

/// The web console's way into the tenancy: the records the VCD API shows, read from objects
/// the console already holds (its informers), and the vApp power and delete actions through
/// the same ``VAppStore`` code the VCD API runs, built from the leader's API alone.
///
/// The console acts as the platform administrator: tasks it starts name the user
/// ``consoleUserName``, so the VCD API's task list says who powered a vApp off.
package struct TenancyConsole: Sendable {
    let store: VAppStore

    /// Who the console's tasks name as their user.
    package static let consoleUserName = "virtyard-console"

    package init(api: any KubernetesAPI, logger: Logger = Logger(label: "virtyard.console.tenancy")) {
        store = VAppStore(directory: ConsoleTenantDirectory(), backend: ConsoleVAppBackend(api: api), logger: logger)
    }

    // MARK: Reading objects as the VCD API does

    /// An `Organization` object as a record; nil when it lacks its id or name.
    package static func organization(_ object: JSONValue) -> OrganizationRecord? {
        KubeTenantDirectory.organizationRecord(object)
    }

    /// A `VDC` object as a record, given the organisations it may belong to (by object name).
    package static func vdc(_ object: JSONValue, organizations: [OrganizationRecord]) -> VDCRecord? {
        guard let owner = object["spec"]?["organization"]?.stringValue,
            let organization = organizations.first(where: { TenancyNames.organization($0.name) == owner })
        else { return nil }
        return KubeTenantDirectory.vdcRecord(object, organization: organization)
    }

    /// A `VApp` object joined with its VirtualMachines and TemplateInstance, as the VCD API
    /// joins them (``VAppStore/joined(_:namespace:onlyThese:)``).
    package static func vApp(_ object: JSONValue, vms: [JSONValue], instance: JSONValue?) -> VAppRecord? {
        let records = vms.compactMap(VAppObjects.vm).sorted { $0.name < $1.name }
        return VAppObjects.record(object, vms: records, instance: instance)
    }

    /// A VirtualMachine as a vApp's VM (its CPUs, memory and run strategy), as the VCD API reads it.
    package static func vm(_ object: JSONValue) -> VAppVM? { VAppObjects.vm(object) }

    /// The label naming a VM's vApp (by the VApp's object name).
    package static let vAppLabel = VAppStore.vAppLabel

    // MARK: Acting as the VCD API does

    /// Powers every VM of vApp `id` on or off (``VAppStore/power(_:on:by:)``).
    package func power(vAppID id: String, on: Bool) async throws(VCDError) {
        let vApp = try await existing(id)
        _ = try await store.power(vApp, on: on, by: principal(for: vApp))
    }

    /// Deletes vApp `id` with its TemplateInstance, Secret and VMs (``VAppStore/delete(_:by:)``).
    package func delete(vAppID id: String) async throws(VCDError) {
        let vApp = try await existing(id)
        _ = try await store.delete(vApp, by: principal(for: vApp))
    }

    private func existing(_ id: String) async throws(VCDError) -> VAppRecord {
        guard let vApp = try await store.vApp(id: id) else { throw .notFound("There is no vApp \(id.prefix(80)).") }
        if vApp.deleting { throw .conflict("vApp \(vApp.name) is being deleted.") }
        return vApp
    }

    /// The platform administrator as a System Administrator of the provider organisation
    /// (what the VCD API's own administrator is).
    private func principal(for vApp: VAppRecord) -> Principal {
        Principal(
            userID: VAppIDs.derived(from: "console/\(Self.consoleUserName)"), userName: Self.consoleUserName,
            organization: OrganizationRecord(
                id: VAppIDs.derived(from: "console/provider"), name: TenancyNames.providerOrganization,
                fullName: TenancyNames.providerOrganization, isProvider: true),
            role: .systemAdministrator)
    }
}

/// The leader's API, always ready: the console only acts once attached.
private struct ConsoleVAppBackend: VAppBackend {
    let api: any KubernetesAPI
    func vAppAPI() async throws(VCDError) -> any KubernetesAPI { api }
}

/// The console needs no directory for power and delete (only catalogs read one): every
/// question is answered "not here", never with made-up tenants.
private struct ConsoleTenantDirectory: TenantDirectory {
    private var refusal: VCDError { .unavailable("The console does not read the tenant directory.") }

    func authenticate(_ credentials: BasicCredentials) async throws(VCDError) -> Principal? { nil }
    func organizations() async throws(VCDError) -> [OrganizationRecord] { throw refusal }
    func organization(id: String) async throws(VCDError) -> OrganizationRecord? { throw refusal }
    func vdcs(of organization: OrganizationRecord) async throws(VCDError) -> [VDCRecord] { throw refusal }
    func vdc(id: String) async throws(VCDError) -> VDCRecord? { throw refusal }
    func users(organizationID: String?) async throws(VCDError) -> [UserRecord] { throw refusal }
    func user(id: String) async throws(VCDError) -> UserRecord? { throw refusal }
    func roles() async throws(VCDError) -> [RoleRecord] { throw refusal }
    func createOrganization(_ draft: OrganizationRecord) async throws(VCDError) -> OrganizationRecord { throw refusal }
    func updateOrganization(_ organization: OrganizationRecord) async throws(VCDError) -> OrganizationRecord { throw refusal }
    func deleteOrganization(id: String, force: Bool) async throws(VCDError) { throw refusal }
    func createUser(_ draft: UserRecord, password: String) async throws(VCDError) -> UserRecord { throw refusal }
    func updateUser(_ user: UserRecord, password: String?) async throws(VCDError) -> UserRecord { throw refusal }
    func deleteUser(id: String) async throws(VCDError) { throw refusal }
    func createVDC(_ draft: VDCRecord) async throws(VCDError) -> VDCRecord { throw refusal }
    func updateVDC(_ vdc: VDCRecord) async throws(VCDError) -> VDCRecord { throw refusal }
    func deleteVDC(id: String, force: Bool) async throws(VCDError) { throw refusal }
}
