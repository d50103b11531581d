import Foundation
import KubeModel
import Testing

@testable import Tenancy

/// What the session sweeper decides from its caches, and the store's expiry sweep.
@Suite struct SessionSweepTests {
    let principal = Principal(userID: "u1", userName: "ann", organization: InMemoryTenants.acme, role: .vAppUser)

    @Test func expiredSessionsAreSweptAndTheNextExpiryIsKnown() {
        let store = SessionStore(idleTimeout: 60, maximumLifetime: 3600)
        let start = Date(timeIntervalSince1970: 1_000_000)
        let (stale, _) = store.open(for: principal, now: start)
        let (fresh, _) = store.open(for: principal, now: start.addingTimeInterval(50))
        let swept = store.removeExpired(now: start.addingTimeInterval(61))
        #expect(swept.ended == [SessionStore.digest(stale)])
        #expect(swept.nextExpiry == start.addingTimeInterval(110))
        #expect(store.session(for: stale, now: start.addingTimeInterval(61)) == nil)
        #expect(store.session(for: fresh, now: start.addingTimeInterval(61)) != nil)
    }

    @Test func withNoSessionTheNextExpiryIsOneIdleTimeoutAway() {
        let store = SessionStore(idleTimeout: 60)
        let now = Date(timeIntervalSince1970: 5_000)
        let swept = store.removeExpired(now: now)
        #expect(swept.ended.isEmpty && swept.nextExpiry == now.addingTimeInterval(60))
    }

    @Test func theMaximumLifetimeBoundsTheNextExpiry() {
        let store = SessionStore(idleTimeout: 600, maximumLifetime: 100)
        let now = Date(timeIntervalSince1970: 5_000)
        let kept = SessionStore.Session(id: "s", principal: principal, created: now.addingTimeInterval(-90), lastUsed: now)
        #expect(store.adopt(kept, token: "t", now: now) != nil)
        #expect(store.removeExpired(now: now).nextExpiry == now.addingTimeInterval(10))
        #expect(store.principals.map(\.userID) == ["u1"])
    }

    static func organization(_ name: String, id: String, enabled: Bool) -> JSONValue {
        ["metadata": .object(["name": .string(name)]), "spec": ["id": .string(id), "name": .string(name), "enabled": .bool(enabled)]]
    }

    static func user(_ name: String, id: String, organization: String, enabled: Bool = true, role: String = "vApp User") -> JSONValue {
        [
            "metadata": .object(["name": .string("\(organization).\(name)")]),
            "spec": [
                "id": .string(id), "name": .string(name), "organization": .string(organization), "role": .string(role),
                "enabled": .bool(enabled),
            ],
        ]
    }

    @Test func onlyEnabledUsersOfEnabledOrganisationsMayKeepSessions() {
        let organizations = [Self.organization("acme", id: "o1", enabled: true), Self.organization("globex", id: "o2", enabled: false)]
        let users = [
            Self.user("ann", id: "u1", organization: "acme"), Self.user("bob", id: "u2", organization: "acme", enabled: false),
            Self.user("gil", id: "u3", organization: "globex"), Self.user("orphan", id: "u4", organization: "gone"),
            Self.user("odd", id: "u5", organization: "acme", role: "Emperor"),
        ]
        #expect(SessionSweepReconciler.usersWhoMayLogIn(organizations: organizations, users: users) == ["u1"])
    }
}
