import Hummingbird

/// What the middleware learn about a request before a route sees it: the API version it
/// negotiated, and its session when it carries a valid token.
public struct VCDRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var apiVersion: String
    public var session: SessionStore.Session?
    /// The token the session was found by (for `DELETE /api/session`).
    public var token: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        apiVersion = APIVersions.newest
    }

    /// The caller's session, or 401.
    public func requireSession() throws(VCDError) -> SessionStore.Session {
        guard let session else { throw .unauthorized() }
        return session
    }
}
