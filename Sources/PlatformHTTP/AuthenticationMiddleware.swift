import Hummingbird
import KubeModel

/// The one authentication step of the platform API: reads the request's bearer token, finds
/// who it belongs to — the admin (compared in constant time), a lab session (through
/// ``SessionTokenLookup``), or nobody — and stores that ``Caller`` in the context.
///
/// It refuses nothing itself: whether a caller may make a call depends on the route (Capacity's
/// GETs take no token at all), so each route states its ``Access`` and
/// ``AuthenticatedRequestContext/require(_:)`` answers 401, 403 or 404 in one place.
public struct AuthenticationMiddleware<Context: AuthenticatedRequestContext>: RouterMiddleware {
    let adminToken: String?
    let sessions: (any SessionTokenLookup)?

    /// - Parameters:
    ///   - adminToken: the admin bearer token; nil makes every caller the admin (tests only).
    ///   - sessions: where session tokens are looked up; nil when no lab pool runs.
    public init(adminToken: String?, sessions: (any SessionTokenLookup)?) {
        self.adminToken = adminToken
        self.sessions = sessions
    }

    public func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.caller = caller(authorization: request.headers[.authorization])
        return try await next(request, context)
    }

    /// Who an `Authorization` header value belongs to.
    public func caller(authorization: String?) -> Caller {
        guard let adminToken else { return .admin }
        guard let token = BearerToken.parse(authorization: authorization) else { return .anonymous(.noToken) }
        if ConstantTime.equals(token, adminToken) { return .admin }
        if let session = sessions?.session(forToken: token) { return .session(session) }
        return .anonymous(.unknownToken)
    }
}
