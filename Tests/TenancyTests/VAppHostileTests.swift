import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeClient
import KubeModel
import Testing

@testable import Tenancy

/// Hostile requests to the catalog, vApp and task routes: other organisations, malformed
/// bodies, duplicate and bad names, forged ids.
@Suite struct VAppHostileTests {
    @Test func anotherOrganisationFindsNothingOfAVApp() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            let catalogID = try await harness.makeCatalog(client)
            let made = try await harness.instantiate(client, "private")
            let vAppPath = try #require(VAppHarness.path(of: "VApp", in: made.body))
            let taskPath = try #require(VAppHarness.path(of: "Task", in: made.body))
            let ivan = try await TenancyHarness.login(client, VAppHarness.ivan)
            for (method, path) in [
                (HTTPRequest.Method.get, vAppPath), (.delete, vAppPath), (.post, vAppPath + "/power/action/powerOn"),
                (.get, vAppPath + "/metadata"), (.get, vAppPath + "/controlAccess"), (.get, taskPath),
                (.get, "/api/catalog/\(catalogID)"), (.get, "/api/vAppTemplate/vappTemplate-\(harness.templateUID)"),
            ] {
                let response = try await TenancyHarness.send(client, method, path, ivan)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(response.body.contains("<Error "))
            }
            let json = try await TenancyHarness.login(client, VAppHarness.ivan, accept: TenancyHarness.json36)
            let urn = "urn:vcloud:vapp:" + vAppPath.dropFirst("/api/vApp/vapp-".count)
            #expect(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vapps/\(urn)", json).status == .notFound)
            #expect(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vapps", json).body.contains("\"resultTotal\":0"))
            let into = try await harness.instantiate(client, "intruder", as: VAppHarness.ivan)
            #expect(into.status == .notFound)
            // Still there for its own organisation.
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            #expect(try await TenancyHarness.send(client, .get, vAppPath, ann).status == .ok)
        }
    }

    @Test(arguments: [
        "<InstantiateVAppTemplateParams",
        #"<InstantiateVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" name="x"/>"#,
        #"<InstantiateVAppTemplateParams name="x"><Source href="https://vcd.test:8443/api/vApp/vapp-1"/></InstantiateVAppTemplateParams>"#,
        #"<InstantiateVAppTemplateParams name="x" powerOn="maybe"><Source href="/api/vAppTemplate/vappTemplate-00000000-0000-4000-8000-000000000000"/></InstantiateVAppTemplateParams>"#,
        #"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><InstantiateVAppTemplateParams name="&b;"/>"#,
        #"<Other name="x"/>"#, "",
    ])
    func malformedInstantiationsAre400AndCreateNothing(body: String) async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            let response = try await TenancyHarness.send(
                client, .post, "/api/vdc/\(harness.vdc.id)/action/instantiateVAppTemplate", ann, body: body,
                contentType: VAppHarness.instantiateMedia)
            #expect(response.status == .badRequest)
            #expect(response.body.contains(#"majorErrorCode="400""#))
            for resource in [ResourceType.vApps, .openShiftTemplateInstances, .secrets] {
                #expect(try await harness.cluster.all(resource).isEmpty, "\(resource)")
            }
            // The only task is the catalog's creation.
            #expect(try await harness.cluster.all(.vcdTasks).count == 1)
        }
    }

    @Test func badAndDuplicateNamesAre400AndLeaveNothingBehind() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            for name in ["has space", String(repeating: "x", count: 64), "under_score", "-lead", "ünï"] {
                #expect(try await harness.instantiate(client, name).status == .badRequest, "\(name)")
            }
            #expect(try await harness.instantiate(client, "twin").status == .created)
            let twin = try await harness.instantiate(client, "TWIN")
            #expect(twin.status == .badRequest)
            #expect(twin.body.contains("DUPLICATE_NAME"))
            #expect(try await harness.cluster.all(.openShiftTemplateInstances).count == 1)
            #expect(try await harness.cluster.all(.vApps).count == 1)
        }
    }

    @Test func aTemplateInstanceTheClusterRefusesLeavesNothingBehind() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            harness.cluster.failNextCreate.withLock {
                $0 = ("templateinstances", KubeClientError(code: 422, reason: "Invalid", message: "spec.template: bad", request: "test"))
            }
            let refused = try await harness.instantiate(client, "refused")
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains("spec.template: bad"))
            for resource in [ResourceType.vApps, .openShiftTemplateInstances, .secrets] {
                #expect(try await harness.cluster.all(resource).isEmpty, "\(resource)")
            }
            // The only task is the catalog's creation.
            #expect(try await harness.cluster.all(.vcdTasks).count == 1)
        }
    }

    @Test func aLeftoverSecretOfTheNameIsADuplicateAndIsKept() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            _ = try await harness.makeCatalog(client)
            let namespace = harness.vdc.namespace
            try await harness.cluster.put(
                .secrets,
                ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "old-params", "namespace": .string(namespace)]])
            let refused = try await harness.instantiate(client, "old")
            #expect(refused.status == .badRequest)
            #expect(refused.body.contains("DUPLICATE_NAME"))
            #expect(try await harness.cluster.all(.secrets, namespace: namespace).count == 1)
            #expect(try await harness.cluster.all(.vApps).isEmpty)
        }
    }

    @Test(arguments: [
        "/api/vApp/vapp-not-a-uuid", "/api/vApp/vapp-00000000-0000-4000-8000-000000000099",
        "/api/vApp/vm-00000000-0000-4000-8000-000000000099", "/api/vApp/00000000-0000-4000-8000-000000000099",
        "/api/task/00000000-0000-4000-8000-000000000099", "/api/task/TASK", "/api/catalog/00000000-0000-4000-8000-000000000099",
        "/api/catalogItem/x", "/api/vAppTemplate/vappTemplate-00000000-0000-4000-8000-000000000099", "/api/vAppTemplate/vm-1",
    ])
    func forgedIdsAre404(path: String) async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            let response = try await TenancyHarness.send(client, .get, path, try await TenancyHarness.login(client, VAppHarness.ann))
            #expect(response.status == .notFound)
            #expect(response.body.contains("<Error "))
        }
    }

    @Test func withoutASessionEverythingIs401() async throws {
        let harness = try await VAppHarness.make()
        try await harness.application().test(.router) { client in
            for path in ["/api/task/x", "/api/vApp/vapp-x", "/api/catalog/x", "/cloudapi/1.0.0/vapps", "/cloudapi/1.0.0/catalogs"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .unauthorized, "\(path)")
            }
        }
    }
}
