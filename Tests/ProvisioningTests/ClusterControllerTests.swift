import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

@testable import Provisioning

/// The ClusterDefinition controller against a real in-process API server, driven pass by pass.
@Suite struct ClusterControllerTests {
    typealias Harness = ClusterControllerHarness

    static func k3s(_ name: String = "demo", workers: Int = 2, services: [ServiceSpec]? = nil, rollback: RollbackStrategy? = nil)
        -> ClusterSpec
    {
        ClusterSpec(
            name: name, type: .k3s, version: "v1.32.0+k3s1",
            nodeGroups: [Fixtures.group("cp", .controlPlane), Fixtures.group("work", .worker, count: workers)], services: services,
            options: rollback.map { ProvisioningOptions(rollbackStrategy: $0) })
    }

    @Test func provisionsServicesInOrderThenSecretsAndVMsThenCompletes() async throws {
        try await Harness.run { harness in
            let services = [
                ServiceSpec(name: "lb", type: .loadBalancer, dependsOn: ["dns"]),
                ServiceSpec(name: "dns", type: .dns, configuration: ["upstream": "9.9.9.9"]),
            ]
            try await harness.createCluster(Self.k3s(services: services))
            #expect(try await harness.reconcile("demo") == .requeueAfter(.seconds(1)))

            // Finalizer, an operation of the controller's own (kubectl-made cluster), the secrets.
            let cluster = try await harness.cluster("demo")
            #expect(cluster.finalizers == [ProvisioningObjects.finalizer])
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(ClusterOperationID.isValid(operation.name))
            #expect(operation.type == .provision)
            for secret in ["demo-ca", "demo-bootstrap", "demo-kubeconfig"] { #expect(try await harness.get(.secrets, secret) != nil) }
            // The API Service in front of the control plane's launcher pods.
            let apiService = try #require(try await harness.get(.provisioningServices, "demo-api"))
            #expect(apiService[path: ["spec", "ports"]]?.arrayValue?.compactMap { $0["port"]?.intValue } == [6443])
            #expect(apiService[path: ["spec", "selector", "virtyard.io/role"]] == "control-plane")
            #expect(apiService[path: ["spec", "selector", "kubevirt.io"]] == "virt-launcher")

            // dns first: its dnsmasq VM exists, lb (depends on dns) and the nodes wait for it.
            #expect(try await harness.vmNames("demo") == ["demo-dns"])
            #expect(try await harness.get(.provisioningServices, "demo-lb") == nil)
            #expect(try await harness.cluster("demo").phase == .configuringNetwork)
            let dnsConfig = try #require(try await harness.get(.secrets, "demo-dns-userdata"))
            #expect(Secret(dnsConfig).string("userdata")?.contains("server=9.9.9.9") == true)

            try await harness.markReady("demo-dns")
            try await harness.reconcile("demo")
            let lb = try #require(try await harness.get(.provisioningServices, "demo-lb"))
            #expect(lb.labels[ProvisioningLabels.service] == "lb" && lb[path: ["spec", "type"]] == "LoadBalancer")
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-dns", "demo-work-01", "demo-work-02"])
            for node in ["demo-cp-01", "demo-work-01", "demo-work-02"] {
                let vm = try #require(try await harness.get(.virtualMachines, node))
                #expect(vm.labels[ProvisioningLabels.managedBy] == "provisioning")
                #expect(vm.annotations["virtyard.io/cluster-version"] == "v1.32.0+k3s1")
                #expect(vm.ownerReferences.first?.uid == cluster.uid)
                #expect(try await harness.get(.secrets, "\(node)-userdata") != nil)
            }
            var op = try #require(try await harness.operation(of: "demo"))
            #expect(op.state == .provisioning)
            #expect(op.nodeStates.count == 3 && op.nodeStates.allSatisfy { $0.status == .creatingVM })

            // Every VM the controller wrote passes the real KubeVirt schema.
            let written = try await harness.api.list(.virtualMachines, namespace: Harness.namespace).items.map { vm in
                var clean = vm
                clean["status"] = nil
                clean.metadata = [
                    "name": vm.metadata["name"] ?? "", "namespace": vm.metadata["namespace"] ?? "", "labels": vm.metadata["labels"] ?? [:],
                ]
                return clean
            }
            let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(written)]
            let outcome = try SharedTools.validateObjects(list.serializedString())
            #expect(outcome.status == 0, "\(outcome.output)")

            // The nodes join: the operation completes.
            try await harness.joinAll("demo", version: "v1.32.0+k3s1")
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.state == .completed })
            op = try #require(try await harness.operation(of: "demo"))
            #expect(op.progress == 100 && op.endTime != nil)
            #expect(op.object[path: ["status", "successfulNodes"]]?.intValue == 3)
            let done = try await harness.cluster("demo")
            #expect(done.phase == .completed)
            #expect(done.runningVersion == "v1.32.0+k3s1")
            #expect(done.endpoint == "demo-api.clusters.svc")
            #expect(done.nodeGroups.map(\.readyReplicas) == [1, 2])
            #expect(StatusConditions.isTrue(done.conditions, "Ready"))
        }
    }

    @Test func aRestartedControllerRendersTheSameSecretsAndFinishes() async throws {
        try await Harness.run(access: nil) { harness in
            try await harness.createCluster(Self.k3s(workers: 1))
            try await harness.reconcile("demo", with: harness.reconciler())
            let bootstrap = try #require(try await harness.get(.secrets, "demo-bootstrap"))
            let userData = try #require(try await harness.get(.secrets, "demo-work-01-userdata"))

            // A new controller (kill -9, restart) resumes from the API's state alone.
            let restarted = harness.reconciler()
            for vm in try await harness.vmNames("demo") { try await harness.markReady(vm) }
            try await harness.reconcile("demo", with: restarted)
            #expect(try await harness.operation(of: "demo")?.state == .completed)
            #expect(try await harness.get(.secrets, "demo-bootstrap")?["data"] == bootstrap["data"])
            #expect(try await harness.get(.secrets, "demo-work-01-userdata")?["data"] == userData["data"])
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"])
        }
    }

    @Test func decommissionDeletesOnlyVMsTheProvisionerMade() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Self.k3s(workers: 1))
            try await harness.reconcile("demo")
            // A VM of the user's carrying the cluster's label, but not managed-by.
            var foreign = try #require(try await harness.get(.virtualMachines, "demo-work-01"))
            foreign.metadata = ["name": "demo-mine", "namespace": .string(Harness.namespace), "labels": ["virtyard.io/cluster": "demo"]]
            foreign["status"] = nil
            _ = try await harness.api.create(.virtualMachines, object: foreign)

            _ = try await harness.api.delete(.clusterDefinitions, namespace: Harness.namespace, name: "demo")
            #expect(try await harness.reconcile("demo") { try await harness.get(.clusterDefinitions, "demo") == nil })
            #expect(try await harness.vmNames("demo") == ["demo-mine"])
            #expect(try await harness.get(.secrets, "demo-ca") == nil)
            #expect(try await harness.get(.secrets, "demo-work-01-userdata") == nil)
            #expect(try await harness.get(.provisioningServices, "demo-api") == nil)
            #expect(harness.access?.removedClusters == ["\(Harness.namespace)/demo"])
            let operations = try await harness.api.list(.clusterOperations, namespace: Harness.namespace).items.map(
                ClusterOperationObject.init)
            let decommission = try #require(operations.first { $0.type == .decommission })
            #expect(decommission.state == .completed)
            // The provision it interrupted ends too.
            #expect(operations.first { $0.type == .provision }?.state == .cancelled)
        }
    }

    @Test func bootFailureRollsBackEverythingWithFull() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Self.k3s(workers: 1))
            try await harness.reconcile("demo")
            harness.access?.failBoot("demo-work-01", "token does not match the cluster's")
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.isFinished == true })
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.state == .rolledBack)
            #expect(operation.errorMessage?.contains("token does not match") == true)
            #expect(try await harness.vmNames("demo").isEmpty)
            #expect(try await harness.get(.secrets, "demo-ca") == nil)
            #expect(try await harness.cluster("demo").phase == .rolledBack)
            // Rolled back stays rolled back: nothing is made again.
            try await harness.reconcile("demo")
            #expect(try await harness.vmNames("demo").isEmpty)
        }
    }

    @Test func partialRollbackKeepsTheReadyNodes() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Self.k3s(workers: 2, rollback: .partial))
            try await harness.reconcile("demo")
            harness.access?.join("demo-cp-01", version: "v1.32.0+k3s1")
            harness.access?.join("demo-work-01", version: "v1.32.0+k3s1")
            try await harness.reconcile("demo")
            harness.access?.failBoot("demo-work-02", "endpoint not in the server certificate")
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.isFinished == true })
            #expect(try await harness.operation(of: "demo")?.state == .rolledBack)
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"])
        }
    }

    @Test func markFailedKeepsEverythingAndSaysWhy() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Self.k3s(workers: 1, rollback: .markFailed))
            try await harness.reconcile("demo")
            harness.access?.failBoot("demo-work-01", "bad token")
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.isFinished == true })
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.state == .failed)
            #expect(operation.nodeStates.first { $0.name == "demo-work-01" }?.status == .failed)
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"])
            #expect(try await harness.get(.virtualMachines, "demo-work-01")?.annotations["virtyard.io/provisioning-failed"] == "bad token")
        }
    }

    @Test func cancelRollsBackAndEndsCancelled() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Self.k3s(workers: 1))
            try await harness.reconcile("demo")
            let id = try #require(try await harness.operation(of: "demo")?.name)
            _ = try await harness.api.patch(
                .clusterOperations, namespace: Harness.namespace, name: id, patch: ["spec": ["cancelRequested": true]])
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.isFinished == true })
            #expect(try await harness.operation(of: "demo")?.state == .cancelled)
            #expect(try await harness.vmNames("demo").isEmpty)
        }
    }

    /// Provisions `demo` to COMPLETED with every node joined.
    static func provisioned(_ harness: Harness, workers: Int) async throws {
        try await harness.createCluster(Self.k3s(workers: workers))
        try await harness.reconcile("demo")
        try await harness.joinAll("demo", version: "v1.32.0+k3s1")
        #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.state == .completed })
    }

    @Test func scaleDownRemovesTheHighestIndexesNodeFirst() async throws {
        try await Harness.run { harness in
            try await Self.provisioned(harness, workers: 3)
            let first = try #require(try await harness.operation(of: "demo")?.name)
            try await harness.patchSpec("demo", ["nodeGroups": [Self.group("cp", "CONTROL_PLANE", 1), Self.group("work", "WORKER", 1)]])
            #expect(try await harness.reconcile("demo") { try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"] })
            #expect(Set(harness.access?.removedNodes ?? []) == ["demo-work-02", "demo-work-03"])
            #expect(try await harness.get(.secrets, "demo-work-03-userdata") == nil)
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.state == .completed })
            let scale = try #require(try await harness.operation(of: "demo"))
            #expect(scale.name != first && scale.type == .scale)
            #expect(try await harness.cluster("demo").nodeGroups.map(\.replicas) == [1, 1])
        }
    }

    @Test func rollingUpgradeReplacesOneNodeAtATime() async throws {
        try await Harness.run { harness in
            try await Self.provisioned(harness, workers: 1)
            try await harness.patchSpec("demo", ["version": "v1.33.1+k3s1"])
            try await harness.reconcile("demo")
            // One node replaced at a time, never edited in place.
            #expect(harness.access?.removedNodes == ["demo-cp-01"])
            #expect(try await harness.get(.virtualMachines, "demo-work-01")?.annotations["virtyard.io/cluster-version"] == "v1.32.0+k3s1")
            var passes = 0
            while try await harness.operation(of: "demo")?.state != .completed, passes < 20 {
                try await harness.joinAll("demo", version: "v1.33.1+k3s1")
                try await harness.reconcile("demo")
                passes += 1
            }
            #expect(harness.access?.removedNodes == ["demo-cp-01", "demo-work-01"])
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.type == .upgrade && operation.state == .completed)
            let cluster = try await harness.cluster("demo")
            #expect(cluster.runningVersion == "v1.33.1+k3s1")
            #expect(cluster.nodeGroups.map(\.updatedReplicas) == [1, 1])
            let userData = try #require(try await harness.get(.secrets, "demo-work-01-userdata"))
            #expect(Secret(userData).string("userdata")?.contains("v1.33.1+k3s1") == true)
        }
    }

    @Test func anUpgradeLeavesAHaltedNodeAloneUntilItRunsAgain() async throws {
        try await Harness.run { harness in
            try await Self.provisioned(harness, workers: 1)
            _ = try await harness.api.patch(
                .virtualMachines, namespace: Harness.namespace, name: "demo-work-01", patch: ["spec": ["runStrategy": "Halted"]])
            try await harness.patchSpec("demo", ["version": "v1.33.1+k3s1"])
            try await harness.reconcile("demo")
            var passes = 0
            while try await harness.operation(of: "demo")?.state != .completed, passes < 20 {
                try await harness.joinAll("demo", version: "v1.33.1+k3s1")
                try await harness.reconcile("demo")
                passes += 1
            }
            // Completed without touching the halted node: not started, not replaced.
            #expect(harness.access?.removedNodes == ["demo-cp-01"])
            let halted = try #require(try await harness.get(.virtualMachines, "demo-work-01"))
            #expect(halted[path: ["spec", "runStrategy"]] == "Halted")
            #expect(halted.annotations["virtyard.io/cluster-version"] == "v1.32.0+k3s1")
            #expect(try await harness.operation(of: "demo")?.currentOperation?.contains("demo-work-01 halted") == true)

            // Started again: now it is replaced with the new version.
            _ = try await harness.api.patch(
                .virtualMachines, namespace: Harness.namespace, name: "demo-work-01", patch: ["spec": ["runStrategy": "Always"]])
            try await harness.reconcile("demo")
            #expect(harness.access?.removedNodes == ["demo-cp-01", "demo-work-01"])
        }
    }

    @Test func upgradeSkippingAMinorFailsAndTouchesNothing() async throws {
        try await Harness.run { harness in
            try await Self.provisioned(harness, workers: 1)
            try await harness.patchSpec("demo", ["version": "v1.34.0+k3s1"])
            try await harness.reconcile("demo")
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.state == .failed)
            #expect(operation.errorMessage?.contains("skips a minor version") == true)
            #expect(harness.access?.removedNodes.isEmpty == true)
            #expect(try await harness.cluster("demo").phase == .failed)
        }
    }

    @Test func editedOrDeletedVMsAreRepairedButAHaltIsLeftAlone() async throws {
        try await Harness.run { harness in
            try await Self.provisioned(harness, workers: 1)
            // The user halts a node: not drift.
            _ = try await harness.api.patch(
                .virtualMachines, namespace: Harness.namespace, name: "demo-work-01", patch: ["spec": ["runStrategy": "Halted"]])
            // And edits another one's memory: drift.
            _ = try await harness.api.patch(
                .virtualMachines, namespace: Harness.namespace, name: "demo-cp-01",
                patch: ["spec": ["template": ["spec": ["domain": ["memory": ["guest": "1Gi"]]]]]])
            try await harness.reconcile("demo")
            let drifted = try await harness.cluster("demo").conditions.condition("Drifted")
            #expect(drifted?.status == .true)
            #expect(drifted?.message?.contains("demo-cp-01") == true && drifted?.message?.contains("demo-work-01") == false)
            let repaired = try #require(try await harness.get(.virtualMachines, "demo-cp-01"))
            #expect(repaired[path: ["spec", "template", "spec", "domain", "memory", "guest"]] == "2048Mi")
            #expect(try await harness.get(.virtualMachines, "demo-work-01")?[path: ["spec", "runStrategy"]] == "Halted")
            try await harness.reconcile("demo")
            #expect(try await harness.cluster("demo").conditions.condition("Drifted")?.status == .false)

            // A Node deleted from the finished cluster is drift too.
            try await harness.markReady("demo-cp-01")
            harness.access?.state.withLock { $0.nodes["demo-cp-01"] = nil }
            try await harness.reconcile("demo")
            #expect(try await harness.cluster("demo").conditions.condition("Drifted")?.message?.contains("Node demo-cp-01 missing") == true)
            harness.access?.join("demo-cp-01", version: "v1.32.0+k3s1")
            try await harness.reconcile("demo")
            #expect(try await harness.cluster("demo").conditions.condition("Drifted")?.status == .false)

            // A deleted VM comes back.
            _ = try await harness.api.delete(.virtualMachines, namespace: Harness.namespace, name: "demo-work-01")
            try await harness.reconcile("demo")
            #expect(try await harness.cluster("demo").conditions.condition("Drifted")?.message?.contains("demo-work-01") == true)
            #expect(try await harness.get(.virtualMachines, "demo-work-01") != nil)
        }
    }

    @Test func anInvalidSpecFailsItsOperationAndCreatesNothing() async throws {
        try await Harness.run { harness in
            var spec = Self.k3s()
            spec.version = "1.32"
            try await harness.createCluster(spec)
            #expect(try await harness.reconcile("demo") == .done)
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.state == .failed)
            #expect(operation.errorMessage?.contains("version") == true)
            #expect(try await harness.cluster("demo").phase == .failed)
            #expect(try await harness.vmNames("demo").isEmpty)
            #expect(try await harness.get(.secrets, "demo-ca") == nil)
        }
    }

    @Test func aSpecNamingAnotherClusterIsRefused() async throws {
        try await Harness.run(access: nil) { harness in
            // The spec of `demo`, stored under another name.
            let demo = try await harness.createCluster(Self.k3s(workers: 1))
            _ = try await harness.api.create(
                .clusterDefinitions,
                object: [
                    "apiVersion": "virtyard.io/v1alpha1", "kind": "ClusterDefinition",
                    "metadata": ["name": "other", "namespace": .string(Harness.namespace)], "spec": demo["spec"] ?? [:],
                ])
            try await harness.reconcile("other")
            #expect(try await harness.operation(of: "other")?.errorMessage?.contains("must be the ClusterDefinition's name") == true)
            #expect(try await harness.vmNames("demo").isEmpty)
        }
    }

    @Test func theOperationNamedByTheAnnotationIsTheOneReported() async throws {
        try await Harness.run(access: nil) { harness in
            let made = ClusterOperationObject.make(
                id: "op-0123abcd", cluster: "demo", namespace: Harness.namespace, type: .provision, requestedBy: "admin", generation: nil)
            _ = try await harness.api.create(.clusterOperations, object: made.object)
            try await harness.createCluster(Self.k3s(workers: 1), annotations: [ProvisioningObjects.operationAnnotation: "op-0123abcd"])
            try await harness.reconcile("demo")
            #expect(try await harness.operation(of: "demo")?.name == "op-0123abcd")
            #expect(try await harness.operation(of: "demo")?.state == .provisioning)
            #expect(try await harness.api.list(.clusterOperations, namespace: Harness.namespace).items.count == 1)
        }
    }

    static func group(_ name: String, _ role: String, _ count: Int) -> JSONValue {
        [
            "name": .string(name), "role": .string(role), "count": .int(Int64(count)),
            "template": [
                "cores": 2, "memoryMB": 2048, "diskGB": 20,
                "imageSource": ["containerDisk": ["image": "quay.io/containerdisks/ubuntu:24.04"]],
            ],
        ]
    }
}
