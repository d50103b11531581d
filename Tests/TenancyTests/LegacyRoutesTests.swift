import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Tenancy

@Suite struct LegacyRoutesTests {
    static let base = "https://vcd.test:8443"

    static func application(sessions: SessionStore = SessionStore()) -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let router = VCDRouter.make(
            directory: InMemoryTenants.standard, sessions: sessions, address: PublicAddress(base), logger: logger)
        return Application(router: router)
    }

    static func basic(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }
    static let xml36 = "application/*+xml;version=36.0"
    static let json36 = "application/json;version=36.0"
    static let accessToken = HTTPField.Name("X-VMWARE-VCLOUD-ACCESS-TOKEN")!

    /// Logs in; returns the token.
    static func login(_ client: some TestClientProtocol, _ identity: String, provider: Bool = false) async throws -> String? {
        let response = try await client.execute(
            uri: provider ? "/cloudapi/1.0.0/sessions/provider" : "/cloudapi/1.0.0/sessions", method: .post,
            headers: [.authorization: basic(identity), .accept: json36])
        guard response.status == .ok else { return nil }
        return response.headers[accessToken]
    }

    @Test func versionsNeedNoLogin() async throws {
        try await Self.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/versions", method: .get)
            #expect(response.status == .ok)
            let body = String(buffer: response.body)
            #expect(body.contains("<Version>36.0</Version>"))
            #expect(body.contains("<LoginUrl>\(Self.base)/api/sessions</LoginUrl>"))
        }
    }

    @Test func providerLoginGivesATokenInBothHeaders() async throws {
        try await Self.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/cloudapi/1.0.0/sessions/provider", method: .post,
                headers: [.authorization: Self.basic("administrator@System:admin-pass"), .accept: Self.json36])
            #expect(response.status == .ok)
            let token = try #require(response.headers[Self.accessToken])
            #expect(token.count >= 40)
            #expect(response.headers[.authorization] == "Bearer \(token)")
            let body = String(buffer: response.body)
            #expect(body.contains("\"System Administrator\""))
            #expect(!body.contains("admin-pass"))
        }
    }

    @Test func sessionDocumentLinksTheOrganisationAbsolutely() async throws {
        try await Self.application().test(.router) { client in
            let token = try #require(try await Self.login(client, "ann@acme:ann-pass"))
            let response = try await client.execute(
                uri: "/api/session", method: .get, headers: [.authorization: "Bearer \(token)", .accept: Self.xml36])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/vnd.vmware.vcloud.session+xml;version=36.0")
            let body = String(buffer: response.body)
            #expect(body.contains("org=\"acme\""))
            #expect(body.contains("user=\"ann\""))
            #expect(body.contains("type=\"application/vnd.vmware.vcloud.orgList+xml\" href=\"\(Self.base)/api/org\""))
            #expect(body.contains("name=\"acme\" href=\"\(Self.base)/api/org/\(InMemoryTenants.acme.id)\""))
        }
    }

    @Test func wrongCredentialsAre401WithAnErrorDocument() async throws {
        try await Self.application().test(.router) { client in
            for identity in ["ann@acme:wrong", "nobody@acme:ann-pass", "ann@nowhere:ann-pass", "bob@acme:bob-pass", "gus@globex:gus-pass"] {
                let response = try await client.execute(
                    uri: "/cloudapi/1.0.0/sessions", method: .post,
                    headers: [.authorization: Self.basic(identity), .accept: Self.json36])
                #expect(response.status == .unauthorized, "\(identity)")
                #expect(response.headers[Self.accessToken] == nil)
                #expect(String(buffer: response.body).contains("\"minorErrorCode\":\"UNAUTHORIZED\""))
            }
        }
    }

    @Test func eachLoginDoorAdmitsItsOwnOrganisations() async throws {
        try await Self.application().test(.router) { client in
            let providerAtTenantDoor = try await Self.login(client, "administrator@System:admin-pass", provider: false)
            let tenantAtProviderDoor = try await Self.login(client, "ann@acme:ann-pass", provider: true)
            let tenantAtTenantDoor = try await Self.login(client, "ann@acme:ann-pass", provider: false)
            #expect(providerAtTenantDoor == nil)
            #expect(tenantAtProviderDoor == nil)
            #expect(tenantAtTenantDoor != nil)
        }
    }

    @Test func malformedBasicIs400AndMissingIs401() async throws {
        try await Self.application().test(.router) { client in
            let malformed = try await client.execute(
                uri: "/cloudapi/1.0.0/sessions", method: .post, headers: [.authorization: "Basic !!!", .accept: Self.json36])
            #expect(malformed.status == .badRequest)
            let noOrganisation = try await client.execute(
                uri: "/cloudapi/1.0.0/sessions", method: .post, headers: [.authorization: Self.basic("ann:ann-pass")])
            #expect(noOrganisation.status == .badRequest)
            let missing = try await client.execute(uri: "/cloudapi/1.0.0/sessions", method: .post)
            #expect(missing.status == .unauthorized)
        }
    }

    @Test func unsupportedVersionIs406WithErrorXML() async throws {
        try await Self.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/versions", method: .get, headers: [.accept: "application/*+xml;version=12.0"])
            #expect(response.status == .notAcceptable)
            #expect(response.headers[.contentType] == "application/vnd.vmware.vcloud.error+xml")
            #expect(String(buffer: response.body).contains("<Error xmlns=\"http://www.vmware.com/vcloud/v1.5\" majorErrorCode=\"406\""))
        }
    }

    @Test func logoutRevokesAtOnce() async throws {
        try await Self.application().test(.router) { client in
            let token = try #require(try await Self.login(client, "ann@acme:ann-pass"))
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .accept: Self.xml36]
            #expect(try await client.execute(uri: "/api/org", method: .get, headers: headers).status == .ok)
            #expect(try await client.execute(uri: "/api/session", method: .delete, headers: headers).status == .noContent)
            #expect(try await client.execute(uri: "/api/org", method: .get, headers: headers).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/session", method: .get, headers: headers).status == .unauthorized)
        }
    }

    @Test func forgedTokensAre401() async throws {
        try await Self.application().test(.router) { client in
            for headers: HTTPFields in [
                [.authorization: "Bearer forged"], [HTTPField.Name("x-vcloud-authorization")!: "forged"], [:],
            ] {
                let response = try await client.execute(uri: "/api/org", method: .get, headers: headers)
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("<Error"))
            }
        }
    }

    @Test func tenantsSeeTheirOwnOrganisationOnly() async throws {
        try await Self.application().test(.router) { client in
            let token = try #require(try await Self.login(client, "ann@acme:ann-pass"))
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .accept: Self.xml36]
            let list = String(buffer: try await client.execute(uri: "/api/org", method: .get, headers: headers).body)
            #expect(list.contains("name=\"acme\""))
            #expect(!list.contains("name=\"System\""))
            let own = try await client.execute(uri: "/api/org/\(InMemoryTenants.acme.id)", method: .get, headers: headers)
            #expect(own.status == .ok)
            #expect(String(buffer: own.body).contains("<FullName>Acme Inc.</FullName>"))
            let other = try await client.execute(uri: "/api/org/\(InMemoryTenants.system.id)", method: .get, headers: headers)
            #expect(other.status == .forbidden)
            let otherVDCs = try await client.execute(
                uri: "/api/org/\(InMemoryTenants.system.id)/vdcs/query", method: .get, headers: headers)
            #expect(otherVDCs.status == .forbidden)
        }
    }

    @Test func systemAdministratorSeesEveryOrganisation() async throws {
        try await Self.application().test(.router) { client in
            let token = try #require(try await Self.login(client, "administrator@System:admin-pass", provider: true))
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .accept: Self.xml36]
            let list = String(buffer: try await client.execute(uri: "/api/org", method: .get, headers: headers).body)
            for name in ["System", "acme", "globex"] { #expect(list.contains("name=\"\(name)\"")) }
            let missing = try await client.execute(
                uri: "/api/org/00000000-0000-4000-8000-00000000ffff", method: .get, headers: headers)
            #expect(missing.status == .notFound)
        }
    }

    @Test func unknownPathsAnswerInTheErrorShape() async throws {
        try await Self.application().test(.router) { client in
            let legacy = try await client.execute(uri: "/api/nothing", method: .get)
            #expect(legacy.status == .notFound)
            #expect(String(buffer: legacy.body).contains("<Error"))
            let cloud = try await client.execute(uri: "/cloudapi/1.0.0/nothing", method: .get)
            #expect(cloud.status == .notFound)
            #expect(String(buffer: cloud.body).contains("\"minorErrorCode\""))
        }
    }

    @Test func organisationLinksItsVDCQueryWhichListsItsVDCs() async throws {
        try await Self.application().test(.router) { client in
            let token = try #require(try await Self.login(client, "ann@acme:ann-pass"))
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .accept: Self.xml36]
            let org = String(
                buffer: try await client.execute(uri: "/api/org/\(InMemoryTenants.acme.id)", method: .get, headers: headers).body)
            let query = "\(Self.base)/api/org/\(InMemoryTenants.acme.id)/vdcs/query"
            #expect(org.contains("type=\"application/vnd.vmware.vcloud.query.records+xml\" href=\"\(query)\""))
            let records = try await client.execute(uri: "/api/org/\(InMemoryTenants.acme.id)/vdcs/query", method: .get, headers: headers)
            #expect(records.status == .ok)
            let body = String(buffer: records.body)
            #expect(body.contains("total=\"1\""))
            #expect(body.contains("<OrgVdcRecord name=\"acme-vdc\" href=\"\(Self.base)/api/vdc/00000000-0000-4000-8000-0000000000d1\""))
        }
    }

    @Test func cloudAPIListsVisibleOrganisationsPaged() async throws {
        try await Self.application().test(.router) { client in
            let admin = try #require(try await Self.login(client, "administrator@System:admin-pass", provider: true))
            let page = try await client.execute(
                uri: "/cloudapi/1.0.0/orgs?page_size=2&page=2", method: .get,
                headers: [.authorization: "Bearer \(admin)", .accept: Self.json36])
            #expect(page.status == .ok)
            let body = String(buffer: page.body)
            #expect(body.contains("\"resultTotal\":3"))
            #expect(body.contains("\"pageCount\":2"))
            #expect(body.contains("\"name\":\"globex\""))
            let ann = try #require(try await Self.login(client, "ann@acme:ann-pass"))
            let headers: HTTPFields = [.authorization: "Bearer \(ann)", .accept: Self.json36]
            let own = String(buffer: try await client.execute(uri: "/cloudapi/1.0.0/orgs", method: .get, headers: headers).body)
            #expect(own.contains("\"resultTotal\":1"))
            let other = try await client.execute(
                uri: "/cloudapi/1.0.0/orgs/urn:vcloud:org:\(InMemoryTenants.system.id)", method: .get, headers: headers)
            #expect(other.status == .forbidden)
            let malformed = try await client.execute(uri: "/cloudapi/1.0.0/orgs/not-a-urn", method: .get, headers: headers)
            #expect(malformed.status == .badRequest)
            let badPage = try await client.execute(uri: "/cloudapi/1.0.0/orgs?pageSize=0", method: .get, headers: headers)
            #expect(badPage.status == .badRequest)
        }
    }
}
