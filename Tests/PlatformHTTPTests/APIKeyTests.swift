import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import PlatformHTTP
import Testing

/// `X-API-Key`: the admin token without a scheme, as moxxie's clients send it.
@Suite struct APIKeyTests {
    typealias T = TestPlatform

    @Test func theAdminTokenAsAnAPIKeyIsTheAdmin() async throws {
        try await T.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/admin", method: .post, headers: [AuthenticationMiddleware<PlatformRequestContext>.apiKey: T.adminToken])
            #expect(response.status == .ok)
            #expect(T.json(response)?["caller"] == "admin")
        }
    }

    @Test(arguments: ["admin-012345678", "admin-0123456789x", "Bearer admin-0123456789", "nobody"])
    func anotherAPIKeyIs401(key: String) async throws {
        try await T.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/admin", method: .post, headers: [AuthenticationMiddleware<PlatformRequestContext>.apiKey: key])
            #expect(response.status == .unauthorized, "\(key)")
            #expect(try #require(T.error(response)).message.contains("not valid"), "\(key)")
        }
    }

    @Test func theBearerTokenWinsOverTheAPIKey() {
        let middleware = AuthenticationMiddleware<PlatformRequestContext>(adminToken: T.adminToken, sessions: T.Sessions())
        #expect(middleware.caller(authorization: nil, apiKey: T.adminToken) == .admin)
        #expect(middleware.caller(authorization: nil, apiKey: "") == .anonymous(.noToken))
        #expect(middleware.caller(authorization: "Bearer nobody", apiKey: T.adminToken) == .anonymous(.unknownToken))
        #expect(middleware.caller(authorization: "Basic YWRtaW4=", apiKey: T.adminToken) == .admin)
        #expect(middleware.caller(authorization: nil, apiKey: "token-bob") == .session("session-bob"))
    }
}
