import Foundation
import HTTPTypes
import HummingbirdTesting
import KubeModel
import Testing

@testable import Tenancy

@Suite struct CloudAPIAdminRoutesTests {
    typealias H = TenancyHarness
    static let json = "application/json"

    @Test func organisationsAreCreatedChangedAndDeletedInJSON() async throws {
        let tenants = InMemoryTenants.standard
        try await H.application(tenants).test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass", accept: H.json36)
            let created = try await H.send(
                client, .post, "/cloudapi/1.0.0/orgs", admin, body: #"{"name":"Umbrella","displayName":"Umbrella Corp","isEnabled":true}"#,
                contentType: Self.json)
            #expect(created.status == .created)
            let value = try JSONValue(parsing: created.body)
            #expect(value["displayName"]?.stringValue == "Umbrella Corp")
            let urn = try #require(value["id"]?.stringValue)
            #expect(urn.hasPrefix("urn:vcloud:org:"))
            let changed = try await H.send(
                client, .put, "/cloudapi/1.0.0/orgs/\(urn)", admin, body: #"{"displayName":"Umbrella","isEnabled":false}"#,
                contentType: Self.json)
            #expect(changed.status == .ok)
            #expect(try JSONValue(parsing: changed.body)["isEnabled"]?.boolValue == false)
            let renamed = try await H.send(client, .put, "/cloudapi/1.0.0/orgs/\(urn)", admin, body: #"{"name":"Other"}"#)
            #expect(renamed.status == .badRequest)
            #expect(try await H.send(client, .delete, "/cloudapi/1.0.0/orgs/\(urn)", admin).status == .noContent)
            #expect(try await tenants.organizations().count == 3)
        }
    }

    @Test func malformedJSONIs400InJSONAndCreatesNothing() async throws {
        let tenants = InMemoryTenants.standard
        try await H.application(tenants).test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass", accept: H.json36)
            for body in ["{", "[]", "\"x\"", #"{"name":42}"#, #"{"displayName":"no name"}"#, #"{"name":"x","isEnabled":"yes"}"#, ""] {
                let response = try await H.send(client, .post, "/cloudapi/1.0.0/orgs", admin, body: body, contentType: Self.json)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.body.contains("\"minorErrorCode\":\"BAD_REQUEST\""), "\(body)")
            }
            #expect(try await tenants.organizations().count == 3)
        }
    }

    @Test func usersInSSVirtsAndCloudDirectorsShapes() async throws {
        try await H.application(.twoTenants).test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass", accept: H.json36)
            let vcdShape = """
                {"username":"erin","password":"erin-pass-1","fullName":"Erin","email":"erin@example.com",
                 "orgEntityRef":{"id":"urn:vcloud:org:\(InMemoryTenants.acme.id)"},
                 "roleEntityRefs":[{"name":"Organization Administrator"}]}
                """
            let created = try await H.send(client, .post, "/cloudapi/1.0.0/users", admin, body: vcdShape, contentType: Self.json)
            #expect(created.status == .created)
            #expect(!created.body.contains("erin-pass-1"))
            let user = try JSONValue(parsing: created.body)
            #expect(user["orgEntityRef"]?["name"]?.stringValue == "acme")
            #expect(user["roleEntityRefs"]?.arrayValue?.first?["name"]?.stringValue == "Organization Administrator")
            let erin = try await H.login(client, "erin@acme:erin-pass-1", accept: H.json36)
            // ssvirt's shape, by the new org admin: the organisation defaults to the caller's.
            let ssvirtShape = #"{"username":"frank","password":"frank-pass","fullName":"Frank","email":"f@example.com","enabled":true}"#
            let frank = try await H.send(client, .post, "/cloudapi/1.0.0/users", erin, body: ssvirtShape, contentType: Self.json)
            #expect(frank.status == .created)
            #expect(try JSONValue(parsing: frank.body)["roleEntityRefs"]?.arrayValue?.first?["name"]?.stringValue == "vApp User")
            let list = try await H.send(client, .get, "/cloudapi/1.0.0/users?pageSize=50", erin)
            let names = try JSONValue(parsing: list.body)["values"]?.arrayValue?.compactMap { $0["username"]?.stringValue } ?? []
            #expect(Set(names) == ["ann", "bob", "olga", "erin", "frank"])
            let intoInitech =
                #"{"username":"gina","password":"gina-pass","organizationId":"urn:vcloud:org:\#(InMemoryTenants.initech.id)"}"#
            #expect(try await H.send(client, .post, "/cloudapi/1.0.0/users", erin, body: intoInitech).status == .forbidden)
            let frankURN = try #require(try JSONValue(parsing: frank.body)["id"]?.stringValue)
            let disabled = try await H.send(client, .put, "/cloudapi/1.0.0/users/\(frankURN)", erin, body: #"{"enabled":false}"#)
            #expect(disabled.status == .ok)
            #expect(try JSONValue(parsing: disabled.body)["enabled"]?.boolValue == false)
            let ivan = try await H.login(client, "ivan@initech:ivan-pass", accept: H.json36)
            #expect(try await H.send(client, .get, "/cloudapi/1.0.0/users/\(frankURN)", ivan).status == .notFound)
            #expect(try await H.send(client, .delete, "/cloudapi/1.0.0/users/\(frankURN)", erin).status == .noContent)
            #expect(try await H.send(client, .get, "/cloudapi/1.0.0/users/\(frankURN)", erin).status == .notFound)
        }
    }

    @Test func rolesArePaged() async throws {
        try await H.application().test(.router) { client in
            let ann = try await H.login(client, "ann@acme:ann-pass", accept: H.json36)
            let page = try JSONValue(parsing: try await H.send(client, .get, "/cloudapi/1.0.0/roles?pageSize=2", ann).body)
            #expect(page["resultTotal"]?.intValue == 3)
            #expect(page["pageCount"]?.intValue == 2)
            #expect(page["values"]?.arrayValue?.count == 2)
            let id = InMemoryTenants.roleRecords[1].id
            let one = try await H.send(client, .get, "/cloudapi/1.0.0/roles/urn:vcloud:role:\(id)", ann)
            #expect(try JSONValue(parsing: one.body)["name"]?.stringValue == "Organization Administrator")
            #expect(try await H.send(client, .get, "/cloudapi/1.0.0/roles/urn:vcloud:role:nope", ann).status == .badRequest)
        }
    }
}
