import Crypto
import Foundation
import KubeModel
import PlatformHTTP
import Synchronization

/// The console's signed-in browsers, in memory (a restart signs everyone out, which is the
/// safe direction). Tokens are checked by the platform's own ``AuthenticationMiddleware``
/// logic, so the console and the API agree on who a token belongs to.
public final class ConsoleSessionStore: Sendable {
    private let authentication: AuthenticationMiddleware<PlatformRequestContext>
    private let limits: ConsoleSessionLimits
    private let sessions = Mutex<[String: ConsoleSession]>([:])

    public init(adminToken: String?, lookup: (any SessionTokenLookup)?, limits: ConsoleSessionLimits = ConsoleSessionLimits()) {
        authentication = AuthenticationMiddleware(adminToken: adminToken, sessions: lookup)
        self.limits = limits
    }

    /// A new session for `token`, or nil when the token is nobody's. An empty token is refused
    /// even when the platform runs without an admin token.
    public func signIn(token: String, now: Date = Date()) -> ConsoleSession? {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 4096 else { return nil }
        let caller = authentication.caller(authorization: "Bearer \(trimmed)")
        switch caller {
        case .admin, .session: break
        case .anonymous: return nil
        }
        let session = ConsoleSession(
            id: Self.randomToken(), caller: caller, csrfToken: Self.randomToken(), token: trimmed,
            created: now, lastSeen: now)
        sessions.withLock { table in
            // A lab session's token may keep only a few browsers signed in, so that signing in
            // over and over with it cannot push anyone else out of the table.
            if case .session = caller {
                let own = table.values.filter { $0.caller == caller }
                if own.count >= limits.perLabSession, let oldest = own.min(by: { $0.lastSeen < $1.lastSeen }) {
                    table[oldest.id] = nil
                }
            }
            if table.count >= limits.maximumSessions {
                let labs = table.values.filter { !$0.isAdmin }
                let candidates = labs.isEmpty ? Array(table.values) : labs
                if let oldest = candidates.min(by: { $0.lastSeen < $1.lastSeen }) { table[oldest.id] = nil }
            }
            table[session.id] = session
        }
        return session
    }

    /// The live session with this cookie value, touched; nil when it is unknown, idle too long,
    /// too old, or its lab session has ended.
    public func session(id: String, now: Date = Date()) -> ConsoleSession? {
        guard id.utf8.count == 43 else { return nil }
        let found: ConsoleSession? = sessions.withLock { table in
            // Dictionary lookup by the cookie value: the value is 256 random bits, so a guess
            // that hits a hash bucket still has to match all of it.
            guard var session = table[id], ConstantTime.equals(session.id, id) else { return nil }
            if now.timeIntervalSince(session.lastSeen) > Self.seconds(limits.idle)
                || now.timeIntervalSince(session.created) > Self.seconds(limits.absolute)
            {
                table[id] = nil
                return nil
            }
            session.lastSeen = now
            table[id] = session
            return session
        }
        guard var found else { return nil }
        // A lab session's token stops working the moment the session ends; while it cannot be
        // checked (the lab service still connecting) the browser stays signed in, and this request is
        // answered 503 by whatever access it asks for.
        switch tokenStanding(found) {
        case .valid: return found
        case .ended:
            signOut(id: id)
            return nil
        case .unverifiable:
            found.caller = .anonymous(.unverifiable)
            return found
        }
    }

    private enum TokenStanding { case valid, ended, unverifiable }

    private func tokenStanding(_ session: ConsoleSession) -> TokenStanding {
        guard case .session = session.caller else { return .valid }
        switch authentication.caller(authorization: "Bearer \(session.token)") {
        case session.caller: return .valid
        case .anonymous(.unverifiable): return .unverifiable
        default: return .ended
        }
    }

    /// Whether the session is still signed in, without counting this as activity (a live
    /// stream's heartbeat must not keep an idle browser signed in forever).
    public func isLive(id: String, now: Date = Date()) -> Bool {
        let found = sessions.withLock { $0[id] }
        guard let found else { return false }
        if now.timeIntervalSince(found.lastSeen) > Self.seconds(limits.idle)
            || now.timeIntervalSince(found.created) > Self.seconds(limits.absolute)
        {
            return false
        }
        return tokenStanding(found) != .ended
    }

    public func signOut(id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Signs out every browser of a lab session (it ended or was reset).
    public func signOut(labSession name: String) {
        sessions.withLock { table in table = table.filter { $0.value.labSession != name } }
    }

    public var count: Int { sessions.withLock { $0.count } }

    /// Whether `presented` is this session's CSRF token, compared in constant time.
    public static func csrfMatches(_ presented: String?, _ session: ConsoleSession) -> Bool {
        guard let presented else { return false }
        return ConstantTime.equals(presented, session.csrfToken)
    }

    static func randomToken() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
