import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeClient
import KubeModel
import Testing

@testable import Tenancy

/// The catalog, vApp and task routes of the legacy API over an in-memory cluster.
@Suite struct VAppRoutesTests {
    @Test func aCatalogListsTheTemplatesAsItemsWithTheirVMs() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            let catalogID = try await harness.makeCatalog(client)
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let catalog = try await TenancyHarness.send(client, .get, "/api/catalog/\(catalogID)", ann)
            #expect(catalog.status == .ok)
            #expect(catalog.body.contains(#"name="fedora" type="application/vnd.vmware.vcloud.catalogItem+xml""#))
            let itemPath = try #require(VAppHarness.path(of: "CatalogItem", in: catalog.body))
            let item = try await TenancyHarness.send(client, .get, itemPath, ann)
            #expect(item.status == .ok)
            let templatePath = try #require(VAppHarness.path(of: "Entity", in: item.body))
            #expect(templatePath == "/api/vAppTemplate/vappTemplate-\(harness.templateUID)")
            let template = try await TenancyHarness.send(client, .get, templatePath, ann)
            #expect(template.body.contains("<Children><Vm "))
            #expect(template.body.contains("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>"))
            #expect(template.body.contains("<rasd:VirtualQuantity>2048</rasd:VirtualQuantity>"))
            #expect(template.body.contains("<PrimaryNetworkConnectionIndex>0</PrimaryNetworkConnectionIndex>"))
            // A Template applied later is an item at the next request; one for another catalog is not.
            try await harness.cluster.put(.openShiftTemplates, VAppHarness.templateObject("ubuntu"))
            try await harness.cluster.put(
                .openShiftTemplates, VAppHarness.templateObject("other", annotations: ["catalog.virtyard.io/name": "not-lab"]))
            let later = try await TenancyHarness.send(client, .get, "/api/catalog/\(catalogID)", ann)
            #expect(later.body.contains(#"name="ubuntu""#))
            #expect(!later.body.contains(#"name="other""#))
        }
    }

    @Test func onlyAdministratorsOfTheOrganisationCreateCatalogs() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            let body = #"<AdminCatalog xmlns="http://www.vmware.com/vcloud/v1.5" name="mine"/>"#
            let path = "/api/admin/org/\(InMemoryTenants.acme.id)/catalogs"
            for identity in [VAppHarness.ann, VAppHarness.ivan] {
                let refused = try await TenancyHarness.send(
                    client, .post, path, try await TenancyHarness.login(client, identity), body: body,
                    contentType: VAppHarness.catalogMedia)
                #expect(refused.status == .forbidden, "\(identity)")
            }
            #expect(try await harness.cluster.all(.catalogs).isEmpty)
            let olga = try await TenancyHarness.login(client, VAppHarness.olga)
            let made = try await TenancyHarness.send(client, .post, path, olga, body: body, contentType: VAppHarness.catalogMedia)
            #expect(made.status == .created)
            #expect(made.body.contains("<Tasks><Task "))
            #expect(made.body.contains(#"status="success""#))
            let twin = try await TenancyHarness.send(
                client, .post, path, olga, body: body.replacingOccurrences(of: "mine", with: "MINE"),
                contentType: VAppHarness.catalogMedia)
            #expect(twin.status == .badRequest)
            #expect(twin.body.contains("DUPLICATE_NAME"))
            let unnamed = try await TenancyHarness.send(
                client, .post, path, olga, body: "<AdminCatalog/>", contentType: VAppHarness.catalogMedia)
            #expect(unnamed.status == .badRequest)
            #expect(try await harness.cluster.all(.catalogs).count == 1)
        }
    }

    @Test func instantiatingMakesTheVAppItsSecretAndTemplateInstanceAndATask() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            let made = try await harness.instantiate(client, "Web")
            #expect(made.status == .created)
            #expect(made.body.contains(#"<VApp "#))
            #expect(made.body.contains(#"name="Web""#))
            #expect(made.body.contains("<Tasks><Task "))
            let namespace = harness.vdc.namespace
            let instance = try await harness.cluster.get(.openShiftTemplateInstances, namespace: namespace, name: "web")
            #expect(instance["metadata"]?["labels"]?["vapp.ssvirt"] == "web")
            #expect(instance["spec"]?["secret"]?["name"] == "web-params")
            #expect(instance["spec"]?["template"]?["labels"]?["vapp.ssvirt"] == "web")
            let vm = instance["spec"]?["template"]?["objects"]?.arrayValue?.first
            #expect(vm?["spec"]?["runStrategy"] == "Halted")
            #expect(vm?["spec"]?["running"] == nil)
            let secret = try await harness.cluster.get(.secrets, namespace: namespace, name: "web-params")
            #expect(secret["stringData"]?["NAME"] == "web")
            #expect(try await harness.cluster.get(.vApps, namespace: namespace, name: "web")["spec"]?["name"] == "Web")

            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let taskPath = try #require(VAppHarness.path(of: "Task", in: made.body))
            #expect(try await TenancyHarness.send(client, .get, taskPath, ann).body.contains(#"status="running""#))
            try await harness.cluster.processInstances()
            try await harness.cluster.settleVMs()
            let done = try await TenancyHarness.send(client, .get, taskPath, ann)
            #expect(done.body.contains(#"status="success""#))
            #expect(done.body.contains(#"operationName="vdcInstantiateVapp""#))
            let stored = try await harness.cluster.all(.vcdTasks)
            #expect(stored.first?["status"]?["status"] == "success")

            let vAppPath = try #require(VAppHarness.path(of: "VApp", in: made.body))
            let vApp = try await TenancyHarness.send(client, .get, vAppPath, ann)
            #expect(vApp.body.contains(#"status="8""#))
            #expect(vApp.body.contains(#"<Vm needsCustomization="false" deployed="false" status="8" name="web""#))
            // Power links carry no type, as Cloud Director's.
            #expect(vApp.body.contains(#"<Link rel="power:powerOn" href=""#))
        }
    }

    @Test func powerActionsSetTheRunStrategyAndTheirTasksFollowKubeVirt() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            let made = try await harness.instantiate(client, "db")
            try await harness.cluster.processInstances()
            try await harness.cluster.settleVMs()
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let vAppPath = try #require(VAppHarness.path(of: "VApp", in: made.body))
            let on = try await TenancyHarness.send(client, .post, vAppPath + "/power/action/powerOn", ann)
            #expect(on.status == .accepted)
            let vm = try await harness.cluster.get(.virtualMachines, namespace: harness.vdc.namespace, name: "db")
            #expect(vm["spec"]?["runStrategy"] == "Always")
            #expect(vm["spec"]?["running"] == nil)
            let taskPath = try #require(VAppHarness.path(of: "Task", in: on.body))
            #expect(try await TenancyHarness.send(client, .get, taskPath, ann).body.contains(#"status="running""#))
            try await harness.cluster.settleVMs()
            #expect(try await TenancyHarness.send(client, .get, taskPath, ann).body.contains(#"status="success""#))
            #expect(try await TenancyHarness.send(client, .get, vAppPath, ann).body.contains(#"status="4""#))

            let off = try await TenancyHarness.send(client, .post, vAppPath + "/power/action/powerOff", ann)
            #expect(off.status == .accepted)
            try await harness.cluster.settleVMs()
            #expect(try await TenancyHarness.send(client, .get, vAppPath, ann).body.contains(#"status="8""#))
        }
    }

    @Test func aFailedInstantiationIsATaskErrorWithTheMessage() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            let made = try await harness.instantiate(client, "broken")
            try await harness.cluster.processInstances(fail: ["broken": "parameter PASSWORD is required"])
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let task = try await TenancyHarness.send(client, .get, try #require(VAppHarness.path(of: "Task", in: made.body)), ann)
            #expect(task.body.contains(#"status="error""#))
            #expect(task.body.contains(#"<Error majorErrorCode="500""#))
            #expect(task.body.contains(#"message="parameter PASSWORD is required""#))
            let vApp = try await TenancyHarness.send(client, .get, try #require(VAppHarness.path(of: "VApp", in: made.body)), ann)
            #expect(vApp.body.contains(#"status="-1""#))
        }
    }

    @Test func deletingRemovesTheVAppItsInstanceSecretAndVMs() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            let made = try await harness.instantiate(client, "gone")
            try await harness.cluster.processInstances()
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let vAppPath = try #require(VAppHarness.path(of: "VApp", in: made.body))
            let deleted = try await TenancyHarness.send(client, .delete, vAppPath, ann)
            #expect(deleted.status == .accepted)
            #expect(deleted.body.contains(#"operationName="vdcDeleteVapp""#))
            for resource in [ResourceType.vApps, .openShiftTemplateInstances, .secrets, .virtualMachines] {
                #expect(try await harness.cluster.all(resource, namespace: harness.vdc.namespace).isEmpty, "\(resource)")
            }
            let taskPath = try #require(VAppHarness.path(of: "Task", in: deleted.body))
            #expect(try await TenancyHarness.send(client, .get, taskPath, ann).body.contains(#"status="success""#))
            #expect(try await TenancyHarness.send(client, .get, vAppPath, ann).status == .notFound)
        }
    }

    @Test func sharingAndSingleVMsOfAVApp() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            let catalogID = try await harness.makeCatalog(client)
            let made = try await harness.instantiate(client, "shared")
            try await harness.cluster.processInstances()
            try await harness.cluster.settleVMs()
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let vAppPath = try #require(VAppHarness.path(of: "VApp", in: made.body))
            let access = """
                <ControlAccessParams xmlns="http://www.vmware.com/vcloud/v1.5"><IsSharedToEveryone>true</IsSharedToEveryone>
                <EveryoneAccessLevel>Change</EveryoneAccessLevel></ControlAccessParams>
                """
            let shared = try await TenancyHarness.send(
                client, .post, vAppPath + "/action/controlAccess", ann, body: access,
                contentType: "application/vnd.vmware.vcloud.controlAccess+xml")
            #expect(shared.status == .ok)
            #expect(
                try await TenancyHarness.send(client, .get, vAppPath + "/controlAccess", ann).body.contains("<EveryoneAccessLevel>Change<"))
            let bad = try await TenancyHarness.send(
                client, .post, vAppPath + "/action/controlAccess", ann, body: access.replacingOccurrences(of: "Change", with: "Root"),
                contentType: "application/vnd.vmware.vcloud.controlAccess+xml")
            #expect(bad.status == .badRequest)
            // A tenant may not change a catalog's sharing; its administrator may.
            let catalogAccess = "/api/catalog/\(catalogID)/action/controlAccess"
            #expect(try await TenancyHarness.send(client, .post, catalogAccess, ann, body: access).status == .forbidden)
            let olga = try await TenancyHarness.login(client, VAppHarness.olga)
            #expect(try await TenancyHarness.send(client, .post, catalogAccess, olga, body: access).status == .ok)

            let vApp = try await TenancyHarness.send(client, .get, vAppPath, ann)
            let vmPath = try #require(VAppHarness.path(of: "Vm", in: vApp.body))
            let vm = try await TenancyHarness.send(client, .get, vmPath, ann)
            #expect(vm.status == .ok)
            #expect(vm.body.contains(#"<Vm xmlns="http://www.vmware.com/vcloud/v1.5""#))
            let on = try await TenancyHarness.send(client, .post, vmPath + "/power/action/powerOn", ann)
            #expect(on.status == .accepted)
            #expect(
                try await harness.cluster.get(.virtualMachines, namespace: harness.vdc.namespace, name: "shared")["spec"]?["runStrategy"]
                    == "Always")
        }
    }

    @Test func metadataIsKeptOnTheVApp() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            let made = try await harness.instantiate(client, "tagged")
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let metadataPath = try #require(VAppHarness.path(of: "VApp", in: made.body)) + "/metadata"
            let body = """
                <Metadata xmlns="http://www.vmware.com/vcloud/v1.5" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                <MetadataEntry type="xs:string"><Domain visibility="READWRITE">GENERAL</Domain><Key>owner</Key>
                <TypedValue xsi:type="MetadataStringValue"><Value>team-a</Value></TypedValue></MetadataEntry></Metadata>
                """
            let set = try await TenancyHarness.send(
                client, .post, metadataPath, ann, body: body, contentType: "application/vnd.vmware.vcloud.metadata+xml")
            #expect(set.status == .accepted)
            let read = try await TenancyHarness.send(client, .get, metadataPath, ann)
            #expect(read.body.contains("<Key>owner</Key>"))
            #expect(read.body.contains("<Value>team-a</Value>"))
            let empty = try await TenancyHarness.send(
                client, .post, metadataPath, ann, body: "<Metadata/>", contentType: "application/vnd.vmware.vcloud.metadata+xml")
            #expect(empty.status == .badRequest)
        }
    }
}
