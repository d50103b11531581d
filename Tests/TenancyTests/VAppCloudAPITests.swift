import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeClient
import KubeModel
import Testing

@testable import Tenancy

/// ssvirt's cloudapi routes of catalogs, instantiation, vApps and VMs, and the `/api/query`
/// types of catalogs, items and vApps.
@Suite struct VAppCloudAPITests {
    static func json(_ body: String) throws -> JSONValue { try JSONValue(parsing: body) }

    @Test func ssvirtInstantiatesListsAndPowersAVM() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            let catalogID = try await harness.makeCatalog(client)
            let ann = try await TenancyHarness.login(client, VAppHarness.ann, accept: TenancyHarness.json36)
            let items = try Self.json(
                try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/catalogs/urn:vcloud:catalog:\(catalogID)/catalogItems", ann)
                    .body)
            let item = try #require(items["values"]?.arrayValue?.first)
            #expect(item["name"] == "fedora")
            #expect(item["entity"]?["numberOfCpus"] == 2)
            let itemID = try #require(item["id"]?.stringValue)
            let made = try await TenancyHarness.send(
                client, .post, "/cloudapi/1.0.0/vdcs/\(harness.vdc.urn)/actions/instantiateTemplate", ann,
                body: #"{"name": "api", "description": "d", "catalogItem": {"id": "\#(itemID)"}}"#, contentType: "application/json")
            #expect(made.status == .created)
            let vApp = try Self.json(made.body)
            #expect(vApp["status"] == "INSTANTIATING")
            #expect(vApp["numberOfVMs"] == 1)
            // The template's own run strategy is kept on the cloudapi.
            let instance = try await harness.cluster.get(.openShiftTemplateInstances, namespace: harness.vdc.namespace, name: "api")
            #expect(instance["spec"]?["template"]?["objects"]?.arrayValue?.first?["spec"]?["running"] == false)
            try await harness.cluster.processInstances()
            try await harness.cluster.settleVMs()
            let vAppID = try #require(vApp["id"]?.stringValue)
            let read = try Self.json(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vapps/\(vAppID)", ann).body)
            #expect(read["status"] == "POWERED_OFF")
            let vm = try #require(read["vms"]?.arrayValue?.first)
            let vmID = try #require(vm["id"]?.stringValue)
            let on = try await TenancyHarness.send(client, .post, "/cloudapi/1.0.0/vms/\(vmID)/actions/powerOn", ann)
            #expect(on.status == .accepted)
            #expect(try Self.json(on.body)["status"] == "POWERING_ON")
            try await harness.cluster.settleVMs()
            let again = try await TenancyHarness.send(client, .post, "/cloudapi/1.0.0/vms/\(vmID)/actions/powerOn", ann)
            #expect(again.status == .badRequest)
            let listed = try Self.json(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vapps?page_size=1", ann).body)
            #expect(listed["resultTotal"] == 1)
            #expect(listed["values"]?.arrayValue?.first?["status"] == "POWERED_ON")
            let byVDC = try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vdcs/\(harness.vdc.urn)/vapps", ann)
            #expect(byVDC.body.contains("\"name\":\"api\""))
            #expect(try await TenancyHarness.send(client, .delete, "/cloudapi/1.0.0/vapps/\(vAppID)", ann).status == .noContent)
            #expect(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vapps/\(vAppID)", ann).status == .notFound)
        }
    }

    @Test(arguments: [
        #"{"name": "#, #"[]"#, #"{"catalogItem": {"id": "urn:vcloud:catalogitem:00000000-0000-4000-8000-000000000000"}}"#,
        #"{"name": "x"}"#, #"{"name": "x", "catalogItem": {"id": "nonsense"}}"#, #"{"name": 5, "catalogItem": {}}"#,
    ])
    func badInstantiationBodiesAre400(body: String) async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            let ann = try await TenancyHarness.login(client, VAppHarness.ann, accept: TenancyHarness.json36)
            let response = try await TenancyHarness.send(
                client, .post, "/cloudapi/1.0.0/vdcs/\(harness.vdc.urn)/actions/instantiateTemplate", ann, body: body,
                contentType: "application/json")
            #expect(response.status == .badRequest)
            #expect(try Self.json(response.body)["minorErrorCode"] != nil)
            #expect(try await harness.cluster.all(.openShiftTemplateInstances).isEmpty)
        }
    }

    @Test func catalogsAreAnOrganisationsOwn() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            let catalogID = try await harness.makeCatalog(client)
            let ivan = try await TenancyHarness.login(client, VAppHarness.ivan, accept: TenancyHarness.json36)
            #expect(
                try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/catalogs/urn:vcloud:catalog:\(catalogID)", ivan).status
                    == .notFound)
            let mine = try await TenancyHarness.send(
                client, .post, "/cloudapi/1.0.0/catalogs", ivan, body: #"{"name": "own"}"#, contentType: "application/json")
            #expect(mine.status == .created)
            let theirs = try await TenancyHarness.send(
                client, .post, "/cloudapi/1.0.0/catalogs", ivan,
                body: #"{"name": "theirs", "orgId": "\#(InMemoryTenants.acme.urn)"}"#, contentType: "application/json")
            #expect(theirs.status == .forbidden)
            let listed = try Self.json(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/catalogs", ivan).body)
            #expect(listed["values"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["own"])
        }
    }

    @Test func queriesListCatalogsItemsAndVAppsOfTheCallersOrganisation() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            _ = try await harness.instantiate(client, "listed")
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let catalogs = try await TenancyHarness.send(client, .get, "/api/query?type=catalog&format=records", ann)
            #expect(catalogs.body.contains(#"<CatalogRecord name="lab""#))
            let items = try await TenancyHarness.send(
                client, .get, "/api/query?type=catalogItem&format=idrecords&filter=catalogName==lab", ann)
            #expect(items.body.contains(#"<CatalogItemRecord name="fedora""#))
            let vdcHref = TenancyHarness.base + "/api/vdc/\(harness.vdc.id)"
            let filter = "name==listed;vdc==" + (vdcHref.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let vApps = try await TenancyHarness.send(client, .get, "/api/query?type=vApp&format=records&filter=\(filter)", ann)
            #expect(vApps.body.contains(#"<VAppRecord name="listed""#))
            #expect(vApps.body.contains(#"vdcName="acme-vdc""#))
            #expect(try await TenancyHarness.send(client, .get, "/api/query?type=adminVApp", ann).status == .forbidden)
            let ivan = try await TenancyHarness.login(client, VAppHarness.ivan)
            let none = try await TenancyHarness.send(client, .get, "/api/query?type=vApp&format=records", ivan)
            #expect(none.body.contains(#"total="0""#))
        }
    }

    @Test func templateQuantitiesAndTheEmbeddedTemplate() throws {
        #expect(TemplateObjects.megabytes("2Gi") == 2048)
        #expect(TemplateObjects.megabytes("512Mi") == 512)
        #expect(TemplateObjects.megabytes("1G") == 954)
        #expect(TemplateObjects.megabytes("lots") == nil)
        #expect(TemplateObjects.substitute("${A}-${{B}}", ["A": "x", "B": "2"]) == "x-2")
        let stored = MergePatch.apply(
            ["metadata": ["uid": "00000000-0000-4000-8000-000000000abc", "resourceVersion": "7"], "status": ["x": 1]],
            to: VAppHarness.templateObject("t"))
        let embedded = TemplateObjects.embedded(stored, vAppObjectName: "web", powerOn: true)
        #expect(embedded["metadata"]?["uid"] == nil)
        #expect(embedded["metadata"]?["resourceVersion"] == nil)
        #expect(embedded["status"] == nil)
        #expect(embedded["labels"]?["vapp.ssvirt"] == "web")
        #expect(embedded["labels"]?["app.kubernetes.io/part-of"] == "tests")
        #expect(embedded["objects"]?.arrayValue?.first?["spec"]?["runStrategy"] == "Always")
        let record = try #require(TemplateObjects.record(stored))
        #expect(record.vms.map(\.cpus) == [2])
        #expect(record.vms.map(\.memoryMB) == [2048])
        #expect(record.vms.first?.id == VAppIDs.derived(from: "templatevm/00000000-0000-4000-8000-000000000abc/0"))
        #expect(TenancyNames.isUUID(VAppIDs.derived(from: "anything")))
    }
}
