import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import Provisioning
import Simulation
import Synchronization
import Testing
import VirtyardServer
import VirtyardTesting

/// In embedded mode a provisioned VM's guest boots what was rendered: the first control
/// plane starts a virtual cluster at the requested version, the other nodes join it, a
/// tampered configuration is refused with an Event, and Ready follows the VM.
@Suite(.serialized) struct ProvisionedGuestTests {
    struct Harness {
        var client: HTTPKubernetesClient
        var cluster: TestCluster
        var access: EmbeddedProvisionedClusterAccess
    }

    static func withGuests(dataDirectory: String? = nil, _ body: @Sendable (Harness) async throws -> Void) async throws {
        try await TestCluster.run(configure: { $0.dataDirectory = dataDirectory }) { cluster in
            let client = try cluster.client()
            var quiet = Logger(label: "test.provisioned-guests")
            quiet.logLevel = .critical
            let guests = ProvisionedClusterGuests(clusters: cluster.server.virtualClusters, logger: quiet)
            guests.attach(api: client)
            var configuration = SimulationConfiguration(nodeCount: 2)
            configuration.guests = GuestHosts([
                VirtualClusterGuests(clusters: cluster.server.virtualClusters, dataDirectory: cluster.directory.path, logger: quiet),
                guests,
            ])
            _ = try await CRDInstaller.bundled().installMissing(into: client, logger: quiet)
            let informers = SharedInformerFactory(api: client, logger: quiet)
            let services = SimulationControllers.services(api: client, informers: informers, configuration: configuration, logger: quiet)
            let access = EmbeddedProvisionedClusterAccess(guests: guests, certificateAuthorityPEM: cluster.certificates.caCertificatePEM) {
                [url = cluster.url] in url
            }
            try await withRunningServices(informers: informers, services: services) {
                try await body(Harness(client: client, cluster: cluster, access: access))
            }
        }
    }

    static let image = ImageSource.containerDisk("quay.io/containerdisks/ubuntu:24.04")

    /// A K3S cluster of one server and one agent, planned by the real planner.
    static func plan(name: String = "demo", version: String = "v1.31.4+k3s1") throws -> ProvisioningPlan {
        let spec = ClusterSpec(
            name: name, type: .k3s, version: version,
            nodeGroups: [
                NodeGroupSpec(
                    name: "cp", role: .controlPlane, count: 1, template: NodeTemplate(cores: 2, memoryMB: 2048, imageSource: image)),
                NodeGroupSpec(name: "work", role: .worker, count: 1, template: NodeTemplate(cores: 4, memoryMB: 4096, imageSource: image)),
            ])
        let cluster = try ClusterSpecValidation.validate(spec)
        var random = SeededRandom(seed: 5)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let secrets = try ClusterSecrets.generate(clusterName: cluster.name, type: cluster.type, now: now, random: &random)
        return try ProvisioningPlanner.plan(cluster, namespace: "lab", secrets: secrets, now: now, random: &random)
    }

