import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Tenancy

@Suite struct AdminRoutesTests {
    typealias H = TenancyHarness
    static let xmlBody = "application/vnd.vmware.admin.organization+xml"

    @Test func systemAdministratorCreatesAnOrganisationThatIsThenListed() async throws {
        try await H.application().test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let created = try await H.send(client, .post, "/api/admin/orgs", admin, body: H.adminOrgXML("Wayne", fullName: "Wayne Ent."))
            #expect(created.status == .created)
            #expect(created.body.contains("<AdminOrg xmlns=\"http://www.vmware.com/vcloud/v1.5\" name=\"Wayne\""))
            #expect(created.body.contains("<FullName>Wayne Ent.</FullName>"))
            #expect(created.body.contains("<IsEnabled>true</IsEnabled>"))
            #expect(created.body.contains("rel=\"add\" type=\"application/vnd.vmware.admin.user+xml\""))
            let list = try await H.send(client, .get, "/api/org", admin)
            #expect(list.body.contains("name=\"Wayne\""))
        }
    }

    @Test func duplicateBadAndMalformedOrganisationsAre400AndCreateNothing() async throws {
        let tenants = InMemoryTenants.standard
        try await H.application(tenants).test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let duplicate = try await H.send(client, .post, "/api/admin/orgs", admin, body: H.adminOrgXML("ACME"))
            #expect(duplicate.status == .badRequest)
            #expect(duplicate.body.contains("minorErrorCode=\"DUPLICATE_NAME\""))
            for body in [
                H.adminOrgXML("bad name!"), H.adminOrgXML(String(repeating: "a", count: 64)), "<AdminOrg name=\"x\"><FullName>",
                "not xml at all", "<User name=\"x\"/>", "<AdminOrg name=\"nofull\"/>",
                "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><AdminOrg name=\"ent\"><FullName>&a;</FullName></AdminOrg>",
                H.adminOrgXML("good").replacingOccurrences(of: "<vcloud:IsEnabled>true", with: "<vcloud:IsEnabled>maybe"), "",
            ] {
                let response = try await H.send(client, .post, "/api/admin/orgs", admin, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.body.contains("<Error") && response.body.contains("message=\""), "\(body)")
            }
            #expect(try await tenants.organizations().count == 3)
        }
    }

    @Test func onlyTheSystemAdministratorCreatesOrganisations() async throws {
        try await H.application().test(.router) { client in
            for identity in ["ann@acme:ann-pass", "olga@acme:olga-pass"] {
                let headers = try await H.login(client, identity)
                let legacy = try await H.send(client, .post, "/api/admin/orgs", headers, body: H.adminOrgXML("evil"))
                #expect(legacy.status == .forbidden, "\(identity)")
                let json = try await H.send(
                    client, .post, "/cloudapi/1.0.0/orgs", headers, body: #"{"name":"evil","displayName":"Evil"}"#,
                    contentType: "application/json")
                #expect(json.status == .forbidden, "\(identity)")
                #expect(json.body.contains("\"minorErrorCode\":\"ACCESS_TO_RESOURCE_IS_FORBIDDEN\""))
                let delete = try await H.send(client, .delete, "/api/admin/org/\(InMemoryTenants.acme.id)", headers)
                #expect(delete.status == .forbidden, "\(identity)")
            }
        }
    }

    @Test func organisationAdministratorManagesTheUsersOfTheirOwnOrganisationOnly() async throws {
        let tenants = InMemoryTenants.twoTenants
        try await H.application(tenants).test(.router) { client in
            let olga = try await H.login(client, "olga@acme:olga-pass")
            let created = try await H.send(
                client, .post, "/api/admin/org/\(InMemoryTenants.acme.id)/users", olga,
                body: H.userXML("carol", password: "carol-pass", roleHref: H.roleHref(.vAppUser)))
            #expect(created.status == .created)
            #expect(created.body.contains("name=\"carol\""))
            #expect(created.body.contains("<Role href=\"\(H.roleHref(.vAppUser))\" name=\"vApp User\""))
            #expect(!created.body.contains("carol-pass"))
            _ = try await H.login(client, "carol@acme:carol-pass")
            let foreign = try await H.send(
                client, .post, "/api/admin/org/\(InMemoryTenants.initech.id)/users", olga,
                body: H.userXML("mallory", password: "mallory-pass", roleHref: H.roleHref(.vAppUser)))
            #expect(foreign.status == .forbidden)
            let ivan = try await H.login(client, "ivan@initech:ivan-pass")
            let carolID = try #require(H.attribute("id", in: created.body)?.replacingOccurrences(of: "urn:vcloud:user:", with: ""))
            #expect(try await H.send(client, .get, "/api/admin/user/\(carolID)", ivan).status == .notFound)
            #expect(try await H.send(client, .delete, "/api/admin/user/\(carolID)", ivan).status == .notFound)
            let ann = try await H.login(client, "ann@acme:ann-pass")
            let byUser = try await H.send(
                client, .post, "/api/admin/org/\(InMemoryTenants.acme.id)/users", ann,
                body: H.userXML("dave", password: "dave-pass", roleHref: H.roleHref(.vAppUser)))
            #expect(byUser.status == .forbidden)
            #expect(try await tenants.users(organizationID: InMemoryTenants.initech.id).map(\.name) == ["ivan"])
        }
    }

    @Test func userRulesAreChecked() async throws {
        try await H.application().test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let path = "/api/admin/org/\(InMemoryTenants.acme.id)/users"
            let cases: [(String, HTTPResponse.Status)] = [
                (H.userXML("x1", password: "short", roleHref: H.roleHref(.vAppUser)), .badRequest),
                (H.userXML("x2", password: String(repeating: "p", count: 300), roleHref: H.roleHref(.vAppUser)), .badRequest),
                (H.userXML("x3", password: "long-enough", roleHref: H.roleHref(.systemAdministrator)), .badRequest),
                (H.userXML("x4", password: "long-enough", roleHref: H.base + "/api/admin/role/nope"), .badRequest),
                (H.userXML("bad name", password: "long-enough", roleHref: H.roleHref(.vAppUser)), .badRequest),
                (H.userXML("ANN", password: "long-enough", roleHref: H.roleHref(.vAppUser)), .badRequest),
                ("<User name=\"nopass\"/>", .badRequest),
            ]
            for (body, status) in cases {
                let response = try await H.send(client, .post, path, admin, body: body)
                #expect(response.status == status, "\(body.prefix(80))")
            }
        }
    }

    @Test func disablingAUserEndsTheirSessionsAtOnce() async throws {
        try await H.application().test(.router) { client in
            let ann = try await H.login(client, "ann@acme:ann-pass")
            #expect(try await H.send(client, .get, "/api/org", ann).status == .ok)
            let olga = try await H.login(client, "olga@acme:olga-pass")
            let annID = "00000000-0000-4000-8000-00000000000b"
            let disabled = try await H.send(
                client, .put, "/api/admin/user/\(annID)", olga,
                body: "<User xmlns=\"http://www.vmware.com/vcloud/v1.5\" name=\"ann\"><IsEnabled>false</IsEnabled></User>")
            #expect(disabled.status == .ok)
            #expect(disabled.body.contains("<IsEnabled>false</IsEnabled>"))
            #expect(try await H.send(client, .get, "/api/org", ann).status == .unauthorized)
            await #expect(throws: TenancyHarness.LoginFailed.self) { try await H.login(client, "ann@acme:ann-pass") }
        }
    }

    @Test func disablingAnOrganisationEndsItsSessionsAndSystemCannotBeDisabled() async throws {
        try await H.application().test(.router) { client in
            let ann = try await H.login(client, "ann@acme:ann-pass")
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let body = "<AdminOrg xmlns=\"http://www.vmware.com/vcloud/v1.5\" name=\"acme\"><IsEnabled>false</IsEnabled></AdminOrg>"
            let disabled = try await H.send(client, .put, "/api/admin/org/\(InMemoryTenants.acme.id)", admin, body: body)
            #expect(disabled.status == .ok)
            #expect(try await H.send(client, .get, "/api/org", ann).status == .unauthorized)
            let system = try await H.send(
                client, .put, "/api/admin/org/\(InMemoryTenants.system.id)", admin,
                body: body.replacingOccurrences(of: "acme", with: "System"))
            #expect(system.status == .badRequest)
            #expect(try await H.send(client, .get, "/api/org", admin).status == .ok)
        }
    }

    @Test func deletingAnOrganisationWithContentsNeedsForce() async throws {
        let tenants = InMemoryTenants.standard
        try await H.application(tenants).test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let refused = try await H.send(client, .delete, "/api/admin/org/\(InMemoryTenants.acme.id)", admin)
            #expect(refused.status == .conflict)
            #expect(try await tenants.organization(id: InMemoryTenants.acme.id) != nil)
            let forced = try await H.send(client, .delete, "/api/admin/org/\(InMemoryTenants.acme.id)?force=true&recursive=true", admin)
            #expect(forced.status == .noContent)
            #expect(try await tenants.organization(id: InMemoryTenants.acme.id) == nil)
            #expect(try await H.send(client, .delete, "/api/admin/org/\(InMemoryTenants.system.id)?force=true", admin).status == .forbidden)
        }
    }

    @Test func adminDocumentAndSessionLinks() async throws {
        try await H.application().test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let document = try await H.send(client, .get, "/api/admin", admin)
            #expect(document.status == .ok)
            #expect(
                document.body.contains(
                    "rel=\"add\" type=\"application/vnd.vmware.admin.organization+xml\" href=\"\(H.base)/api/admin/orgs\""))
            #expect(document.body.contains("<RoleReference href=\"\(H.roleHref(.vAppUser))\" name=\"vApp User\""))
            #expect(document.body.contains("<OrganizationReference href=\"\(H.base)/api/org/\(InMemoryTenants.acme.id)\" name=\"acme\""))
            let session = try await H.send(client, .get, "/api/session", admin)
            #expect(session.body.contains("type=\"application/vnd.vmware.admin.vcloud+xml\" href=\"\(H.base)/api/admin\""))
            #expect(session.body.contains("type=\"application/vnd.vmware.vcloud.query.queryList+xml\" href=\"\(H.base)/api/query\""))
            let ann = try await H.login(client, "ann@acme:ann-pass")
            #expect(try await H.send(client, .get, "/api/admin", ann).status == .forbidden)
            #expect(!(try await H.send(client, .get, "/api/session", ann).body.contains("/api/admin\"")))
            let role = try await H.send(client, .get, "/api/admin/role/\(InMemoryTenants.roleRecords[2].id)", ann)
            #expect(role.status == .ok)
            #expect(role.body.contains("<Role xmlns=\"http://www.vmware.com/vcloud/v1.5\" name=\"vApp User\""))
        }
    }
}
