import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import PlatformHTTP
import Testing

/// The authentication middleware and the per-route access, through a router: who gets 401,
/// 403 and 404, and who passes.
@Suite struct AuthenticationTests {
    typealias T = TestPlatform

    @Test func noTokenIs401() async throws {
        try await T.application().test(.router) { client in
            let response = try await client.execute(uri: "/admin", method: .post)
            #expect(response.status == .unauthorized)
            let error = try #require(T.error(response))
            #expect(error.code == "Unauthorized")
            #expect(error.message == "a bearer token is required (the admin token)")
            // A route a session may use says that the session's own token works too.
            let sessions = try await client.execute(uri: "/sessions/session-alice", method: .get)
            #expect(sessions.status == .unauthorized)
            #expect(try #require(T.error(sessions)).message.contains("the session's own token"))
        }
    }

    @Test(arguments: ["Bearer not-a-token", "Bearer admin-0123456788", "Bearer admin-0123456789x"])
    func aTokenNobodyHoldsIs401(authorization: String) async throws {
        try await T.application().test(.router) { client in
            for (uri, method) in [("/admin", HTTPRequest.Method.post), ("/sessions", .get), ("/sessions/session-alice", .get)] {
                let response = try await client.execute(uri: uri, method: method, headers: [.authorization: authorization])
                #expect(response.status == .unauthorized, "\(uri)")
                #expect(try #require(T.error(response)).message.contains("not valid"), "\(uri)")
            }
        }
    }

    @Test func anAuthorizationThatIsNotABearerTokenIsNoToken() async throws {
        try await T.application().test(.router) { client in
            for value in ["Basic YWRtaW46c2VjcmV0", "Bearer ", "Bearer", T.adminToken] {
                let response = try await client.execute(uri: "/admin", method: .post, headers: [.authorization: value])
                #expect(response.status == .unauthorized, "\(value)")
                #expect(try #require(T.error(response)).message.contains("is required"), "\(value)")
            }
        }
    }

    @Test func aSessionTokenOnAnAdminRouteIs403() async throws {
        try await T.application().test(.router) { client in
            let response = try await client.execute(uri: "/admin", method: .post, headers: T.bearer("token-alice"))
            #expect(response.status == .forbidden)
            let error = try #require(T.error(response))
            #expect(error.code == "Forbidden" && error.message == "this call needs the admin token")
        }
    }

    @Test func theAdminTokenPassesEverywhere() async throws {
        try await T.application().test(.router) { client in
            for (uri, method) in [
                ("/admin", HTTPRequest.Method.post), ("/sessions", .get), ("/sessions/session-bob", .get),
                ("/open", .get),
            ] {
                let response = try await client.execute(uri: uri, method: method, headers: T.bearer(T.adminToken))
                #expect(response.status == .ok, "\(uri)")
                #expect(T.json(response)?["caller"] == "admin", "\(uri)")
            }
            // The scheme is matched case-insensitively.
            let lower = try await client.execute(uri: "/admin", method: .post, headers: [.authorization: "bearer \(T.adminToken)"])
            #expect(lower.status == .ok)
        }
    }

    @Test func aSessionTokenReadsItsOwnSessionOnly() async throws {
        try await T.application().test(.router) { client in
            let own = try await client.execute(uri: "/sessions/session-alice", method: .get, headers: T.bearer("token-alice"))
            #expect(own.status == .ok && T.json(own)?["caller"] == "session session-alice")
            let list = try await client.execute(uri: "/sessions", method: .get, headers: T.bearer("token-alice"))
            #expect(list.status == .ok && T.json(list)?["caller"] == "session session-alice")
            // Another session's id: the same 404 as a session that does not exist.
            let other = try await client.execute(uri: "/sessions/session-bob", method: .get, headers: T.bearer("token-alice"))
            #expect(other.status == .notFound)
            #expect(try #require(T.error(other)).message == "session session-bob not found")
            #expect(PlatformError.sessionNotFound("session-bob").message == T.error(other)?.message)
        }
    }

