import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

@testable import Provisioning

/// Scale down and rolling upgrades drain a node before removing it: cordoned first, its VM
/// kept while pods are leaving, removed once they left or once the operation's `drainTimeout`
/// has passed (recorded on the operation), never waiting inside a pass.
@Suite struct ClusterControllerDrainTests {
    typealias Harness = ClusterControllerHarness
    typealias Tests = ClusterControllerTests

    static func scaleWorkersToOne(_ harness: Harness) async throws {
        try await harness.patchSpec("demo", ["nodeGroups": [Tests.group("cp", "CONTROL_PLANE", 1), Tests.group("work", "WORKER", 1)]])
    }

    @Test func aScaleDownWaitsForThePodsToLeaveTheCordonedNode() async throws {
        try await Harness.run { harness in
            let access = try #require(harness.access)
            try await Tests.provisioned(harness, workers: 2)
            access.place(["default/web-1", "default/web-2"], on: "demo-work-02")
            try await Self.scaleWorkersToOne(harness)
            for _ in 0..<3 { try await harness.reconcile("demo") }

            // Cordoned and asked to evict on every pass, but not removed while pods are left.
            #expect(access.cordoned == ["demo-work-02"])
            #expect(access.calls.allSatisfy { $0 == "drain demo-work-02" } && access.calls.count >= 3)
            #expect(try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01", "demo-work-02"])
            let vm = try #require(try await harness.get(.virtualMachines, "demo-work-02"))
            #expect(vm.annotations[ClusterDefinitionReconciler.drainStartedAnnotation] != nil)
            let draining = try #require(try await harness.operation(of: "demo"))
            #expect(draining.type == .scale && !draining.isFinished)
            #expect(draining.currentOperation == "Draining demo-work-02 before removing it (2 pods left)")

            access.podsLeave("demo-work-02")
            #expect(try await harness.reconcile("demo") { try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"] })
            // The Node goes only after its drain.
            #expect(access.calls.last == "remove demo-work-02")
            #expect(access.calls.dropLast().allSatisfy { $0 == "drain demo-work-02" })
            #expect(try await harness.get(.secrets, "demo-work-02-userdata") == nil)
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.state == .completed })
            #expect(try await harness.operation(of: "demo")?.conditions.isEmpty == true)
        }
    }

    @Test func aDrainThatTimesOutRemovesTheNodeAndSaysSo() async throws {
        try await Harness.run { harness in
            let access = try #require(harness.access)
            try await Tests.provisioned(harness, workers: 2)
            access.place(["default/stuck"], on: "demo-work-02")
            try await Self.scaleWorkersToOne(harness)
            try await harness.reconcile("demo")
            #expect(try await harness.vmNames("demo").contains("demo-work-02"))

            // The request's drainTimeout, as REST records it: 0s has passed already.
            let operation = try #require(try await harness.operation(of: "demo"))
            _ = try await harness.api.patch(
                .clusterOperations, namespace: Harness.namespace, name: operation.name, patch: ["spec": ["request": ["drainTimeout": "0s"]]]
            )
            #expect(try await harness.reconcile("demo") { try await harness.vmNames("demo") == ["demo-cp-01", "demo-work-01"] })
            #expect(access.removedNodes == ["demo-work-02"])
            #expect(try await harness.reconcile("demo") { try await harness.operation(of: "demo")?.state == .completed })
            let finished = try #require(try await harness.operation(of: "demo"))
            let condition = try #require(StatusConditions.find(finished.conditions, "DrainTimedOut"))
            #expect(condition.status == .true)
            #expect(
                condition.message?.contains("demo-work-02: 1 pod still there") == true
                    && condition.message?.contains("default/stuck") == true)
        }
    }

    @Test func aRollingUpgradeDrainsTheNodeItReplaces() async throws {
        try await Harness.run { harness in
            let access = try #require(harness.access)
            try await Tests.provisioned(harness, workers: 1)
            access.place(["default/web-1"], on: "demo-cp-01")
            try await harness.patchSpec("demo", ["version": "v1.33.1+k3s1"])
            for _ in 0..<2 { try await harness.reconcile("demo") }
            #expect(access.cordoned == ["demo-cp-01"])
            #expect(access.removedNodes.isEmpty)
            #expect(try await harness.get(.virtualMachines, "demo-cp-01") != nil)
            #expect(try await harness.operation(of: "demo")?.currentOperation?.hasPrefix("Draining demo-cp-01") == true)

            access.podsLeave("demo-cp-01")
            try await harness.reconcile("demo")
            #expect(access.removedNodes == ["demo-cp-01"])
        }
    }

    @Test func drainTimeoutComesFromTheRequestOrTheDefault() {
        func operation(_ request: JSONValue?) -> ClusterOperationObject {
            var object: JSONValue = ["metadata": ["name": "op-00000001"], "spec": ["type": "SCALE"]]
            if let request { object[path: ["spec", "request"]] = request }
            return ClusterOperationObject(object)
        }
        #expect(ClusterDefinitionReconciler.drainTimeout(of: operation(["drainTimeout": "90s"])) == .seconds(90))
        #expect(ClusterDefinitionReconciler.drainTimeout(of: operation(nil)) == ClusterDefinitionReconciler.defaultDrainTimeout)
        #expect(ClusterDefinitionReconciler.drainTimeout(of: operation(["drainTimeout": "soon"])) == .seconds(300))
    }
}
