import Crypto
import Foundation
import Synchronization

/// The logged-in sessions: an opaque random token per login, looked up by its SHA-256 so that
/// the tokens themselves are never kept, and revoked at once by `DELETE /api/session`.
///
/// Sessions live in this process: a restart logs everyone out (docs/tenancy.md).
public final class SessionStore: Sendable {
    public struct Session: Sendable {
        /// `urn:vcloud:session:<uuid>`'s UUID, shown to clients; never the token.
        public var id: String
        public var principal: Principal
        public var created: Date
        public var lastUsed: Date
    }

    /// Cloud Director's default idle timeout.
    public let idleTimeout: TimeInterval
    public let maximumLifetime: TimeInterval
    /// More live sessions than this and the least recently used one ends (memory stays bounded).
    public let capacity: Int
    private let sessions = Mutex<[Data: Session]>([:])

    public init(idleTimeout: TimeInterval = 30 * 60, maximumLifetime: TimeInterval = 24 * 3600, capacity: Int = 10_000) {
        self.idleTimeout = idleTimeout
        self.maximumLifetime = maximumLifetime
        self.capacity = capacity
    }

    /// Starts a session; returns the token to hand to the client, and the session.
    public func open(for principal: Principal, now: Date = Date()) -> (token: String, session: Session) {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let session = Session(id: UUID().uuidString.lowercased(), principal: principal, created: now, lastUsed: now)
        let key = Self.key(token)
        sessions.withLock { sessions in
            if sessions.count >= capacity {
                sessions = sessions.filter { !isExpired($0.value, now: now) }
                if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                    sessions[oldest.key] = nil
                }
            }
            sessions[key] = session
        }
        return (token, session)
    }

    /// The live session of `token`, its idle clock restarted; nil when unknown, revoked or expired.
    public func session(for token: String, now: Date = Date()) -> Session? {
        let key = Self.key(token)
        return sessions.withLock { sessions in
            guard var session = sessions[key] else { return nil }
            if isExpired(session, now: now) {
                sessions[key] = nil
                return nil
            }
            session.lastUsed = now
            sessions[key] = session
            return session
        }
    }

    /// Takes in a session kept elsewhere (``TenantDirectory/restoreSession(digest:)``) under
    /// `token`; nil when it has expired meanwhile.
    public func adopt(_ session: Session, token: String, now: Date = Date()) -> Session? {
        var session = session
        session.lastUsed = now
        guard !isExpired(session, now: now) else { return nil }
        let key = Self.key(token)
        sessions.withLock { $0[key] = session }
        return session
    }

    /// The SHA-256 of a token in hex: how a kept session is named, never the token itself.
    public static func digest(_ token: String) -> String {
        hex(key(token))
    }

    /// Whether a session created at `created` is past its maximum lifetime.
    public func outlived(created: Date, now: Date = Date()) -> Bool {
        now.timeIntervalSince(created) > maximumLifetime
    }

    /// Ends the session of `token`; true when there was one.
    @discardableResult
    public func revoke(_ token: String) -> Bool {
        let key = Self.key(token)
        return sessions.withLock { $0.removeValue(forKey: key) != nil }
    }

    /// Ends every session of a user (disabled, deleted or given a new password).
    public func revokeAll(userID: String) {
        sessions.withLock { sessions in sessions = sessions.filter { $0.value.principal.userID != userID } }
    }

    /// Ends every session of an organisation's users (the organisation was disabled or deleted).
    public func revokeAll(organizationID: String) {
        sessions.withLock { sessions in sessions = sessions.filter { $0.value.principal.organization.id != organizationID } }
    }

    /// Ends every session whose principal matches; returns the user ids whose sessions ended.
    @discardableResult
    public func revokeAll(where matches: (Principal) -> Bool) -> Set<String> {
        sessions.withLock { sessions in
            var ended: Set<String> = []
            sessions = sessions.filter { _, session in
                guard matches(session.principal) else { return true }
                ended.insert(session.principal.userID)
                return false
            }
            return ended
        }
    }

    public var count: Int { sessions.withLock { $0.count } }

    /// The principals of the live sessions, one per user.
    public var principals: [Principal] {
        sessions.withLock { sessions in
            var seen: Set<String> = []
            return sessions.values.map(\.principal).filter { seen.insert($0.userID).inserted }
        }
    }

    /// Ends the sessions that expired by `now`: returns their digests (``digest(_:)``, how
    /// their kept copies are named) and when the next live session can expire at the earliest.
    /// A session opened later expires no sooner than `now` plus the idle timeout, so that
    /// bounds the answer even with no session left.
    public func removeExpired(now: Date = Date()) -> (ended: [String], nextExpiry: Date) {
        sessions.withLock { sessions in
            var ended: [String] = []
            var next = now.addingTimeInterval(idleTimeout)
            for (key, session) in sessions {
                if isExpired(session, now: now) {
                    sessions[key] = nil
                    ended.append(Self.hex(key))
                } else {
                    next = min(next, expiry(of: session))
                }
            }
            return (ended, next)
        }
    }

    /// When a session expires unless it is used again.
    private func expiry(of session: Session) -> Date {
        min(session.lastUsed.addingTimeInterval(idleTimeout), session.created.addingTimeInterval(maximumLifetime))
    }

    private func isExpired(_ session: Session, now: Date) -> Bool {
        now.timeIntervalSince(session.lastUsed) > idleTimeout || now.timeIntervalSince(session.created) > maximumLifetime
    }

    private static func hex(_ key: Data) -> String {
        key.map { String(format: "%02x", $0) }.joined()
    }

    private static func key(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}
