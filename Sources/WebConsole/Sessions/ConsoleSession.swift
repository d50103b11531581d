import Foundation
import PlatformHTTP

/// A signed-in browser. The cookie holds only ``id``; the token the person signed in with
/// stays on the server (it is needed to notice that a lab session has ended) and never
/// reaches a page, a URL or a log.
public struct ConsoleSession: Sendable {
    /// The cookie value: 32 random bytes, base64url.
    public let id: String
    /// Who signed in: ``Caller/admin`` or ``Caller/session(_:)`` (a lab session's token).
    public internal(set) var caller: Caller
    /// Sent back with every change (hidden `_csrf` field or `X-CSRF-Token` header).
    public let csrfToken: String
    let token: String
    public let created: Date
    var lastSeen: Date

    /// The lab session this browser may see, when it signed in with a session token.
    public var labSession: String? {
        if case .session(let name) = caller { return name }
        return nil
    }

    public var isAdmin: Bool { caller == .admin }
}

/// How long a console session lasts.
public struct ConsoleSessionLimits: Sendable {
    /// Signed out after this long without a request.
    public var idle: Duration
    /// Signed out after this long whatever happens.
    public var absolute: Duration
    /// At most this many signed-in browsers; signing in beyond it drops the least recently
    /// seen lab browser, so that a flood of sign-ins cannot grow the table without bound.
    public var maximumSessions: Int
    /// Browsers one lab session's token may keep signed in; another sign-in signs out its
    /// oldest. Admin sessions are dropped for room only when nothing else is left.
    public var perLabSession: Int

    public init(
        idle: Duration = .seconds(30 * 60), absolute: Duration = .seconds(12 * 3600), maximumSessions: Int = 10_000,
        perLabSession: Int = 8
    ) {
        self.idle = idle
        self.absolute = absolute
        self.maximumSessions = maximumSessions
        self.perLabSession = perLabSession
    }
}
