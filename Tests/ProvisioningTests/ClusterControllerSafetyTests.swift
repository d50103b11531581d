import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

@testable import Provisioning

/// What the controller must not do to objects it did not make or cannot see yet, and the
/// operations it must not leave unfinished.
@Suite struct ClusterControllerSafetyTests {
    typealias Harness = ClusterControllerHarness
    typealias Tests = ClusterControllerTests

    static func secret(_ name: String, labels: [String: String] = [:], data: String = "bWluZQ==") -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(Harness.namespace)],
            "data": ["mine": .string(data)],
        ]
        object.labels = labels
        return object
    }

    @Test func aBastionIsReadyWhenItsVMIs() async throws {
        try await Harness.run { harness in
            var spec = Tests.k3s(workers: 1)
            spec.nodeGroups?.append(Fixtures.group("jump", .bastion))
            try await harness.createCluster(spec)
            try await harness.reconcile("demo")
            harness.access?.join("demo-cp-01", version: "v1.32.0+k3s1", controlPlane: true)
            harness.access?.join("demo-work-01", version: "v1.32.0+k3s1")
            // The bastion boots the GENERIC configuration: it never registers a Node.
            try await harness.markReady("demo-jump-01")
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.state == .completed })
            #expect(try await harness.cluster("demo").nodeGroups.map(\.readyReplicas) == [1, 1, 1])
        }
    }

    @Test func rolesWithoutANodeAreReadFromTheirVM() {
        #expect(!NodeObservation.registersNode(.bastion))
        #expect(!NodeObservation.registersNode(.bootstrap))
        #expect(NodeObservation.registersNode(.controlPlane) && NodeObservation.registersNode(.worker))
    }

    @Test func aForeignClusterSecretFailsTheOperationAndIsNeverTouched() async throws {
        try await Harness.run { harness in
            let foreign = try await harness.api.create(.secrets, object: Self.secret("demo-ca"))
            try await harness.createCluster(Tests.k3s(workers: 1))
            try await harness.reconcile("demo")
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.state == .failed)
            #expect(operation.errorMessage == "Secret demo-ca exists and was not made by the provisioner")
            #expect(try await harness.get(.secrets, "demo-ca")?["data"] == foreign["data"])
            #expect(try await harness.vmNames("demo").isEmpty)

            // Decommission leaves it too.
            _ = try await harness.api.delete(.clusterDefinitions, namespace: Harness.namespace, name: "demo")
            #expect(try await harness.reconcile("demo") { try await harness.get(.clusterDefinitions, "demo") == nil })
            #expect(try await harness.get(.secrets, "demo-ca")?["data"] == foreign["data"])
        }
    }

    @Test func aForeignUserDataSecretIsNotOverwritten() async throws {
        try await Harness.run { harness in
            // Labelled for another cluster: not this one's either.
            let labels = [ProvisioningLabels.managedBy: ProvisioningLabels.managedByValue, ProvisioningLabels.cluster: "other"]
            let foreign = try await harness.api.create(.secrets, object: Self.secret("demo-work-01-userdata", labels: labels))
            try await harness.createCluster(Tests.k3s(workers: 1))
            try await harness.reconcile("demo")
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.state == .failed)
            #expect(operation.errorMessage == "Secret demo-work-01-userdata exists and was not made by the provisioner")
            #expect(try await harness.get(.secrets, "demo-work-01-userdata")?["data"] == foreign["data"])
        }
    }

    @Test func aMissingBootstrapSecretIsMadeAgainUnderTheSameCA() async throws {
        try await Harness.run(access: nil) { harness in
            try await harness.createCluster(Tests.k3s(workers: 1))
            try await harness.reconcile("demo")
            let ca = try #require(try await harness.get(.secrets, "demo-ca"))
            _ = try await harness.api.delete(.secrets, namespace: Harness.namespace, name: "demo-bootstrap")
            try await harness.reconcile("demo")
            #expect(try await harness.get(.secrets, "demo-ca")?["data"] == ca["data"])
            let bootstrap = try #require(try await harness.get(.secrets, "demo-bootstrap"))
            #expect(Secret(bootstrap).string("token").map(ClusterSecrets.isBootstrapToken) == true)
        }
    }

    @Test func deletingABusyClusterCancelsTheOperationItInterrupted() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Tests.k3s(workers: 1))
            try await harness.reconcile("demo")
            let provision = try #require(try await harness.operation(of: "demo"))
            #expect(provision.state == .provisioning)
            // What REST's DELETE does: a DECOMMISSION named by the annotation, then the delete.
            try await Self.nameDecommission(harness, id: "op-dec00001", startedAt: Timestamp.now())
            _ = try await harness.api.delete(.clusterDefinitions, namespace: Harness.namespace, name: "demo")
            #expect(try await harness.reconcile("demo") { try await harness.get(.clusterDefinitions, "demo") == nil })
            let operations = try await harness.api.list(.clusterOperations, namespace: Harness.namespace).items.map(
                ClusterOperationObject.init)
            #expect(operations.first { $0.name == provision.name }?.state == .cancelled)
            #expect(operations.first { $0.name == "op-dec00001" }?.state == .completed)
        }
    }

    @Test func aDecommissionWhoseDeleteNeverCameFailsAfterAWhile() async throws {
        try await Harness.run { harness in
            try await Tests.provisioned(harness, workers: 1)
            // Named a moment ago: the delete may still come.
            try await Self.nameDecommission(harness, id: "op-dec00002", startedAt: Timestamp.now())
            #expect(try await harness.reconcile("demo") == .requeueAfter(.seconds(1)))
            #expect(try await harness.operation(of: "demo")?.isFinished == false)

            // Named long ago and never deleted: it fails, the cluster carries on.
            let past = Timestamp.string(Date().addingTimeInterval(-2 * ClusterDefinitionReconciler.decommissionDeleteGrace))
            try await Self.nameDecommission(harness, id: "op-dec00003", startedAt: past)
            try await harness.reconcile("demo")
            let operation = try #require(try await harness.operation(of: "demo"))
            #expect(operation.name == "op-dec00003" && operation.state == .failed)
            #expect(operation.errorMessage == "the cluster was not deleted; DELETE it again")
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"])
            #expect(try await harness.get(.clusterDefinitions, "demo") != nil)
        }
    }

    @Test func decommissionAsksTheAPINotTheCacheWhetherEveryVMIsGone() async throws {
        try await Harness.run { harness in
            try await harness.createCluster(Tests.k3s(workers: 1))
            try await harness.reconcile("demo")
            _ = try await harness.api.delete(.clusterDefinitions, namespace: Harness.namespace, name: "demo")
            // A controller whose VM cache has not caught up: it sees no VM at all.
            let blind = SharedInformerFactory(api: harness.api, logger: harness.logger)
            let reconciler = ClusterDefinitionReconciler(
                api: harness.api, vms: blind.informer(for: .virtualMachines), vmis: blind.informer(for: .virtualMachineInstances),
                access: harness.access, audit: ProvisioningAuditLog(api: harness.api, namespace: Harness.namespace), logger: harness.logger)
            #expect(try await reconciler.reconcile(ObjectKey(namespace: Harness.namespace, name: "demo")) == .requeueAfter(.seconds(1)))
            #expect(try await harness.get(.clusterDefinitions, "demo") != nil)
            #expect(harness.access?.removedClusters.isEmpty == true)
            #expect(try await harness.vmNames("demo").isEmpty)
        }
    }

    @Test func overdueIsMeasuredFromTheOperationsStart() {
        var operation = ClusterOperationObject.make(
            id: "op-0000abcd", cluster: "demo", namespace: "ns", type: .decommission, requestedBy: "admin", generation: nil)
        let now = Date()
        #expect(!ClusterDefinitionReconciler.decommissionOverdue(operation, now: now))
        operation.startTime = Timestamp.string(now.addingTimeInterval(-30))
        #expect(!ClusterDefinitionReconciler.decommissionOverdue(operation, now: now))
        operation.startTime = Timestamp.string(now.addingTimeInterval(-61))
        #expect(ClusterDefinitionReconciler.decommissionOverdue(operation, now: now))
    }

    /// A DECOMMISSION operation started at `startedAt`, named by the cluster's annotation.
    static func nameDecommission(_ harness: Harness, id: String, startedAt: String) async throws {
        let made = ClusterOperationObject.make(
            id: id, cluster: "demo", namespace: Harness.namespace, type: .decommission, requestedBy: "admin", generation: nil)
        _ = try await harness.api.create(.clusterOperations, object: made.object)
        _ = try await harness.api.patch(
            .clusterOperations, namespace: Harness.namespace, name: id,
            patch: ["status": ["status": "PENDING", "startTime": .string(startedAt), "operationId": .string(id)]], type: .merge,
            subresource: "status", options: .default)
        _ = try await harness.api.patch(
            .clusterDefinitions, namespace: Harness.namespace, name: "demo",
            patch: ["metadata": ["annotations": [ProvisioningObjects.operationAnnotation: .string(id)]]])
    }
}
