import ControllerKit
import Foundation
import KubeClient
import KubeModel
import LabPool
import Logging
import ServiceLifecycle
import Testing
import VirtyardServer
import VirtyardTesting

@testable import Simulation

/// The simulation's controllers against the embedded API over HTTPS, as `virtyard serve`
/// runs them.
@Suite(.serialized) struct SimulationIntegrationTests {
    /// Installs the KubeVirt CRDs, runs every simulation controller, and hands the client to
    /// `body`.
    static func withSimulation(
        _ configuration: SimulationConfiguration,
        _ body: @Sendable (HTTPKubernetesClient) async throws -> Void
    ) async throws {
        try await withSimulation(configuration, hostingVirtualClusters: false) { client, _ in try await body(client) }
    }

    /// With `hostingVirtualClusters`, VMs labelled `virtyard.io/virtual-cluster` host virtual
    /// clusters of the test's server, as in `virtyard serve`; the lab pool's controllers then
    /// reach the API through `labAPI` (a fault-injecting wrapper, say).
    static func withSimulation(
        _ configuration: SimulationConfiguration, hostingVirtualClusters: Bool,
        labAPI: @Sendable (any KubernetesAPI) -> any KubernetesAPI = { $0 },
        _ body: @Sendable (HTTPKubernetesClient, TestCluster) async throws -> Void
    ) async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            var quiet = Logger(label: "test.simulation")
            quiet.logLevel = .critical
            var configuration = configuration
            if hostingVirtualClusters {
                configuration.guests = VirtualClusterGuests(
                    clusters: cluster.server.virtualClusters,
                    dataDirectory: cluster.directory.path, logger: quiet)
            }
            _ = try await CRDInstaller.bundled().installMissing(into: client, logger: quiet)
            let informers = SharedInformerFactory(api: client, logger: quiet)
            var services = SimulationControllers.services(api: client, informers: informers, configuration: configuration, logger: quiet)
            if hostingVirtualClusters {
                services += LabPoolControllers.services(
                    api: labAPI(client), informers: informers,
                    configuration: LabPoolControllers.Configuration(
                        probe: VirtualClusterProbe(clusters: cluster.server.virtualClusters),
                        access: VirtualClusterAccess(
                            clusters: cluster.server.virtualClusters,
                            certificateAuthorityPEM: cluster.certificates.caCertificatePEM
                        ) { [url = cluster.url] in url }),
                    logger: quiet)
            }
            try await withRunningServices(informers: informers, services: services) {
                try await body(client, cluster)
            }
        }
    }

    static func virtualMachine(
        _ name: String, cores: Int64 = 2, memory: String = "4Gi",
        runStrategy: String = "Always"
    ) -> JSONValue {
        var vm: JSONValue = [
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": [:],
            "spec": [
                "runStrategy": .string(runStrategy),
                "template": [
                    "metadata": ["labels": ["kubevirt.io/domain": .string(name)]],
                    "spec": ["domain": ["cpu": ["cores": .int(cores)], "memory": ["guest": .string(memory)], "devices": [:]]],
                ],
            ],
        ]
        vm.name = name
        vm.namespace = "default"
        return vm
    }

    static func snapshot(_ name: String, of vm: String) -> JSONValue {
        [
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": ["source": ["apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": .string(vm)]],
        ]
    }

    static func restore(_ name: String, of vm: String, from snapshot: String) -> JSONValue {
        [
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineRestore",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "target": ["apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": .string(vm)],
                "virtualMachineSnapshotName": .string(snapshot),
            ],
        ]
    }

    static func status(_ client: HTTPKubernetesClient, vm name: String) async -> String? {
        try? await client.get(.virtualMachines, namespace: "default", name: name)[path: ["status", "printableStatus"]]?.stringValue
    }

    @Test func virtualMachineRunsOnASimulatedNodeWithKubeVirtsLauncher() async throws {
        try await Self.withSimulation(SimulationConfiguration(nodeCount: 2)) { client in
            _ = try await client.create(.virtualMachines, namespace: "default", object: Self.virtualMachine("web"))
            #expect(await eventually { await Self.status(client, vm: "web") == "Running" })
            let vmi = try await client.get(.virtualMachineInstances, namespace: "default", name: "web")
            let node = try #require(vmi[path: ["status", "nodeName"]]?.stringValue)
            #expect(node.hasPrefix("kwok-node-"))
            let pods = try await client.list(
                .pods, namespace: "default",
                options: ListOptions(labelSelector: "kubevirt.io/created-by=\(vmi.uid ?? "")")
            ).items
            #expect(pods.count == 1)
            let pod = try #require(pods.first)
            #expect(pod.name?.hasPrefix("virt-launcher-web-") == true)
            #expect(pod[path: ["spec", "nodeName"]]?.stringValue == node)
            #expect(pod[path: ["status", "phase"]]?.stringValue == "Running")
            #expect(pod[path: ["status", "podIP"]] == vmi[path: ["status", "interfaces"]]?.arrayValue?.first?["ipAddress"])
            let requests = pod[path: ["spec", "containers"]]?.arrayValue?.first?[path: ["resources", "requests"]]
            // 2 vCPUs at the default allocation ratio of 10.
            #expect(requests?["cpu"]?.stringValue == "200m")
            // 4 GiB + 4 GiB/512 page tables + 220 MiB fixed + 2 × 8 MiB + 16 MiB video.
            let expectedMemory = Int64(4 << 30) + Int64(4 << 30) / 512 + Int64(220 + 16 + 16) << 20
            #expect(Quantity(json: requests?["memory"])?.value == expectedMemory)

            // Halted: the instance and its launcher go.
            _ = try await client.patch(
                .virtualMachines, namespace: "default", name: "web",
                patch: ["spec": ["runStrategy": "Halted"]])
            #expect(await eventually { await Self.status(client, vm: "web") == "Stopped" })
            #expect(
                await eventually {
                    (try? await client.list(.pods, namespace: "default"))?.items.isEmpty == true
                })
        }
    }

    @Test func unschedulableVMStartsWhenCapacityFrees() async throws {
        // One node of 8 GiB: two 5 GiB VMs cannot both run.
        let configuration = SimulationConfiguration(nodeCount: 1, nodeCPU: Quantity(4), nodeMemory: Quantity(8 << 30))
        try await Self.withSimulation(configuration) { client in
            _ = try await client.create(.virtualMachines, namespace: "default", object: Self.virtualMachine("first", memory: "5Gi"))
            #expect(await eventually { await Self.status(client, vm: "first") == "Running" })
            _ = try await client.create(.virtualMachines, namespace: "default", object: Self.virtualMachine("second", memory: "5Gi"))
            #expect(await eventually { await Self.status(client, vm: "second") == "ErrorUnschedulable" })
            let pending = try await client.list(.pods, namespace: "default").items.first { $0[path: ["spec", "nodeName"]] == nil }
            let condition = pending?[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "PodScheduled" }
            #expect(condition?["reason"]?.stringValue == "Unschedulable")
            #expect(condition?["message"]?.stringValue == "0/1 nodes are available: 1 Insufficient memory.")

            _ = try await client.patch(
                .virtualMachines, namespace: "default", name: "first",
                patch: ["spec": ["runStrategy": "Halted"]])
            #expect(await eventually(timeout: .seconds(20)) { await Self.status(client, vm: "second") == "Running" })
        }
    }

    @Test func liveMigrationMovesTheInstanceToAnotherNode() async throws {
        try await Self.withSimulation(SimulationConfiguration(nodeCount: 3, migrationDuration: .milliseconds(200))) { client in
            _ = try await client.create(.virtualMachines, namespace: "default", object: Self.virtualMachine("mover"))
            #expect(await eventually { await Self.status(client, vm: "mover") == "Running" })
            let before = try await client.get(.virtualMachineInstances, namespace: "default", name: "mover")
            let source = try #require(before[path: ["status", "nodeName"]]?.stringValue)
            let migration: JSONValue = [
                "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstanceMigration",
                "metadata": ["name": "move-1", "namespace": "default"], "spec": ["vmiName": "mover"],
            ]
            _ = try await client.create(.virtualMachineInstanceMigrations, namespace: "default", object: migration)
            #expect(
                await eventually {
                    let phase = try? await client.get(.virtualMachineInstanceMigrations, namespace: "default", name: "move-1")[
                        path: ["status", "phase"]]?.stringValue
                    return phase == "Succeeded"
                })
            let after = try await client.get(.virtualMachineInstances, namespace: "default", name: "mover")
            let target = try #require(after[path: ["status", "nodeName"]]?.stringValue)
            #expect(target != source)
            #expect(after[path: ["status", "migrationState", "completed"]]?.boolValue == true)
            #expect(after[path: ["status", "migrationState", "sourceNode"]]?.stringValue == source)
            // Only the target launcher is left, and the VM is still running there.
            #expect(
                await eventually {
                    let pods = (try? await client.list(.pods, namespace: "default"))?.items ?? []
                    return pods.count == 1 && pods.first?[path: ["spec", "nodeName"]]?.stringValue == target
                })
            #expect(await Self.status(client, vm: "mover") == "Running")
        }
    }

    @Test func snapshotThenRestoreBringsTheSpecBack() async throws {
        let configuration = SimulationConfiguration(
            nodeCount: 1, snapshotDuration: .milliseconds(200),
            restoreDuration: .milliseconds(200))
        try await Self.withSimulation(configuration) { client in
            _ = try await client.create(
                .virtualMachines, namespace: "default",
                object: Self.virtualMachine("db", cores: 2, runStrategy: "Halted"))
            _ = try await client.create(.virtualMachineSnapshots, namespace: "default", object: Self.snapshot("db-snap", of: "db"))
            #expect(
                await eventually {
                    let status = try? await client.get(.virtualMachineSnapshots, namespace: "default", name: "db-snap")["status"]
                    return status?["phase"]?.stringValue == "Succeeded" && status?["readyToUse"]?.boolValue == true
                })
            _ = try await client.patch(
                .virtualMachines, namespace: "default", name: "db",
                patch: ["spec": ["template": ["spec": ["domain": ["cpu": ["cores": 8]]]]]])
            _ = try await client.create(
                .virtualMachineRestores, namespace: "default",
                object: Self.restore("db-restore", of: "db", from: "db-snap"))
            #expect(
                await eventually {
                    let status = try? await client.get(.virtualMachineRestores, namespace: "default", name: "db-restore")["status"]
                    return status?["complete"]?.boolValue == true && status?["restoreTime"] != nil
                })
            let vm = try await client.get(.virtualMachines, namespace: "default", name: "db")
            #expect(vm[path: ["spec", "template", "spec", "domain", "cpu", "cores"]]?.intValue == 2)
            #expect(vm.annotations["restore.kubevirt.io/lastRestoreUID"]?.hasPrefix("db-restore-") == true)
        }
    }

    @Test func controlPlaneVMHostsAVirtualClusterThatItsSnapshotRestores() async throws {
        let configuration = SimulationConfiguration(
            nodeCount: 1, snapshotDuration: .milliseconds(200),
            restoreDuration: .milliseconds(200))
        try await Self.withSimulation(configuration, hostingVirtualClusters: true) { client, cluster in
            var vm = Self.virtualMachine("cp-1")
            vm[path: ["spec", "template", "metadata", "labels", "virtyard.io/virtual-cluster"]] = "cluster1"
            _ = try await client.create(.virtualMachines, namespace: "default", object: vm)
            #expect(await eventually { await Self.status(client, vm: "cp-1") == "Running" })
            let hosted = try #require(cluster.server.virtualClusters.cluster("cluster1"))
            hosted.tokens.grant("session-token")
            let nested = try cluster.client(
                kubeconfig: cluster.kubeconfig(
                    server: cluster.url + "/clusters/cluster1",
                    token: "session-token"))
            _ = try await nested.create(.configMaps, namespace: "default", object: configMap("baseline"))
            // The server's own tree does not see the nested cluster's objects.
            #expect(try await client.list(.configMaps, namespace: "default").items.compactMap(\.name).contains("baseline") == false)

            _ = try await client.create(
                .virtualMachineSnapshots, namespace: "default",
                object: Self.snapshot("cp-1-snapshot", of: "cp-1"))
            #expect(
                await eventually {
                    let status = try? await client.get(.virtualMachineSnapshots, namespace: "default", name: "cp-1-snapshot")["status"]
                    return status?["readyToUse"]?.boolValue == true
                })
            // The session's work, then the reset: stop, restore, start.
            _ = try await nested.create(.configMaps, namespace: "default", object: configMap("user-work"))
            _ = try await nested.delete(.configMaps, namespace: "default", name: "baseline")
            _ = try await client.patch(
                .virtualMachines, namespace: "default", name: "cp-1",
                patch: ["spec": ["runStrategy": "Halted"]])
            #expect(await eventually { await Self.status(client, vm: "cp-1") == "Stopped" })
            _ = try await client.create(
                .virtualMachineRestores, namespace: "default",
                object: Self.restore("cp-1-reset", of: "cp-1", from: "cp-1-snapshot"))
            #expect(
                await eventually {
                    (try? await client.get(.virtualMachineRestores, namespace: "default", name: "cp-1-reset"))?[path: [
                        "status", "complete",
                    ]]?.boolValue == true
                })
            // Every namespace also holds kube-root-ca.crt, which the restore leaves alone.
            let names = try await nested.list(.configMaps, namespace: "default").items.compactMap(\.name)
            #expect(names.filter { $0 != "kube-root-ca.crt" } == ["baseline"])

            // The cluster goes with its VM.
            _ = try await client.delete(.virtualMachines, namespace: "default", name: "cp-1")
            #expect(await eventually { cluster.server.virtualClusters.cluster("cluster1") == nil })
        }
    }

    @Test func labPoolBootstrapsClustersAndResetsThemToTheBaseline() async throws {
        let configuration = SimulationConfiguration(
            nodeCount: 2, snapshotDuration: .milliseconds(100),
            restoreDuration: .milliseconds(100))
        try await Self.withSimulation(configuration, hostingVirtualClusters: true) { client, cluster in
            let pool: JSONValue = [
                "apiVersion": "virtyard.io/v1alpha1", "kind": "LabPool", "metadata": ["name": "default"],
                "spec": ["size": 2],
            ]
            _ = try await client.create(.labPools, object: pool)
            func phase(_ id: String) async -> String? {
                try? await client.get(.labClusters, namespace: id, name: id)[path: ["status", "phase"]]?.stringValue
            }
            #expect(
                await eventually(timeout: .seconds(30)) {
                    let phases = [await phase("cluster1"), await phase("cluster2")]
                    return phases == ["Available", "Available"]
                })
            let vms = try await client.list(.virtualMachines, namespace: "cluster1").items.compactMap(\.name)
            #expect(vms == ["cp-cluster1", "wk-cluster1"])
            let snapshots = try await client.list(.virtualMachineSnapshots, namespace: "cluster1").items.compactMap(\.name)
            #expect(snapshots == ["cp-cluster1-snapshot", "wk-cluster1-snapshot"])

            // A session's work in the nested cluster, then a reset.
            let nestedCluster = try #require(cluster.server.virtualClusters.cluster("cluster1"))
            nestedCluster.tokens.grant("session")
            let nested = try cluster.client(kubeconfig: cluster.kubeconfig(server: cluster.url + "/clusters/cluster1", token: "session"))
            // The nested cluster has the two VMs as Ready nodes, part of its baseline.
            let nodes = try await nested.list(.nodes).items
            #expect(nodes.compactMap(\.name).sorted() == ["cp-cluster1", "wk-cluster1"])
            #expect(nodes.allSatisfy { $0[path: ["status", "conditions"]]?.arrayValue?.first?["status"] == "True" })
            _ = try await nested.create(.configMaps, namespace: "default", object: configMap("user-work"))
            let before = try await client.get(.labClusters, namespace: "cluster1", name: "cluster1")
            _ = try await client.patch(
                .labClusters, namespace: "cluster1", name: "cluster1",
                patch: ["status": ["phase": "Resetting"]], type: .merge, subresource: "status",
                options: .default)
            #expect(
                await eventually(timeout: .seconds(30)) {
                    guard let now = try? await client.get(.labClusters, namespace: "cluster1", name: "cluster1") else { return false }
                    return now[path: ["status", "phase"]]?.stringValue == "Available"
                        && now[path: ["status", "resetCount"]]?.intValue == 1
                })
            #expect(try await nested.list(.configMaps, namespace: "default").items.compactMap(\.name).contains("user-work") == false)
            #expect(try await nested.list(.nodes).items.count == 2)
            let after = try await client.get(.labClusters, namespace: "cluster1", name: "cluster1")
            #expect(after[path: ["status", "lastReset"]] != nil)
            #expect(before[path: ["status", "resetCount"]] == nil)
            #expect(await phase("cluster2") == "Available")
        }
    }

    /// A lease is written, then the session's start fails (its token Secret cannot be
    /// created, twice): a later pass must still start it on the cluster it holds.
    @Test func aSessionWhoseStartFailsIsStartedOnItsClusterByALaterPass() async throws {
        let failures = FailingCreates.Budget(2)
        let configuration = SimulationConfiguration(
            nodeCount: 2, snapshotDuration: .milliseconds(100),
            restoreDuration: .milliseconds(100))
        try await Self.withSimulation(
            configuration, hostingVirtualClusters: true,
            labAPI: { FailingCreates(base: $0, resource: .secrets, budget: failures) }
        ) { client, _ in
            _ = try await client.create(
                .labPools,
                object: ["apiVersion": "virtyard.io/v1alpha1", "kind": "LabPool", "metadata": ["name": "default"], "spec": ["size": 1]])
            #expect(
                await eventually(timeout: .seconds(60)) {
                    let clusters = (try? await client.list(.labClusters).items) ?? []
                    return clusters.count == 1 && clusters[0][path: ["status", "phase"]]?.stringValue == "Available"
                })
            let session: JSONValue = [
                "apiVersion": "virtyard.io/v1alpha1", "kind": "LabSession",
                "metadata": ["name": "unlucky", "namespace": "default"], "spec": ["user": "student"],
            ]
            _ = try await client.create(.labSessions, namespace: "default", object: session)
            #expect(
                await eventually(timeout: .seconds(30)) {
                    let current = try? await client.get(.labSessions, namespace: "default", name: "unlucky")
                    return current?[path: ["status", "phase"]]?.stringValue == "Running"
                        && current?[path: ["status", "cluster"]]?.stringValue == "cluster1"
                })
            #expect(failures.used == 2)
            let secret = try await client.get(.secrets, namespace: "default", name: "lab-session-unlucky")
            #expect(secret[path: ["data", "token"]]?.stringValue?.isEmpty == false)
            let cluster = try await client.get(.labClusters, namespace: "cluster1", name: "cluster1")
            #expect(cluster[path: ["status", "assignedSession"]]?.stringValue == "unlucky")
        }
    }

    @Test func concurrentSessionsGetOneClusterEachAndTheRestWaitInOrder() async throws {
        let configuration = SimulationConfiguration(
            nodeCount: 3, snapshotDuration: .milliseconds(100),
            restoreDuration: .milliseconds(100))
        try await Self.withSimulation(configuration, hostingVirtualClusters: true) { client, cluster in
            _ = try await client.create(
                .labPools,
                object: [
                    "apiVersion": "virtyard.io/v1alpha1", "kind": "LabPool",
                    "metadata": ["name": "default"], "spec": ["size": 10],
                ])
            #expect(
                await eventually(timeout: .seconds(60)) {
                    let clusters = (try? await client.list(.labClusters).items) ?? []
                    return clusters.count == 10 && clusters.allSatisfy { $0[path: ["status", "phase"]]?.stringValue == "Available" }
                })
            // 100 starts at once; the request time orders them.
            let base = Date()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let requested = Timestamp.microString(base.addingTimeInterval(Double(index) / 1000))
                        let session: JSONValue = [
                            "apiVersion": "virtyard.io/v1alpha1", "kind": "LabSession",
                            "metadata": [
                                "name": .string(String(format: "s%03d", index)), "namespace": "default",
                                "annotations": ["virtyard.io/requested-at": .string(requested)],
                            ],
                            "spec": ["user": .string("user\(index)")],
                        ]
                        _ = try await client.create(.labSessions, namespace: "default", object: session)
                    }
                }
                try await group.waitForAll()
            }
            func sessions() async -> [JSONValue] { (try? await client.list(.labSessions, namespace: "default").items) ?? [] }
            #expect(
                await eventually(timeout: .seconds(30)) {
                    let all = await sessions()
                    let running = all.filter { $0[path: ["status", "phase"]]?.stringValue == "Running" }
                    let pending = all.filter { $0[path: ["status", "queuePosition"]]?.intValue != nil }
                    return running.count == 10 && pending.count == 90
                })
            let all = await sessions()
            let running = all.filter { $0[path: ["status", "phase"]]?.stringValue == "Running" }
            // Ten clusters, one session each; the other 90 wait in the order they were asked for
            // (names follow the request times). Which ten won depends on which requests had
            // arrived when the clusters were handed out.
            #expect(Set(running.compactMap { $0[path: ["status", "cluster"]]?.stringValue }).count == 10)
            let pending = all.filter { $0[path: ["status", "phase"]]?.stringValue == "Pending" }.sorted {
                ($0.name ?? "") < ($1.name ?? "")
            }
            #expect(pending.compactMap { $0[path: ["status", "queuePosition"]]?.intValue } == (1...90).map(Int64.init))
            let lockedBy = try await client.list(.labClusters).items.compactMap { $0[path: ["status", "assignedSession"]]?.stringValue }
            #expect(Set(lockedBy) == Set(running.compactMap(\.name)))

            // The session's token reaches its cluster and no other.
            let first = try #require(running.min { ($0.name ?? "") < ($1.name ?? "") })
            let firstName = try #require(first.name)
            let id = try #require(first[path: ["status", "cluster"]]?.stringValue)
            let secret = try await client.get(.secrets, namespace: "default", name: "lab-session-\(firstName)")
            let token = try #require(
                secret[path: ["data", "token"]]?.stringValue.flatMap { Data(base64Encoded: $0) }
                    .flatMap { String(data: $0, encoding: .utf8) })
            let own = try cluster.client(kubeconfig: cluster.kubeconfig(server: cluster.url + "/clusters/\(id)", token: token))
            _ = try await own.create(.configMaps, namespace: "default", object: configMap("homework"))
            let other = running.compactMap { $0[path: ["status", "cluster"]]?.stringValue }.first { $0 != id } ?? ""
            let elsewhere = try cluster.client(kubeconfig: cluster.kubeconfig(server: cluster.url + "/clusters/\(other)", token: token))
            await #expect(throws: KubeClientError.self) { _ = try await elsewhere.list(.configMaps, namespace: "default") }

            // Ending it resets its cluster and serves the head of the queue.
            let head = try #require(pending.first?.name)
            let second = try #require(pending.dropFirst().first?.name)
            _ = try await client.delete(.labSessions, namespace: "default", name: firstName)
            #expect(
                await eventually(timeout: .seconds(30)) {
                    let next = try? await client.get(.labSessions, namespace: "default", name: head)
                    return next?[path: ["status", "phase"]]?.stringValue == "Running"
                        && next?[path: ["status", "cluster"]]?.stringValue == id
                })
            await #expect(throws: KubeClientError.self) { _ = try await own.list(.configMaps, namespace: "default") }
            let nextSecret = try await client.get(.secrets, namespace: "default", name: "lab-session-\(head)")
            let nextToken = try #require(
                nextSecret[path: ["data", "token"]]?.stringValue.flatMap { Data(base64Encoded: $0) }
                    .flatMap { String(data: $0, encoding: .utf8) })
            let fresh = try cluster.client(kubeconfig: cluster.kubeconfig(server: cluster.url + "/clusters/\(id)", token: nextToken))
            #expect(try await fresh.list(.configMaps, namespace: "default").items.compactMap(\.name).contains("homework") == false)
            // Queue positions move up once the head is served; they are written after the assignment.
            #expect(
                await eventually(timeout: .seconds(30)) {
                    let waiting = try? await client.get(.labSessions, namespace: "default", name: second)
                    return waiting?[path: ["status", "queuePosition"]]?.intValue == 1
                })
        }
    }
}
