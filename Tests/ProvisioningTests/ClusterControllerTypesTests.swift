import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import Testing
import VirtyardTesting

@testable import Provisioning

/// The controller per cluster type (API ports, GENERIC, OKD's temporary bootstrap node), the
/// supporting services' rendered objects, and the pure readings it is built on.
@Suite struct ClusterControllerTypesTests {
    typealias Harness = ClusterControllerHarness

    @Test func okdRemovesItsBootstrapNodeOnceTheControlPlaneIsUp() async throws {
        try await Harness.run { harness in
            var spec = Fixtures.spec(.okd)
            spec.nodeGroups = [
                Fixtures.group("bootstrap", .bootstrap, memoryMB: 16384), Fixtures.group("master", .controlPlane, memoryMB: 16384),
                Fixtures.group("worker", .worker),
            ]
            try await harness.createCluster(spec)
            try await harness.reconcile("demo")
            #expect(try await harness.vmNames("demo") == ["demo-bootstrap-01", "demo-master-01", "demo-worker-01"])
            let ports = try await harness.get(.provisioningServices, "demo-api")?[path: ["spec", "ports"]]?.arrayValue
            #expect(ports?.compactMap { $0["port"]?.intValue } == [6443, 22623])

            harness.access?.join("demo-bootstrap-01", version: "4.19.0")
            harness.access?.join("demo-master-01", version: "4.19.0", controlPlane: true)
            try await harness.reconcile("demo")
            #expect(try await harness.cluster("demo").phase == .postProvisioning)
            harness.access?.join("demo-worker-01", version: "4.19.0")
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.state == .completed })
            #expect(try await harness.vmNames("demo") == ["demo-master-01", "demo-worker-01"])
            #expect(harness.access?.removedNodes == ["demo-bootstrap-01"])
            // Removed for good: the next passes do not bring it back as drift.
            try await harness.reconcile("demo")
            #expect(try await harness.vmNames("demo") == ["demo-master-01", "demo-worker-01"])
            #expect(try await harness.cluster("demo").conditions.condition("Drifted") == nil)
        }
    }

    @Test func rke2ExposesTheSupervisorPort() async throws {
        try await Harness.run(access: nil) { harness in
            try await harness.createCluster(Fixtures.spec(.rke2))
            try await harness.reconcile("demo")
            let ports = try await harness.get(.provisioningServices, "demo-api")?[path: ["spec", "ports"]]?.arrayValue
            #expect(ports?.compactMap { $0["port"]?.intValue } == [6443, 9345])
        }
    }

    @Test func genericClustersHaveNoAPIServiceAndAreReadyWhenTheirVMsAre() async throws {
        // Access is ignored for GENERIC: no Node ever joins, the VMs decide.
        try await Harness.run { harness in
            try await harness.createCluster(Fixtures.spec(.generic))
            try await harness.reconcile("demo")
            #expect(try await harness.get(.provisioningServices, "demo-api") == nil)
            for vm in try await harness.vmNames("demo") { try await harness.markReady(vm) }
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.state == .completed })
            #expect(try await harness.cluster("demo").endpoint == nil)
        }
    }

    @Test func theControllerServiceRunsAClusterToCompletion() async throws {
        // The wiring: informers, watches (VM status changes bring the cluster back), workers.
        try await Harness.run(access: nil) { harness in
            let services = ProvisioningControllers.services(
                api: harness.api, informers: harness.informers, configuration: .init(auditNamespace: Harness.namespace),
                logger: harness.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try await service.run() } }
                defer { group.cancelAll() }
                try await harness.createCluster(ClusterControllerTests.k3s(workers: 1))
                #expect(await eventually { (try? await harness.vmNames("demo").count) == 2 })
                for vm in try await harness.vmNames("demo") { try await harness.markReady(vm) }
                #expect(await eventually { (try? await harness.operation(of: "demo"))??.state == .completed })
            }
        }
    }

    // MARK: - Supporting services, rendered

    static func services(_ list: [ServiceSpec]) throws -> ClusterServiceObjects {
        var spec = Fixtures.spec(.k3s)
        spec.services = list
        return ClusterServiceObjects(cluster: try ClusterSpecValidation.validate(spec), namespace: "lab", owner: nil)
    }

    @Test func dnsmasqConfigurationIsValidCloudConfigAndKeepsHostileValuesOut() throws {
        let objects = try Self.services([
            ServiceSpec(
                name: "dns", type: .dns, configuration: ["upstream": "9.9.9.9\naddress=/evil/1.2.3.4", "upstreamServers": ["1.1.1.1"]]),
            ServiceSpec(name: "pxe", type: .pxeBoot, configuration: ["bootFile": "ipxe.efi"]),
        ])
        let validated = objects.cluster
        let dns = objects.dnsmasqConfiguration(validated.services[0], apiAddress: "10.96.0.10")
        #expect(dns.contains("server=1.1.1.1"))
        #expect(!dns.contains("evil"))
        #expect(dns.contains("address=/demo-api.lab.svc/10.96.0.10"))
        let pxe = objects.dnsmasqConfiguration(validated.services[1], apiAddress: nil)
        #expect(pxe.contains("enable-tftp") && pxe.contains("dhcp-boot=ipxe.efi"))

        let userData = objects.dnsmasqUserData(validated.services[0], hostname: "demo-dns", apiAddress: nil)
        let outcome = try SharedTools.checkBootConfig(userData, kind: "cloud-config")
        #expect(outcome.status == 0, "\(outcome.output)")
    }

    @Test func storageAndMonitoringAreRecordedAsConfigMaps() throws {
        let objects = try Self.services([ServiceSpec(name: "metrics", type: .monitoring, configuration: ["retention": "7d"])])
        let made = objects.objects(for: objects.cluster.services[0], apiAddress: nil)
        #expect(made.count == 1 && made[0].0 == .configMaps)
        #expect(made[0].1.labels[ProvisioningLabels.service] == "metrics")
        #expect(made[0].1[path: ["data", "type"]] == "MONITORING")
    }

    @Test func aServiceNamedApiDoesNotTakeTheAPIServicesName() throws {
        let objects = try Self.services([ServiceSpec(name: "api", type: .loadBalancer)])
        #expect(objects.objectName("api") != "demo-api")
        #expect(ClusterSpecValidation.isDNSLabel(objects.objectName("api")))
    }

    // MARK: - Pure readings

    static let vm: JSONValue = [
        "metadata": ["name": "demo-cp-01", "annotations": ["virtyard.io/cluster-version": "v1.32.0+k3s1"]],
        "spec": ["runStrategy": "Always", "template": ["spec": ["domain": ["memory": ["guest": "2048Mi"]]]]],
    ]

    @Test func readinessComesFromTheNodeWhenTheClusterIsRead() {
        let node = ProvisionedNode(name: "demo-cp-01", ready: true, kubeletVersion: "v1.32.0+k3s1", controlPlane: true)
        let ready = NodeObservation.observe(
            name: "demo-cp-01", group: "cp", vm: Self.vm, vmiPhase: "Running", nodes: [node], targetVersion: "v1.32.0+k3s1",
            kubernetesVersion: "v1.32.0", bootFailure: nil)
        #expect(ready.ready && ready.updated && ready.status == .ready)
        // The VM runs but its Node has not joined yet: configuring, not ready.
        let joining = NodeObservation.observe(
            name: "demo-cp-01", group: "cp", vm: Self.vm, vmiPhase: "Running", nodes: [], targetVersion: "v1.32.0+k3s1",
            kubernetesVersion: "v1.32.0", bootFailure: nil)
        #expect(!joining.ready && joining.status == .configuring)
        // Rendered for an older version: ready, not updated.
        let old = NodeObservation.observe(
            name: "demo-cp-01", group: "cp", vm: Self.vm, vmiPhase: "Running", nodes: [node], targetVersion: "v1.33.0+k3s1",
            kubernetesVersion: "v1.33.0", bootFailure: nil)
        #expect(old.ready && !old.updated)
        let failed = NodeObservation.observe(
            name: "demo-cp-01", group: "cp", vm: Self.vm, vmiPhase: "Running", nodes: [], targetVersion: "v1.32.0+k3s1",
            kubernetesVersion: nil, bootFailure: "bad token")
        #expect(failed.status == .failed && failed.errorMessage == "bad token")
        // Without the cluster's API: the VMI's phase.
        let vmOnly = NodeObservation.observe(
            name: "demo-cp-01", group: "cp", vm: Self.vm, vmiPhase: "Scheduled", nodes: nil, targetVersion: "v1.32.0+k3s1",
            kubernetesVersion: nil, bootFailure: nil)
        #expect(!vmOnly.ready && vmOnly.status == .starting)
    }

    @Test func haltingIsNotDriftButEditingIs() {
        var halted = Self.vm
        halted[path: ["spec", "runStrategy"]] = "Halted"
        #expect(!VMDrift.hasDrifted(halted, planned: Self.vm))
        var edited = Self.vm
        edited[path: ["spec", "template", "spec", "domain", "memory", "guest"]] = "1Gi"
        #expect(VMDrift.hasDrifted(edited, planned: Self.vm))
        // Fields the server adds are not drift.
        var defaulted = Self.vm
        defaulted[path: ["spec", "template", "spec", "terminationGracePeriodSeconds"]] = 180
        #expect(!VMDrift.hasDrifted(defaulted, planned: Self.vm))
        #expect(VMDrift.repairPatch(planned: Self.vm)[path: ["spec", "runStrategy"]] == nil)
    }
}
