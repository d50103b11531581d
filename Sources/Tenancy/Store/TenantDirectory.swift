/// What the APIs need to know about tenants: who may log in, and which organisations exist.
///
/// ``KubeTenantDirectory`` answers from the Kubernetes API (the only source of truth); tests
/// use an in-memory one.
public protocol TenantDirectory: Sendable {
    /// The user these credentials name, when the password is theirs and both the user and
    /// the organisation are enabled; nil otherwise (the caller answers 401 without saying
    /// which part was wrong). Throws ``VCDError`` when the store cannot answer.
    func authenticate(_ credentials: BasicCredentials) async throws(VCDError) -> Principal?

    /// Every organisation, in name order.
    func organizations() async throws(VCDError) -> [OrganizationRecord]

    /// The organisation with this UUID, if any.
    func organization(id: String) async throws(VCDError) -> OrganizationRecord?

    /// The VDCs of an organisation, in name order.
    func vdcs(of organization: OrganizationRecord) async throws(VCDError) -> [VDCRecord]

    /// The VDC with this UUID, if any (whatever its organisation: callers check visibility).
    func vdc(id: String) async throws(VCDError) -> VDCRecord?

    /// The users of an organisation (nil: of every organisation), in name order.
    func users(organizationID: String?) async throws(VCDError) -> [UserRecord]

    /// The user with this UUID, if any (whatever its organisation: callers check visibility).
    func user(id: String) async throws(VCDError) -> UserRecord?

    /// The roles (``ProviderBootstrap`` makes them), in name order.
    func roles() async throws(VCDError) -> [RoleRecord]

    // Writes. Each either completes or leaves nothing behind; a name taken (case-insensitive)
    // is a 400 `DUPLICATE_NAME`, a name that cannot be one a 400 naming the rule.

    /// Makes an organisation from `draft` (its `id` is ignored: a new UUID is given).
    func createOrganization(_ draft: OrganizationRecord) async throws(VCDError) -> OrganizationRecord

    /// Replaces the full name, description and enabled flag of an organisation (not its name).
    func updateOrganization(_ organization: OrganizationRecord) async throws(VCDError) -> OrganizationRecord

    /// Deletes an organisation; with users or VDCs only when `force` (then they go too).
    func deleteOrganization(id: String, force: Bool) async throws(VCDError)

    /// Makes a user with this password (hashed; the clear text is kept nowhere).
    func createUser(_ draft: UserRecord, password: String) async throws(VCDError) -> UserRecord

    /// Replaces a user's role, names, e-mail, description and enabled flag; a new password
    /// when `password` is given.
    func updateUser(_ user: UserRecord, password: String?) async throws(VCDError) -> UserRecord

    func deleteUser(id: String) async throws(VCDError)

    /// Makes a VDC of `draft.organizationID` with its namespace, quota and network policy.
    func createVDC(_ draft: VDCRecord) async throws(VCDError) -> VDCRecord

    /// Replaces a VDC's description, enabled flag and settings (not its name).
    func updateVDC(_ vdc: VDCRecord) async throws(VCDError) -> VDCRecord

    /// Deletes a VDC and its namespace; refused (409) while the namespace holds
    /// VirtualMachines or TemplateInstances unless `force`.
    func deleteVDC(id: String, force: Bool) async throws(VCDError)

    /// Keeps a new session so that it outlives a restart (`digest`: ``SessionStore/digest(_:)``).
    func saveSession(_ session: SessionStore.Session, digest: String) async

    /// The kept session of this digest, with its user as stored now; nil when there is none,
    /// or its user or organisation is gone or disabled.
    func restoreSession(digest: String) async -> SessionStore.Session?

    func deleteSession(digest: String) async
}

/// A directory that keeps no sessions: they live as long as the process.
extension TenantDirectory {
    public func saveSession(_ session: SessionStore.Session, digest: String) async {}
    public func restoreSession(digest: String) async -> SessionStore.Session? { nil }
    public func deleteSession(digest: String) async {}
}