    @Test func anonymousReadsPassWithAnyOrNoToken() async throws {
        try await T.application().test(.router) { client in
            let none = try await client.execute(uri: "/open", method: .get)
            #expect(none.status == .ok && T.json(none)?["caller"] == "anonymous")
            let unknown = try await client.execute(uri: "/open", method: .get, headers: T.bearer("nobody's"))
            #expect(unknown.status == .ok && T.json(unknown)?["caller"] == "unknown token")
            let session = try await client.execute(uri: "/open", method: .get, headers: T.bearer("token-bob"))
            #expect(session.status == .ok && T.json(session)?["caller"] == "session session-bob")
        }
    }

    @Test func withoutAnAdminTokenEveryCallerIsTheAdmin() async throws {
        try await T.application(adminToken: nil).test(.router) { client in
            let response = try await client.execute(uri: "/admin", method: .post)
            #expect(response.status == .ok && T.json(response)?["caller"] == "admin")
        }
    }

    /// The decision table itself, without HTTP.
    @Test func accessDecidesInOnePlace() {
        func outcome(_ caller: Caller, _ access: Access) -> String {
            do {
                return T.describe(try access.authorize(caller))
            } catch {
                return "\(error.status.code)"
            }
        }
        let alice = Caller.session("session-alice")
        #expect(outcome(.anonymous(.noToken), .anonymous) == "anonymous")
        #expect(outcome(.anonymous(.unknownToken), .anonymous) == "unknown token")
        #expect(outcome(.anonymous(.noToken), .admin) == "401")
        #expect(outcome(.anonymous(.unknownToken), .adminOrAnySession) == "401")
        #expect(outcome(.anonymous(.noToken), .adminOrSession("session-alice")) == "401")
        #expect(outcome(alice, .admin) == "403")
        #expect(outcome(alice, .adminOrAnySession) == "session session-alice")
        #expect(outcome(alice, .adminOrSession("session-alice")) == "session session-alice")
        #expect(outcome(alice, .adminOrSession("session-bob")) == "404")
        #expect(outcome(.admin, .adminOrSession("session-bob")) == "admin")
    }

    /// The middleware alone: who a header value belongs to.
    @Test func theMiddlewareResolvesCallers() {
        let middleware = AuthenticationMiddleware<PlatformRequestContext>(adminToken: T.adminToken, sessions: T.Sessions())
        #expect(middleware.caller(authorization: nil) == .anonymous(.noToken))
        #expect(middleware.caller(authorization: "Bearer \(T.adminToken)") == .admin)
        #expect(middleware.caller(authorization: "Bearer token-bob") == .session("session-bob"))
        #expect(middleware.caller(authorization: "Bearer token-carol") == .anonymous(.unknownToken))
        let noLab = AuthenticationMiddleware<PlatformRequestContext>(adminToken: T.adminToken, sessions: nil)
        #expect(noLab.caller(authorization: "Bearer token-bob") == .anonymous(.unknownToken))
    }

    /// Between leader terms the session tokens cannot be read: a token that is not the admin's
    /// is "not known yet" (503, retry), never "nobody's" (401, which clients take as ended).
    @Test func aTokenThatCannotBeCheckedYetIsUnavailableNotUnknown() throws {
        struct Starting: SessionTokenLookup {
            func session(forToken token: String) -> String? { nil }
            var canVerify: Bool { false }
        }
        let middleware = AuthenticationMiddleware<PlatformRequestContext>(adminToken: T.adminToken, sessions: Starting())
        #expect(middleware.caller(authorization: "Bearer token-bob") == .anonymous(.unverifiable))
        #expect(middleware.caller(authorization: "Bearer \(T.adminToken)") == .admin)
        #expect(middleware.caller(authorization: nil) == .anonymous(.noToken))
        #expect(T.Sessions().canVerify)
        let refusal = #expect(throws: PlatformError.self) {
            try Access.adminOrSession("session-bob").authorize(.anonymous(.unverifiable))
        }
        #expect(refusal?.status == .serviceUnavailable)
        #expect(refusal?.headers[.retryAfter] == "1")
        // A route open to anyone still answers.
        #expect(throws: Never.self) { try Access.anonymous.authorize(.anonymous(.unverifiable)) }
    }
}
