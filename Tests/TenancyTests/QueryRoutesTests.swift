import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Tenancy

@Suite struct QueryRoutesTests {
    typealias H = TenancyHarness

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? text
    }

    @Test func queryListLinksEveryTypeAndFormat() async throws {
        try await H.application().test(.router) { client in
            let ann = try await H.login(client, "ann@acme:ann-pass")
            let list = try await H.send(client, .get, "/api/query", ann)
            #expect(list.status == .ok)
            #expect(
                list.body.contains(
                    "<Link rel=\"down\" href=\"\(H.base)/api/query?type=adminRole&amp;format=records\" name=\"adminRole\" type=\"application/vnd.vmware.vcloud.query.records+xml\"/>"
                ))
            for type in ["role", "user", "adminUser", "organization", "orgVdc", "adminOrgVdc"] {
                #expect(list.body.contains("name=\"\(type)\""), "\(type)")
            }
            #expect(try await H.send(client, .get, "/api/query?type=nothing", ann).status == .badRequest)
            #expect(try await H.send(client, .get, "/api/query?type=role&format=csv", ann).status == .badRequest)
            #expect(try await H.send(client, .get, "/api/query", [:]).status == .unauthorized)
        }
    }

    /// pyvcloud's `Org.get_role_record` as the System administrator, both filter encodings.
    @Test func adminRoleByOrganisationAndNameInBothEncodings() async throws {
        try await H.application().test(.router) { client in
            let orgHref = "\(H.base)/api/org/\(InMemoryTenants.acme.id)"
            // API 36: one encoding, special characters escaped by pyvcloud.
            let v36 = "org==\(Self.encoded(orgHref));name==vApp%20User"
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let modern = try await H.send(client, .get, "/api/query?type=adminRole&format=records&page=1&filter=\(v36)", admin)
            #expect(modern.status == .ok)
            #expect(modern.body.contains("total=\"1\""))
            #expect(modern.body.contains("<AdminRoleRecord name=\"vApp User\" href=\"\(H.roleHref(.vAppUser))\""))
            // API 33: the whole filter encoded again, values decoded once more with filterEncoded=true.
            let old = try await H.login(client, "administrator@System:admin-pass", accept: H.xml33)
            let v33 = Self.encoded("org==\(Self.encoded(orgHref));name==vApp User")
                .replacingOccurrences(of: "=", with: "%3D").replacingOccurrences(of: ";", with: "%3B")
            let legacy = try await H.send(
                client, .get, "/api/query?type=adminRole&format=records&page=1&filterEncoded=true&filter=\(v33)", old)
            #expect(legacy.status == .ok)
            #expect(legacy.body.contains("total=\"1\""))
            #expect(legacy.body.contains("name=\"vApp User\""))
            // The provider organisation has the System Administrator only.
            let system = try await H.send(
                client, .get,
                "/api/query?type=adminRole&format=records&filter=org==\(Self.encoded("\(H.base)/api/org/\(InMemoryTenants.system.id)"))",
                admin)
            #expect(system.body.contains("total=\"1\""))
            #expect(system.body.contains("name=\"System Administrator\""))
        }
    }

    @Test func tenantsGetTheirOwnRecordsAndNoAdminTypes() async throws {
        try await H.application(.twoTenants).test(.router) { client in
            let ivan = try await H.login(client, "ivan@initech:ivan-pass")
            #expect(try await H.send(client, .get, "/api/query?type=adminUser&format=records", ivan).status == .forbidden)
            let users = try await H.send(client, .get, "/api/query?type=user&format=records", ivan)
            #expect(users.body.contains("total=\"1\""))
            #expect(users.body.contains("<UserRecord name=\"ivan\""))
            let roles = try await H.send(client, .get, "/api/query?type=role&format=records", ivan)
            #expect(roles.body.contains("total=\"2\""))
            #expect(!roles.body.contains("System Administrator"))
            let vdcs = try await H.send(client, .get, "/api/query?type=orgVdc&format=records", ivan)
            #expect(vdcs.body.contains("total=\"0\""))
            let ann = try await H.login(client, "ann@acme:ann-pass")
            let own = try await H.send(client, .get, "/api/query?type=orgVdc&format=records", ann)
            #expect(own.body.contains("<OrgVdcRecord name=\"acme-vdc\" href=\"\(H.base)/api/vdc/\(InMemoryTenants.acmeVDC.id)\""))
            let orgs = try await H.send(client, .get, "/api/query?type=organization&format=references", ann)
            #expect(orgs.body.contains("<References"))
            #expect(orgs.body.contains("<OrgReference href=\"\(H.base)/api/org/\(InMemoryTenants.acme.id)\""))
            #expect(!orgs.body.contains("initech"))
        }
    }

    @Test func pagesLinkToEachOtherAndPageSizeIsBounded() async throws {
        try await H.application().test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let first = try await H.send(client, .get, "/api/query?type=adminUser&format=idrecords&pageSize=2&sortDesc=name", admin)
            #expect(first.body.contains("total=\"5\""))
            #expect(first.body.contains("rel=\"nextPage\""))
            #expect(!first.body.contains("rel=\"previousPage\""))
            #expect(first.body.contains("<AdminUserRecord name=\"olga\" id=\"urn:vcloud:user:"))
            let second = try await H.send(client, .get, "/api/query?type=adminUser&format=records&pageSize=2&page=3", admin)
            #expect(second.body.contains("rel=\"previousPage\""))
            #expect(!second.body.contains("rel=\"nextPage\""))
            #expect(second.body.contains("name=\"olga\""))
            let huge = try await H.send(client, .get, "/api/query?type=adminUser&pageSize=100000", admin)
            #expect(huge.body.contains("pageSize=\"128\""))
            for bad in ["page=0", "pageSize=-1", "page=x", "filter=name", "filter=name==a;(", "filter=name=~a"] {
                #expect(try await H.send(client, .get, "/api/query?type=adminUser&\(bad)", admin).status == .badRequest, "\(bad)")
            }
            let wildcard = try await H.send(client, .get, "/api/query?type=adminUser&format=records&filter=name==*o*,name==ann", admin)
            #expect(wildcard.body.contains("total=\"4\""))
        }
    }
}

