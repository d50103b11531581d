/// Who may do what: the one place the roles are enforced, in both APIs.
///
/// - The System Administrator (of the provider organisation only) does everything: creates,
///   changes and deletes organisations and VDCs, and administers every organisation.
/// - An Organization Administrator administers their own organisation: its users and
///   catalogs, and sees and acts on everything in it.
/// - A vApp User sees and acts on their own organisation's objects (VDCs, catalogs, vApps),
///   and administers nothing.
///
/// Another organisation's objects are invisible to tenants: routes answer 403 for an
/// organisation by id and 404 for an object by id, as if it did not exist.
extension Principal {
    /// Creating, changing or deleting organisations.
    public var mayManageOrganizations: Bool { isSystemAdministrator }

    /// Creating, changing or deleting VDCs (of any organisation).
    public var mayManageVDCs: Bool { isSystemAdministrator }

    /// Managing the users, roles and catalogs of this organisation.
    public func mayAdminister(organizationID: String) -> Bool {
        isSystemAdministrator || (role == .organizationAdministrator && organization.id == organizationID)
    }

    /// Seeing and acting on this organisation's objects (VDCs, catalogs, vApps, tasks).
    public func mayUse(organizationID: String) -> Bool {
        isSystemAdministrator || organization.id == organizationID
    }

    /// 403 unless ``mayManageOrganizations``.
    public func requireOrganizationManagement() throws(VCDError) {
        guard mayManageOrganizations else {
            throw .forbidden("Only the System Administrator may create, change or delete organisations.")
        }
    }

    /// 403 unless ``mayManageVDCs``.
    public func requireVDCManagement() throws(VCDError) {
        guard mayManageVDCs else { throw .forbidden("Only the System Administrator may create, change or delete VDCs.") }
    }

    /// 403 unless ``mayAdminister(organizationID:)``.
    public func requireAdministration(of organizationID: String) throws(VCDError) {
        guard mayAdminister(organizationID: organizationID) else {
            throw .forbidden("Administering organisation \(organizationID.prefix(64)) is forbidden to \(role.rawValue)s.")
        }
    }

    /// 403 unless ``mayUse(organizationID:)``.
    public func requireUse(of organizationID: String) throws(VCDError) {
        guard mayUse(organizationID: organizationID) else {
            throw .forbidden("Access to organisation \(organizationID.prefix(64)) is forbidden.")
        }
    }
}
