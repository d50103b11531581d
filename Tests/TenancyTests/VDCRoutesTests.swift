import Foundation
import HTTPTypes
import HummingbirdTesting
import KubeModel
import Testing

@testable import Tenancy

@Suite struct VDCRoutesTests {
    typealias H = TenancyHarness
    static let acmeURN = "urn:vcloud:org:\(InMemoryTenants.acme.id)"
    static let body = """
        {"name":"dev","description":"Development","allocationModel":"PayAsYouGo",
         "computeCapacity":{"cpu":{"allocated":2000,"limit":4000,"units":"MHz"},"memory":{"allocated":4096,"limit":8192,"units":"MB"}},
         "nicQuota":10,"networkQuota":5,"isEnabled":true}
        """

    @Test func systemAdministratorCreatesAVDCInSSVirtsShape() async throws {
        let tenants = InMemoryTenants.standard
        try await H.application(tenants).test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass", accept: H.json36)
            let created = try await H.send(client, .post, "/api/admin/org/\(Self.acmeURN)/vdcs", admin, body: Self.body)
            #expect(created.status == .created)
            let vdc = try JSONValue(parsing: created.body)
            #expect(vdc["computeCapacity"]?["cpu"]?["limit"]?.intValue == 4000)
            #expect(vdc["namespace"]?.stringValue == "vdc-acme-dev")
            #expect(vdc["allocationModel"]?.stringValue == "PayAsYouGo")
            let urn = try #require(vdc["id"]?.stringValue)
            let one = try await H.send(client, .get, "/api/admin/org/\(Self.acmeURN)/vdcs/\(urn)", admin)
            #expect(one.status == .ok)
            let list = try JSONValue(parsing: try await H.send(client, .get, "/api/admin/org/\(Self.acmeURN)/vdcs", admin).body)
            #expect(list["resultTotal"]?.intValue == 2)
            let changed = try await H.send(
                client, .put, "/api/admin/org/\(Self.acmeURN)/vdcs/\(urn)", admin,
                body: #"{"computeCapacity":{"cpu":{"limit":8000}},"isEnabled":false}"#)
            #expect(changed.status == .ok)
            let after = try JSONValue(parsing: changed.body)
            #expect(after["computeCapacity"]?["cpu"]?["limit"]?.intValue == 8000)
            #expect(after["computeCapacity"]?["memory"]?["limit"]?.intValue == 8192)
            #expect(try await H.send(client, .delete, "/api/admin/org/\(Self.acmeURN)/vdcs/\(urn)", admin).status == .noContent)
            #expect(try await tenants.vdcs(of: InMemoryTenants.acme).count == 1)
        }
    }

