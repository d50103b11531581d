import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import Testing

@testable import Tenancy

/// ssvirt's `/cloudapi/1.0.0/sessions/{id}`: the caller's own session by its id, nobody else's.
@Suite struct SessionByIDTests {
    @Test func ownSessionByIDAndLogoutByID() async throws {
        try await LegacyRoutesTests.application().test(.router) { client in
            let token = try #require(try await LegacyRoutesTests.login(client, "ann@acme:ann-pass"))
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .accept: "application/json;version=36.0"]
            let current = try await client.execute(uri: "/cloudapi/1.0.0/sessions/current", method: .get, headers: headers)
            let id = try #require(try JSONValue(parsing: String(buffer: current.body))["id"]?.stringValue)
            #expect(id.hasPrefix("urn:vcloud:session:"))

            let byID = try await client.execute(uri: "/cloudapi/1.0.0/sessions/\(id)", method: .get, headers: headers)
            #expect(byID.status == .ok)
            #expect(try JSONValue(parsing: String(buffer: byID.body))["user"]?["name"]?.stringValue == "ann")

            // Another id, real-looking or not, is absent: sessions cannot be probed.
            for other in ["urn:vcloud:session:00000000-0000-4000-8000-000000000000", "current-ish", String(repeating: "x", count: 5000)] {
                let response = try await client.execute(uri: "/cloudapi/1.0.0/sessions/\(other)", method: .delete, headers: headers)
                #expect(response.status == .notFound)
            }
            #expect(try await client.execute(uri: "/cloudapi/1.0.0/orgs", method: .get, headers: headers).status == .ok)

            let logout = try await client.execute(uri: "/cloudapi/1.0.0/sessions/\(id)", method: .delete, headers: headers)
            #expect(logout.status == .noContent)
            #expect(try await client.execute(uri: "/cloudapi/1.0.0/orgs", method: .get, headers: headers).status == .unauthorized)
        }
    }
}
