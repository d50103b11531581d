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