    @Test func onlyTheSystemAdministratorWritesVDCs() async throws {
        try await H.application().test(.router) { client in
            for identity in ["ann@acme:ann-pass", "olga@acme:olga-pass"] {
                let headers = try await H.login(client, identity, accept: H.json36)
                #expect(
                    try await H.send(client, .post, "/api/admin/org/\(Self.acmeURN)/vdcs", headers, body: Self.body).status == .forbidden)
                let vdc = "urn:vcloud:vdc:\(InMemoryTenants.acmeVDC.id)"
                #expect(try await H.send(client, .delete, "/api/admin/org/\(Self.acmeURN)/vdcs/\(vdc)", headers).status == .forbidden)
                #expect(try await H.send(client, .get, "/api/admin/org/\(Self.acmeURN)/vdcs/\(vdc)", headers).status == .ok)
            }
        }
    }

    @Test func badVDCRequestsAre400() async throws {
        try await H.application().test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass", accept: H.json36)
            let long = String(repeating: "v", count: 60)
            let tooLong = try await H.send(
                client, .post, "/api/admin/org/\(Self.acmeURN)/vdcs", admin, body: #"{"name":"\#(long)","allocationModel":"Flex"}"#)
            #expect(tooLong.status == .badRequest)
            #expect(tooLong.body.contains("63"))
            for body in [
                #"{"name":"x","allocationModel":"Nope"}"#, #"{"name":"x"}"#, #"{"allocationModel":"Flex"}"#,
                #"{"name":"x","allocationModel":"Flex","computeCapacity":{"cpu":{"limit":-1}}}"#,
                #"{"name":"x","allocationModel":"Flex","computeCapacity":{"memory":{"units":"TB"}}}"#,
                #"{"name":"x","allocationModel":"Flex","nicQuota":"many"}"#, #"{"name":"bad name","allocationModel":"Flex"}"#,
                #"{"name":"acme-vdc","allocationModel":"Flex"}"#, "{",
            ] {
                let response = try await H.send(client, .post, "/api/admin/org/\(Self.acmeURN)/vdcs", admin, body: body)
                #expect(response.status == .badRequest, "\(body)")
            }
            #expect(try await H.send(client, .get, "/api/admin/org/not-a-urn/vdcs", admin).status == .badRequest)
        }
    }

    @Test func legacyVDCDocumentCarriesTheInstantiateLink() async throws {
        try await H.application(.twoTenants).test(.router) { client in
            let ann = try await H.login(client, "ann@acme:ann-pass")
            let id = InMemoryTenants.acmeVDC.id
            let vdc = try await H.send(client, .get, "/api/vdc/\(id)", ann)
            #expect(vdc.status == .ok)
            #expect(
                vdc.body.contains(
                    "rel=\"add\" type=\"application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml\" href=\"\(H.base)/api/vdc/\(id)/action/instantiateVAppTemplate\""
                ))
            #expect(vdc.body.contains("<ResourceEntities/>"))
            #expect(try await H.send(client, .get, "/api/admin/vdc/\(id)", ann).status == .forbidden)
            let ivan = try await H.login(client, "ivan@initech:ivan-pass")
            #expect(try await H.send(client, .get, "/api/vdc/\(id)", ivan).status == .notFound)
            #expect(try await H.send(client, .get, "/cloudapi/1.0.0/vdcs/urn:vcloud:vdc:\(id)", ivan).status == .notFound)
            let visible = try JSONValue(parsing: try await H.send(client, .get, "/cloudapi/1.0.0/vdcs", ivan).body)
            #expect(visible["resultTotal"]?.intValue == 0)
        }
    }

    @Test func deletingABusyVDCNeedsForce() async throws {
        let tenants = InMemoryTenants.standard
        tenants.state.withLock { _ = $0.busyVDCs.insert(InMemoryTenants.acmeVDC.id) }
        try await H.application(tenants).test(.router) { client in
            let admin = try await H.login(client, "administrator@System:admin-pass")
            let path = "/api/admin/vdc/\(InMemoryTenants.acmeVDC.id)"
            #expect(try await H.send(client, .delete, path, admin).status == .conflict)
            #expect(try await H.send(client, .delete, path + "?force=true", admin).status == .noContent)
            #expect(try await tenants.vdc(id: InMemoryTenants.acmeVDC.id) == nil)
        }
    }

    @Test func namespaceObjectsCarryTheLabelsQuotaAndIsolation() {
        var vdc = InMemoryTenants.acmeVDC
        vdc.settings.cpu = .init(allocated: 2000, limit: 4000, units: "MHz")
        vdc.settings.memory = .init(allocated: 0, limit: 8, units: "GB")
        let objects = VDCNamespaceObjects(vdc: vdc, organization: InMemoryTenants.acme)
        let labels = objects.namespace["metadata"]?["labels"]
        #expect(labels?["ssvirt.io/organization"]?.stringValue == "acme")
        #expect(labels?["ssvirt.io/organization-id"]?.stringValue == InMemoryTenants.acme.id)
        #expect(labels?["ssvirt.io/vdc-id"]?.stringValue == vdc.id)
        #expect(labels?["app.kubernetes.io/managed-by"]?.stringValue == "virtyard")
        let hard = objects.quota["spec"]?["hard"]
        #expect(hard?["limits.cpu"]?.stringValue == "4000m")
        #expect(hard?["requests.cpu"]?.stringValue == "2000m")
        #expect(hard?["limits.memory"]?.stringValue == "8Gi")
        #expect(hard?["requests.memory"]?.stringValue == "8Gi")
        let ingress = objects.networkPolicy["spec"]?["ingress"]?.arrayValue
        #expect(ingress?.count == 1)
        #expect(ingress?.first?["from"]?.arrayValue?.first?["namespaceSelector"] == nil)
        vdc.settings.cpu.limit = 0
        #expect(VDCNamespaceObjects(vdc: vdc, organization: InMemoryTenants.acme).quotaHard["limits.cpu"] == nil)
    }
}