    /// Writes the plan's Secrets and VMs, with `tamper` applied to each node's user data.
    static func apply(_ plan: ProvisioningPlan, to client: HTTPKubernetesClient, tamper: (String, String) -> String = { $1 }) async throws {
        _ = try? await client.create(.namespaces, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "lab"]])
        for object in plan.clusterSecrets { _ = try await client.create(.secrets, namespace: "lab", object: object) }
        for node in plan.nodes {
            var secret = node.userDataSecret
            let text = tamper(node.name, node.bootConfiguration.text)
            secret[path: ["data", "userdata"]] = .string(Data(text.utf8).base64EncodedString())
            _ = try await client.create(.secrets, namespace: "lab", object: secret)
            _ = try await client.create(.virtualMachines, namespace: "lab", object: node.virtualMachine)
        }
    }

    static func nodes(_ access: EmbeddedProvisionedClusterAccess) async -> [ProvisionedNode] {
        await access.nodes(namespace: "lab", cluster: "demo") ?? []
    }

    /// Scale down's drain inside the virtual cluster: the Node is cordoned, its pods deleted
    /// (a pod with a finalizer is marked and stays until it is released), mirror pods and pods
    /// on other nodes are left alone.
    @Test func drainCordonsTheNodeAndEvictsItsPods() async throws {
        try await Self.withGuests { harness in
            let access = harness.access
            try await Self.apply(try Self.plan(), to: harness.client)
            #expect(await eventually(timeout: .seconds(20)) { await Self.nodes(access).filter(\.ready).count == 2 })
            let kubeconfig = try #require(await access.kubeconfig(namespace: "lab", cluster: "demo"))
            let nested = try harness.cluster.client(kubeconfig: kubeconfig)
            func pod(_ name: String, on node: String, finalizers: [String] = [], annotations: [String: String] = [:]) -> JSONValue {
                var pod: JSONValue = [
                    "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"],
                    "spec": ["nodeName": .string(node), "containers": [["name": "app", "image": "registry.k8s.io/pause:3.10"]]],
                ]
                pod.annotations = annotations
                if !finalizers.isEmpty { pod[path: ["metadata", "finalizers"]] = .array(finalizers.map { .string($0) }) }
                return pod
            }
            for object in [
                pod("web", on: "demo-work-01"), pod("held", on: "demo-work-01", finalizers: ["example.com/hold"]),
                pod("static", on: "demo-work-01", annotations: [NodeDrain.mirrorAnnotation: "x"]), pod("other", on: "demo-cp-01"),
            ] {
                _ = try await nested.create(.pods, namespace: "default", object: object)
            }

            let left = try await access.drainNode(namespace: "lab", cluster: "demo", node: "demo-work-01")
            #expect(left == ["default/held"])
            #expect(NodeDrain.isCordoned(try await nested.get(.nodes, name: "demo-work-01")))
            #expect(!NodeDrain.isCordoned(try await nested.get(.nodes, name: "demo-cp-01")))
            let names = Set(try await nested.list(.pods, namespace: "default").items.compactMap(\.name))
            #expect(names == ["held", "static", "other"])
            #expect(try await nested.get(.pods, namespace: "default", name: "held").deletionTimestamp != nil)
            #expect(try await nested.get(.pods, namespace: "default", name: "static").deletionTimestamp == nil)

            _ = try await nested.patch(.pods, namespace: "default", name: "held", patch: ["metadata": ["finalizers": nil]])
            #expect(try await access.drainNode(namespace: "lab", cluster: "demo", node: "demo-work-01").isEmpty)
            try await access.removeNode(namespace: "lab", cluster: "demo", node: "demo-work-01")
            #expect(await Self.nodes(access).map(\.name) == ["demo-cp-01"])
        }
    }

    @Test func theNodesJoinAVirtualClusterAtTheRequestedVersion() async throws {
        try await Self.withGuests { harness in
            let access = harness.access
            try await Self.apply(try Self.plan(), to: harness.client)
            #expect(await eventually(timeout: .seconds(20)) { await Self.nodes(access).filter(\.ready).count == 2 })
            let nodes = await Self.nodes(access)
            #expect(nodes.map(\.name) == ["demo-cp-01", "demo-work-01"])
            #expect(nodes.allSatisfy { $0.kubeletVersion == "v1.31.4+k3s1" })
            #expect(nodes.map(\.controlPlane) == [true, false])
            #expect(await access.bootFailures(namespace: "lab", cluster: "demo").isEmpty)

            // The admin kubeconfig works, stays the same, and reaches the cluster's own Nodes.
            let kubeconfig = try #require(await access.kubeconfig(namespace: "lab", cluster: "demo"))
            #expect(await access.kubeconfig(namespace: "lab", cluster: "demo") == kubeconfig)
            let nested = try harness.cluster.client(kubeconfig: kubeconfig)
            let server = try await nested.get(.nodes, name: "demo-cp-01")
            #expect(server.labels["node-role.kubernetes.io/control-plane"] == "true")
            #expect(server.labels["node-role.kubernetes.io/master"] == "true")
            #expect(server.labels["virtyard.io/node-group"] == "cp")
            #expect(server[path: ["status", "nodeInfo", "kubeletVersion"]] == "v1.31.4+k3s1")
            let agent = try await nested.get(.nodes, name: "demo-work-01")
            #expect(agent.labels["node-role.kubernetes.io/control-plane"] == nil)
            #expect(agent[path: ["status", "capacity", "cpu"]] == "4")

            // /version answers with the requested version.
            let id = ProvisionedClusterID.make(namespace: "lab", cluster: "demo")
            #expect(harness.cluster.server.virtualClusters.cluster(id)?.servedVersion.gitVersion == "v1.31.4+k3s1")

            // Halting the agent's VM makes its Node NotReady; starting it makes it Ready again.
            _ = try await harness.client.patch(
                .virtualMachines, namespace: "lab", name: "demo-work-01", patch: ["spec": ["runStrategy": "Halted"]])
            #expect(
                await eventually(timeout: .seconds(20)) { await Self.nodes(access).first { $0.name == "demo-work-01" }?.ready == false })
            let halted = try await nested.get(.nodes, name: "demo-work-01")
            let ready = halted[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "Ready" }
            #expect(ready?["status"] == "Unknown")
            #expect(ready?["reason"] == "NodeStatusUnknown")
            #expect(halted[path: ["spec", "taints"]]?.arrayValue?.contains { $0["key"] == "node.kubernetes.io/unreachable" } == true)
            _ = try await harness.client.patch(
                .virtualMachines, namespace: "lab", name: "demo-work-01", patch: ["spec": ["runStrategy": "Always"]])
            #expect(await eventually(timeout: .seconds(20)) { await Self.nodes(access).first { $0.name == "demo-work-01" }?.ready == true })
            let restarted = try await nested.get(.nodes, name: "demo-work-01")
            #expect(restarted[path: ["spec", "taints"]] == nil)

            // Removing a node, then the cluster: its kubeconfig stops working.
            try await access.removeNode(namespace: "lab", cluster: "demo", node: "demo-work-01")
            #expect(await Self.nodes(access).map(\.name) == ["demo-cp-01"])
            // A running guest does not bring its deleted Node back; restarted, it registers again.
            _ = try await harness.client.patch(
                .virtualMachines, namespace: "lab", name: "demo-work-01", patch: ["spec": ["runStrategy": "Halted"]])
            #expect(await eventually { (try? await harness.client.list(.virtualMachineInstances, namespace: "lab"))?.items.count == 1 })
            #expect(await Self.nodes(access).map(\.name) == ["demo-cp-01"])
            _ = try await harness.client.patch(
                .virtualMachines, namespace: "lab", name: "demo-work-01", patch: ["spec": ["runStrategy": "Always"]])
            #expect(await eventually(timeout: .seconds(20)) { await Self.nodes(access).filter(\.ready).count == 2 })
            await access.removeCluster(namespace: "lab", cluster: "demo")
            #expect(await access.nodes(namespace: "lab", cluster: "demo") == nil)
            await #expect(throws: KubeClientError.self) { _ = try await nested.list(.nodes) }
        }
    }

    @Test func aTamperedConfigurationIsRefusedWithAnEvent() async throws {
        try await Self.withGuests { harness in
            let access = harness.access
            let plan = try Self.plan()
            let token = try #require(
                plan.nodes.first?.bootConfiguration.text.split(separator: "\"").first { $0.count == 23 && $0.contains(".") })
            try await Self.apply(plan, to: harness.client) { vm, text in
                vm == "demo-work-01" ? text.replacingOccurrences(of: String(token), with: "abcdef.0123456789abcdef") : text
            }
            #expect(await eventually(timeout: .seconds(20)) { !(await access.bootFailures(namespace: "lab", cluster: "demo").isEmpty) })
            let failures = await access.bootFailures(namespace: "lab", cluster: "demo")
            #expect(failures.keys.sorted() == ["demo-work-01"])
            #expect(failures["demo-work-01"]?.contains("does not match the cluster's token") == true)
            #expect(await eventually { await Self.nodes(access).map(\.name) == ["demo-cp-01"] })

            let client = harness.client
            let rejections = { @Sendable () async -> [JSONValue] in
                ((try? await client.list(.events, namespace: "lab"))?.items ?? []).filter {
                    $0["reason"] == .string(ProvisioningObjects.bootRejectedReason)
                }
            }
            #expect(await eventually { await !rejections().isEmpty })
            let event = try #require(await rejections().first)
            #expect(event["type"] == "Warning")
            #expect(event[path: ["involvedObject", "kind"]] == "VirtualMachine")
            #expect(event[path: ["involvedObject", "name"]] == "demo-work-01")
            #expect(event["message"]?.stringValue == failures["demo-work-01"])
            // The refused VM still runs (a broken guest is still a running machine), with no Node.
            #expect(
                await eventually {
                    (try? await harness.client.get(.virtualMachines, namespace: "lab", name: "demo-work-01"))?[path: [
                        "status", "printableStatus",
                    ]] == "Running"
                })
            #expect(await Self.nodes(access).map(\.name) == ["demo-cp-01"])
        }
    }

    @Test func aJoinerWaitsForItsControlPlane() async throws {
        try await Self.withGuests { harness in
            let access = harness.access
            let plan = try Self.plan()
            // The agent first: it has no cluster to join until the server runs.
            _ = try? await harness.client.create(
                .namespaces, object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "lab"]])
            let worker = try #require(plan.nodes.last)
            _ = try await harness.client.create(.secrets, namespace: "lab", object: worker.userDataSecret)
            _ = try await harness.client.create(.virtualMachines, namespace: "lab", object: worker.virtualMachine)
            #expect(
                await eventually {
                    (try? await harness.client.get(.virtualMachines, namespace: "lab", name: "demo-work-01"))?[path: [
                        "status", "printableStatus",
                    ]] == "Running"
                })
            #expect(await access.nodes(namespace: "lab", cluster: "demo") == nil)
            let server = try #require(plan.nodes.first)
            _ = try await harness.client.create(.secrets, namespace: "lab", object: server.userDataSecret)
            _ = try await harness.client.create(.virtualMachines, namespace: "lab", object: server.virtualMachine)
            #expect(await eventually(timeout: .seconds(20)) { await Self.nodes(access).filter(\.ready).count == 2 })
            await access.removeCluster(namespace: "lab", cluster: "demo")
        }
    }

    @Test func theClusterAndItsKubeconfigSurviveARestart() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.path + "/data"
        let first = Mutex("")
        try await Self.withGuests(dataDirectory: data) { harness in
            try await Self.apply(try Self.plan(), to: harness.client)
            #expect(await eventually(timeout: .seconds(20)) { await Self.nodes(harness.access).filter(\.ready).count == 2 })
            let kubeconfig = try #require(await harness.access.kubeconfig(namespace: "lab", cluster: "demo"))
            first.withLock { $0 = kubeconfig }
        }
        let token = { (kubeconfig: String) in kubeconfig.split(separator: "\n").first { $0.contains("token: ") } }
        #expect(token(first.withLock { $0 }) != nil)
        // The next run: no guest has booted yet, the cluster is only on disk.
        try await TestCluster.run(configure: { $0.dataDirectory = data }) { cluster in
            var quiet = Logger(label: "test.provisioned-guests")
            quiet.logLevel = .critical
            let guests = ProvisionedClusterGuests(clusters: cluster.server.virtualClusters, logger: quiet)
            let access = EmbeddedProvisionedClusterAccess(guests: guests, certificateAuthorityPEM: cluster.certificates.caCertificatePEM) {
                [url = cluster.url] in url
            }
            #expect(await access.nodes(namespace: "lab", cluster: "demo")?.map(\.name) == ["demo-cp-01", "demo-work-01"])
            let kubeconfig = try #require(await access.kubeconfig(namespace: "lab", cluster: "demo"))
            #expect(token(kubeconfig) == token(first.withLock { $0 }))
            let nested = try cluster.client(kubeconfig: kubeconfig)
            #expect(try await nested.list(.nodes).items.count == 2)
            let id = ProvisionedClusterID.make(namespace: "lab", cluster: "demo")
            #expect(cluster.server.virtualClusters.cluster(id)?.servedVersion.gitVersion == "v1.31.4+k3s1")
            await access.removeCluster(namespace: "lab", cluster: "demo")
            #expect(!cluster.server.virtualClusters.exists(id))
        }
    }
}
