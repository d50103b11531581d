import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeClient
import KubeModel
import Testing

@testable import Tenancy

/// The cloudapi's vApp listings page the VApp objects first and read only the page's VMs and
/// TemplateInstances, with the same answers as reading every vApp.
@Suite struct VAppPagingTests {
    static let names = ["delta", "Alpha", "charlie", "Bravo", "echo", "golf", "foxtrot"]

    /// A vApp made as the store makes one: the VApp, its Ready TemplateInstance and one VM.
    static func put(_ name: String, organization: OrganizationRecord, vdcID: String, namespace: String, in cluster: InMemoryKubernetes)
        async throws
    {
        let objectName = name.lowercased()
        let id = VAppIDs.fresh()
        try await cluster.put(
            .vApps,
            [
                "apiVersion": "virtyard.io/v1alpha1", "kind": "VApp",
                "metadata": [
                    "name": .string(objectName), "namespace": .string(namespace),
                    "labels": [
                        VAppStore.vAppIDLabel: .string(id), VAppStore.vAppLabel: .string(objectName),
                    ],
                ],
                "spec": [
                    "id": .string(id), "name": .string(name), "vdcID": .string(vdcID), "organizationID": .string(organization.id),
                    "owner": ["id": "u", "name": "ann"], "templateInstance": .string(objectName),
                ],
            ])
        try await cluster.put(
            .openShiftTemplateInstances,
            [
                "apiVersion": "template.openshift.io/v1", "kind": "TemplateInstance",
                "metadata": [
                    "name": .string(objectName), "namespace": .string(namespace),
                    "labels": [VAppStore.vAppIDLabel: .string(id), VAppStore.vAppLabel: .string(objectName)],
                ],
                "status": ["conditions": [["type": "Ready", "status": "True"]]],
            ])
        try await cluster.put(
            .virtualMachines,
            [
                "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                "metadata": [
                    "name": .string("\(objectName)-vm"), "namespace": .string(namespace),
                    "labels": [VAppStore.vAppLabel: .string(objectName)],
                ],
                "spec": ["runStrategy": "Always"], "status": ["printableStatus": "Running"],
            ])
    }

    static func json(_ response: (status: HTTPResponse.Status, body: String)) throws -> JSONValue {
        try JSONValue(parsing: response.body)
    }

    @Test func aPageJoinsOnlyItsOwnVApps() async throws {
        let harness = try await VAppHarness.make()
        for name in Self.names {
            try await Self.put(
                name, organization: InMemoryTenants.acme, vdcID: harness.vdc.id, namespace: harness.vdc.namespace, in: harness.cluster)
        }
        // Another organisation's vApp: not counted, not shown.
        try await Self.put(
            "aardvark", organization: InMemoryTenants.initech, vdcID: VAppIDs.fresh(), namespace: "vdc-initech-x", in: harness.cluster)
        try await harness.application().test(.router) { client in
            let ann = try await TenancyHarness.login(client, VAppHarness.ann, accept: TenancyHarness.json36)
            for path in ["/cloudapi/1.0.0/vapps", "/cloudapi/1.0.0/vdcs/\(harness.vdc.urn)/vapps"] {
                harness.cluster.listedObjects.withLock { $0 = [:] }
                let page = try Self.json(try await TenancyHarness.send(client, .get, "\(path)?pageSize=3&page=2", ann))
                let listed = harness.cluster.listedObjects.withLock { $0 }
                #expect(page["resultTotal"] == 7)
                #expect(page["pageCount"] == 3)
                let values = page["values"]?.arrayValue ?? []
                #expect(values.compactMap { $0["name"]?.stringValue } == ["delta", "echo", "foxtrot"])
                #expect(listed["virtualmachines", default: 0] == 3)
                #expect(listed["templateinstances", default: 0] == 3)
                // Each value is what the vApp's own route answers, VMs and status included.
                for value in values {
                    let id = try #require(value["id"]?.stringValue)
                    let alone = try Self.json(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vapps/\(id)", ann))
                    #expect(value == alone)
                    #expect(value["status"] == "POWERED_ON")
                    #expect(value["vms"]?.arrayValue?.count == 1)
                }
            }
            let last = try Self.json(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vapps?pageSize=3&page=3", ann))
            #expect(last["values"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["golf"])
            let beyond = try Self.json(try await TenancyHarness.send(client, .get, "/cloudapi/1.0.0/vapps?pageSize=3&page=9", ann))
            #expect(beyond["values"] == [] && beyond["resultTotal"] == 7)
        }
    }

    /// The `<VAppRecord …/>` elements of a query answer.
    static func records(_ body: String) -> [String] {
        body.components(separatedBy: "<VAppRecord ").dropFirst().map { "<VAppRecord " + ($0.components(separatedBy: "/>").first ?? "") }
    }

    @Test func theVAppQueryPagesBeforeReadingVMsUnlessItFiltersOnThem() async throws {
        let harness = try await VAppHarness.make()
        for name in Self.names {
            try await Self.put(
                name, organization: InMemoryTenants.acme, vdcID: harness.vdc.id, namespace: harness.vdc.namespace, in: harness.cluster)
        }
        try await harness.application().test(.router) { client in
            let ann = try await TenancyHarness.login(client, VAppHarness.ann)
            func query(_ parameters: String) async throws -> (records: [String], vms: Int) {
                harness.cluster.listedObjects.withLock { $0 = [:] }
                let response = try await TenancyHarness.send(client, .get, "/api/query?type=vApp&format=records&\(parameters)", ann)
                #expect(response.status == .ok)
                return (Self.records(response.body), harness.cluster.listedObjects.withLock { $0["virtualmachines", default: 0] })
            }
            let page = try await query("pageSize=3&page=2")
            #expect(page.records.count == 3 && page.vms == 3)
            #expect(page.records.first?.contains(#"name="delta""#) == true)
            #expect(page.records.allSatisfy { $0.contains(#"numberOfVMs="1""#) && $0.contains(#"status="POWERED_ON""#) })
            let one = try await query("filter=name==echo")
            #expect(one.records.count == 1 && one.vms == 1)
            // A filter on a field counted from the VMs reads them all, and answers the same.
            let slow = try await query("filter=(name==echo;numberOfVMs==1)")
            #expect(slow.vms == 7)
            #expect(slow.records == one.records)
        }
    }

    @Test func aVMFindsItsVAppWithoutListingEveryVApp() async throws {
        let harness = try await VAppHarness.make()
        for name in Self.names {
            try await Self.put(
                name, organization: InMemoryTenants.acme, vdcID: harness.vdc.id, namespace: harness.vdc.namespace, in: harness.cluster)
        }
        let vm = try await harness.cluster.get(.virtualMachines, namespace: harness.vdc.namespace, name: "echo-vm")
        let uid = try #require(vm["metadata"]?["uid"]?.stringValue)
        let store = VAppStore(directory: harness.tenants, backend: harness.cluster, logger: .init(label: "test"))
        harness.cluster.listedObjects.withLock { $0 = [:] }
        let found = try #require(try await store.vApp(ofVM: uid))
        #expect(found.vApp.name == "echo" && found.vm.name == "echo-vm")
        #expect(harness.cluster.listedObjects.withLock { $0["vapps", default: 0] } == 0)
        #expect(try await store.vApp(ofVM: VAppIDs.fresh()) == nil)
    }

    @Test func selectorsStayShortWhateverThePage() {
        let short = (0..<128).map { "vapp-\($0)" }
        #expect(VAppStore.selectorChunks(short) == [short])
        let long = (0..<128).map { String(repeating: "v", count: 60) + String(format: "%03d", $0) }
        let chunks = VAppStore.selectorChunks(long)
        #expect(chunks.count == 2)
        #expect(chunks.flatMap { $0 } == long)
        #expect(chunks.allSatisfy { $0.joined(separator: ",").utf8.count <= VAppStore.selectorBytes })
        #expect(VAppStore.selectorChunks([]).isEmpty)
    }

    @Test func pagingSelectsPositionsWithoutTheItems() {
        #expect(Paging(page: 2, pageSize: 3).range(total: 7) == 3..<6)
        #expect(Paging(page: 3, pageSize: 3).range(total: 7) == 6..<7)
        #expect(Paging(page: 4, pageSize: 3).range(total: 7) == 7..<7)
        #expect(Paging(page: Int.max, pageSize: 128).range(total: 7) == 7..<7)
        #expect(Paging(page: 1, pageSize: 3).page(values: [.int(1)], total: 7)["pageCount"] == .int(3))
    }
}