@Suite struct QueryFilterTests {
    func matches(_ filter: String, _ record: [String: String], encoded: Bool = false) throws -> Bool {
        try QueryFilter(parsing: filter, valuesEncoded: encoded).matches { record[$0] }
    }

    @Test func andBindsTighterThanOr() throws {
        #expect(try matches("a==1;b==2,c==3", ["a": "1", "b": "9", "c": "3"]))
        #expect(try !matches("a==1;(b==2,c==3)", ["a": "1", "b": "9", "c": "9"]))
        #expect(try matches("a!=1", ["a": "2"]))
        #expect(try matches("n=gt=9", ["n": "10"]))
    }

    @Test func wildcardsEscapesAndCase() throws {
        #expect(try matches("name==Web*", ["name": "web-01"]))
        #expect(try matches("name==*-0?", ["name": "x-0?"]))
        #expect(try !matches("name==a*b*c", ["name": "abx"]))
        #expect(try matches(#"name==a\;b"#, ["name": "a;b"]))
        #expect(try matches("name==a%20b", ["name": "a b"], encoded: true))
        #expect(try matches("org==https://other.host/api/org/1", ["org": "https://vcd.test/api/org/1"]))
    }

    @Test func hostileFiltersAreRefused() {
        for filter in [
            "", "==x", "a", "a==1;", "((((((((((a==1))))))))))", String(repeating: "a==1,", count: 70) + "a==1",
            String(repeating: "x", count: 5000), "a==%zz",
        ] {
            #expect(throws: QueryFilter.Malformed.self, "\(filter.prefix(30))") {
                try QueryFilter(parsing: filter, valuesEncoded: true)
            }
        }
    }
}
