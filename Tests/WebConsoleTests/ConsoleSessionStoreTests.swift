import Foundation
import PlatformHTTP
import Synchronization
import Testing

@testable import WebConsole

/// A lab pool whose session tokens can be ended from the test.
final class FakeSessionTokens: SessionTokenLookup {
    let tokens = Mutex<[String: String]>([:])
    func session(forToken token: String) -> String? { tokens.withLock { $0[token] } }
}

@Suite struct ConsoleSessionStoreTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func adminAndLabTokensSignInOthersDoNot() throws {
        let labs = FakeSessionTokens()
        labs.tokens.withLock { $0["lab-token"] = "lab-1" }
        let store = ConsoleSessionStore(adminToken: "admin-token", lookup: labs)
        let admin = try #require(store.signIn(token: "admin-token", now: start))
        #expect(admin.caller == .admin)
        let lab = try #require(store.signIn(token: " lab-token\n", now: start))
        #expect(lab.labSession == "lab-1")
        #expect(store.signIn(token: "wrong", now: start) == nil)
        #expect(store.signIn(token: "", now: start) == nil)
        #expect(store.signIn(token: String(repeating: "x", count: 5000), now: start) == nil)
        // The cookie value is not the token, and each sign-in gets its own id and CSRF token.
        #expect(admin.id != "admin-token" && admin.id != lab.id && admin.csrfToken != lab.csrfToken)
        #expect(admin.id.utf8.count == 43)
    }

    @Test func sessionsEndWhenIdleOrOldOrSignedOut() throws {
        let store = ConsoleSessionStore(
            adminToken: "admin-token", lookup: nil,
            limits: ConsoleSessionLimits(idle: .seconds(60), absolute: .seconds(300)))
        let session = try #require(store.signIn(token: "admin-token", now: start))
        #expect(store.session(id: session.id, now: start.addingTimeInterval(50)) != nil)
        // Touched at +50 s, so +100 s is within the idle limit; +161 s is not.
        #expect(store.session(id: session.id, now: start.addingTimeInterval(100)) != nil)
        #expect(store.session(id: session.id, now: start.addingTimeInterval(161)) == nil)

        let busy = try #require(store.signIn(token: "admin-token", now: start))
        for minute in 1...4 { #expect(store.session(id: busy.id, now: start.addingTimeInterval(Double(minute) * 55)) != nil) }
        #expect(store.session(id: busy.id, now: start.addingTimeInterval(301)) == nil, "past the absolute limit")

        let other = try #require(store.signIn(token: "admin-token", now: start))
        store.signOut(id: other.id)
        #expect(store.session(id: other.id, now: start) == nil)
        #expect(store.session(id: "short", now: start) == nil)
    }

    @Test func aLabBrowserIsSignedOutWhenItsSessionEnds() throws {
        let labs = FakeSessionTokens()
        labs.tokens.withLock { $0["lab-token"] = "lab-1" }
        let store = ConsoleSessionStore(adminToken: "admin-token", lookup: labs)
        let browser = try #require(store.signIn(token: "lab-token", now: start))
        #expect(store.session(id: browser.id, now: start) != nil)
        labs.tokens.withLock { $0 = [:] }
        #expect(store.session(id: browser.id, now: start) == nil)
        #expect(store.count == 0)
    }

    @Test func theTableIsBounded() throws {
        let store = ConsoleSessionStore(
            adminToken: "admin-token", lookup: nil, limits: ConsoleSessionLimits(maximumSessions: 3))
        let first = try #require(store.signIn(token: "admin-token", now: start))
        for second in 1...5 { _ = store.signIn(token: "admin-token", now: start.addingTimeInterval(Double(second))) }
        #expect(store.count == 3)
        #expect(store.session(id: first.id, now: start.addingTimeInterval(6)) == nil, "the least recently seen goes first")
    }

    @Test func oneLabTokenCannotPushOthersOut() throws {
        let labs = FakeSessionTokens()
        labs.tokens.withLock { $0["lab-token"] = "lab-1" }
        let store = ConsoleSessionStore(
            adminToken: "admin-token", lookup: labs, limits: ConsoleSessionLimits(maximumSessions: 4, perLabSession: 2))
        let admin = try #require(store.signIn(token: "admin-token", now: start))
        var lab: [ConsoleSession] = []
        for second in 1...20 { lab.append(try #require(store.signIn(token: "lab-token", now: start.addingTimeInterval(Double(second))))) }
        #expect(store.count == 3, "the admin and the lab token's two newest browsers")
        #expect(store.session(id: admin.id, now: start.addingTimeInterval(21)) != nil)
        #expect(store.session(id: lab[19].id, now: start.addingTimeInterval(21)) != nil)
        #expect(store.session(id: lab[0].id, now: start.addingTimeInterval(21)) == nil)
    }

    @Test func aHeartbeatDoesNotKeepAnIdleBrowserSignedIn() throws {
        let store = ConsoleSessionStore(adminToken: "admin-token", lookup: nil, limits: ConsoleSessionLimits(idle: .seconds(60)))
        let session = try #require(store.signIn(token: "admin-token", now: start))
        #expect(store.isLive(id: session.id, now: start.addingTimeInterval(50)))
        #expect(store.isLive(id: session.id, now: start.addingTimeInterval(59)))
        #expect(!store.isLive(id: session.id, now: start.addingTimeInterval(61)), "isLive must not count as activity")
        #expect(!store.isLive(id: "unknown", now: start))
    }

    @Test func csrfTokensAreComparedExactly() throws {
        let store = ConsoleSessionStore(adminToken: "admin-token", lookup: nil)
        let session = try #require(store.signIn(token: "admin-token", now: start))
        #expect(ConsoleSessionStore.csrfMatches(session.csrfToken, session))
        #expect(!ConsoleSessionStore.csrfMatches(nil, session))
        #expect(!ConsoleSessionStore.csrfMatches(String(session.csrfToken.dropLast()) + "x", session))
    }
}

@Suite struct LiveEventEncodingTests {
    @Test func everyLineIsADataLine() {
        let text = ConsoleLiveHub.encode(.init(topic: "pool", html: "<div id=\"live-pool\">\n<p>a</p>\n</div>"))
        #expect(text == "event: pool\ndata: <div id=\"live-pool\">\ndata: <p>a</p>\ndata: </div>\n\n")
    }

    @Test func aCarriageReturnCannotStartAField() {
        let text = ConsoleLiveHub.encode(.init(topic: "t", html: "a\revent: resync\r\nb"))
        #expect(text == "event: t\ndata: a\ndata: event: resync\ndata: b\n\n")
    }

    @Test func topicsSplitIntoNameAndArgument() {
        #expect(ConsoleLiveHub.baseName("session:lab-1") == "session")
        #expect(ConsoleLiveHub.argument("session:lab-1") == "lab-1")
        #expect(ConsoleLiveHub.argument("pool") == nil)
    }
}
