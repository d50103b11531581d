import Hummingbird

/// Who may make a call: each platform route declares one, and ``authorize(_:)`` is the one
/// place the platform decides between going on, 401, 403 and 404.
public enum Access: Sendable, Hashable {
    /// No token needed (the capacity reads, which Prometheus scrapes without credentials).
    case anonymous
    /// The admin token only: a session token gets 403.
    case admin
    /// The admin token or any session's token (the route then shows that session only).
    case adminOrAnySession
    /// The admin token or this session's own token. Another session's token gets the 404 of
    /// a session that does not exist, so that a token cannot probe for other sessions.
    case adminOrSession(String)

    /// The caller, when it may make a call meant for this access; the error to answer when not.
    public func authorize(_ caller: Caller) throws(PlatformError) -> Caller {
        switch (caller, self) {
        case (_, .anonymous), (.admin, _):
            return caller
        case (.anonymous(.noToken), .admin):
            throw PlatformError(.unauthorized, "a bearer token is required (the admin token)")
        case (.anonymous(.noToken), _):
            throw PlatformError(
                .unauthorized,
                "a bearer token is required: the admin token, or the session's own token for its session")
        case (.anonymous(.unknownToken), _):
            throw PlatformError(.unauthorized, "the bearer token is not valid (unknown, or its session has ended)")
        case (.anonymous(.unverifiable), _):
            throw PlatformError(
                .unavailable,
                "session tokens cannot be checked yet (the lab service is still connecting to the cluster); retry shortly",
                headers: [.retryAfter: "1"])
        case (.session, .admin):
            throw PlatformError(.forbidden, "this call needs the admin token")
        case (.session, .adminOrAnySession):
            return caller
        case (.session(let own), .adminOrSession(let id)):
            guard own == id else { throw PlatformError.sessionNotFound(id) }
            return caller
        }
    }
}

extension PlatformError {
    /// The answer for a session that does not exist, and for one the caller's session token
    /// does not own: the same words, so that a token cannot probe for other sessions.
    public static func sessionNotFound(_ id: String) -> PlatformError {
        PlatformError(.notFound, "session \(id) not found")
    }
}
