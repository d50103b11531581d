import Foundation
import Testing

@testable import Tenancy

@Suite struct SessionStoreTests {
    let principal = Principal(userID: "u1", userName: "ann", organization: InMemoryTenants.acme, role: .vAppUser)

    @Test func tokensFindTheirSessionUntilRevoked() {
        let store = SessionStore()
        let (token, session) = store.open(for: principal)
        #expect(store.session(for: token)?.id == session.id)
        #expect(store.session(for: token + "x") == nil)
        #expect(store.revoke(token))
        #expect(store.session(for: token) == nil)
        #expect(!store.revoke(token))
    }

    @Test func idleSessionsExpire() {
        let store = SessionStore(idleTimeout: 60)
        let start = Date(timeIntervalSince1970: 1_000_000)
        let (token, _) = store.open(for: principal, now: start)
        #expect(store.session(for: token, now: start.addingTimeInterval(59)) != nil)
        // Used at 59 s, so idle only from then.
        #expect(store.session(for: token, now: start.addingTimeInterval(118)) != nil)
        #expect(store.session(for: token, now: start.addingTimeInterval(200)) == nil)
    }

    @Test func capacityBoundsMemory() {
        let store = SessionStore(capacity: 3)
        let tokens = (0..<5).map { index in store.open(for: principal, now: Date(timeIntervalSince1970: Double(index))).token }
        #expect(store.count == 3)
        #expect(store.session(for: tokens[4], now: Date(timeIntervalSince1970: 5)) != nil)
    }

    @Test func revokeAllEndsEveryOneOfAUsersSessions() {
        let store = SessionStore()
        let first = store.open(for: principal).token
        let second = store.open(for: principal).token
        store.revokeAll(userID: "u1")
        #expect(store.session(for: first) == nil && store.session(for: second) == nil)
    }

    @Test func digestIsTheTokensSHA256InHex() {
        #expect(SessionStore.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func adoptedSessionsAnswerToTheirTokenUnlessOutlived() {
        let store = SessionStore(maximumLifetime: 3600)
        let now = Date(timeIntervalSince1970: 10_000)
        let kept = SessionStore.Session(id: "s1", principal: principal, created: now.addingTimeInterval(-60), lastUsed: now)
        #expect(store.adopt(kept, token: "t1", now: now) != nil)
        #expect(store.session(for: "t1", now: now)?.id == "s1")
        let old = SessionStore.Session(id: "s2", principal: principal, created: now.addingTimeInterval(-7200), lastUsed: now)
        #expect(store.adopt(old, token: "t2", now: now) == nil)
        #expect(store.session(for: "t2", now: now) == nil)
    }
}
