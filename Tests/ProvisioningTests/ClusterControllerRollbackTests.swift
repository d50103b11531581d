import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

@testable import Provisioning

/// Rollbacks that must never cost more than the operation made: an upgrade's replacement
/// control plane, a scale's counts, a node its user halted, the last control plane VM.
@Suite struct ClusterControllerRollbackTests {
    typealias Harness = ClusterControllerHarness
    typealias Tests = ClusterControllerTests

    static let running = "v1.32.0+k3s1"

    func cancel(_ harness: Harness) async throws {
        let id = try #require(try await harness.operation(of: "demo")?.name)
        _ = try await harness.api.patch(
            .clusterOperations, namespace: Harness.namespace, name: id, patch: ["spec": ["cancelRequested": true]])
    }

    /// Passes (the nodes joining at `version` before each) until the operation finishes.
    func runToEnd(_ harness: Harness, joiningAt version: String) async throws {
        var passes = 0
        while try await harness.operation(of: "demo")?.isFinished != true, passes < 20 {
            try await harness.joinAll("demo", version: version)
            try await harness.reconcile("demo")
            passes += 1
        }
    }

    @Test func cancellingAnUpgradeRestoresTheVersionAndKeepsTheControlPlane() async throws {
        try await Harness.run { harness in
            try await Tests.provisioned(harness, workers: 1)
            try await harness.patchSpec("demo", ["version": "v1.33.1+k3s1"])
            try await harness.reconcile("demo")
            try await harness.reconcile("demo")
            // The only control plane is the upgrade's replacement now.
            let replacement = try #require(try await harness.get(.virtualMachines, "demo-cp-01"))
            #expect(replacement.annotations["virtyard.io/cluster-version"] == "v1.33.1+k3s1")

            try await cancel(harness)
            try await runToEnd(harness, joiningAt: Self.running)
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.type == .upgrade && operation.state == .cancelled)
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"])
            #expect(try await harness.get(.virtualMachines, "demo-cp-01")?.annotations["virtyard.io/cluster-version"] == Self.running)
            let cluster = try await harness.cluster("demo")
            #expect(cluster.object[path: ["spec", "version"]] == .string(Self.running))
            #expect(cluster.runningVersion == Self.running)
        }
    }

    @Test func aFailedScaleRestoresTheCountsItChanged() async throws {
        try await Harness.run { harness in
            try await Tests.provisioned(harness, workers: 1)
            try await harness.patchSpec("demo", ["nodeGroups": [Tests.group("cp", "CONTROL_PLANE", 1), Tests.group("work", "WORKER", 3)]])
            try await harness.reconcile("demo")
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01", "demo-work-02", "demo-work-03"])
            harness.access?.failBoot("demo-work-03", "token does not match the cluster's")
            try await runToEnd(harness, joiningAt: Self.running)

            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.type == .scale && operation.state == .rolledBack)
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"])
            // The counts are back: the next pass does not make the nodes again.
            let groups = try await harness.cluster("demo").object[path: ["spec", "nodeGroups"]]?.arrayValue ?? []
            #expect(groups.compactMap { $0["count"]?.intValue } == [1, 1])
            try await harness.reconcile("demo")
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"])
        }
    }

    @Test func partialRollbackLeavesHaltedNodesAlone() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Tests.k3s(workers: 2, rollback: .partial))
            try await harness.reconcile("demo")
            harness.access?.join("demo-cp-01", version: Self.running)
            _ = try await harness.api.patch(
                .virtualMachines, namespace: Harness.namespace, name: "demo-work-01", patch: ["spec": ["runStrategy": "Halted"]])
            try await harness.reconcile("demo")
            harness.access?.failBoot("demo-work-02", "endpoint not in the server certificate")
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.isFinished == true })
            #expect(try await harness.operation(of: "demo")?.state == .rolledBack)
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"])
        }
    }

    @Test func partialRollbackKeepsTheLastControlPlaneVM() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Tests.k3s(workers: 1, rollback: .partial))
            try await harness.reconcile("demo")
            // Nothing joined yet: every node is not Ready.
            harness.access?.failBoot("demo-work-01", "bad token")
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.isFinished == true })
            #expect(try await harness.operation(of: "demo")?.state == .rolledBack)
            #expect(try await harness.vmNames("demo") == ["demo-cp-01"])
        }
    }

    @Test func restorePatchPutsBackOnlyWhatChanged() throws {
        var cluster = ClusterDefinitionObject([
            "metadata": ["name": "demo"],
            "spec": [
                "name": "demo", "type": "K3S", "version": "v1.33.1+k3s1",
                "nodeGroups": [Tests.group("cp", "CONTROL_PLANE", 1), Tests.group("work", "WORKER", 3)],
            ],
        ])
        cluster.runningVersion = Self.running
        let upgrade = ClusterOperationObject.make(
            id: "op-00000001", cluster: "demo", namespace: "ns", type: .upgrade, requestedBy: "admin", generation: 2)
        #expect(ClusterDefinitionReconciler.restorePatch(cluster, upgrade) == ["version": .string(Self.running)])
        var scale = ClusterOperationObject.make(
            id: "op-00000002", cluster: "demo", namespace: "ns", type: .scale, requestedBy: "admin", generation: 2)
        #expect(ClusterDefinitionReconciler.restorePatch(cluster, scale) == nil)
        scale.previousNodeCounts = ["cp": 1, "work": 1]
        let patch = try #require(ClusterDefinitionReconciler.restorePatch(cluster, scale))
        #expect(patch["nodeGroups"]?.arrayValue?.compactMap { $0["count"]?.intValue } == [1, 1])
    }
}
