import HTTPTypes
import Hummingbird
import KubeModel

/// The one authentication step of the platform API: reads the request's bearer token (or,
/// when there is none, the same token in `X-API-Key`, as moxxie's clients send it), finds
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
        context.caller = caller(authorization: request.headers[.authorization], apiKey: request.headers[Self.apiKey])
        return try await next(request, context)
    }

    /// `X-API-Key`: the token itself, no scheme. (A generic type cannot hold a `static let`;
    /// the name is made once, in ``HTTPField/Name/apiKey``.)
    public static var apiKey: HTTPField.Name { .apiKey }

    /// Who an `Authorization` header value (or, without a bearer token there, an `X-API-Key`
    /// value) belongs to.
    public func caller(authorization: String?, apiKey: String? = nil) -> Caller {
        guard let adminToken else { return .admin }
        // HTTP strips the whitespace around a field value; an empty one is no key.
        let key = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        guard let token = BearerToken.parse(authorization: authorization) ?? key else { return .anonymous(.noToken) }
        if ConstantTime.equals(token, adminToken) { return .admin }
        if let sessions {
            if let session = sessions.session(forToken: token) { return .session(session) }
            if !sessions.canVerify { return .anonymous(.unverifiable) }
        }
        return .anonymous(.unknownToken)
    }
}

extension HTTPField.Name {
    /// `X-API-Key`, the header moxxie's clients send the token in. A valid field name, so the
    /// unwrap cannot fail; it runs once.
    public static let apiKey = HTTPField.Name("X-API-Key")!
}
