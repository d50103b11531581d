import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

@testable import Provisioning

/// Operations no request will ever finish are marked FAILED by the controller's sweep, not
/// by readers: PROVISION whose cluster was never created, SCALE/UPGRADE the cluster never took
/// up. Young operations, operations the cluster names, and operations a controller took up are
/// left alone.
@Suite struct OrphanedOperationSweepTests {
    typealias Harness = ClusterControllerHarness

    static func operation(
        _ harness: Harness, _ id: String, cluster: String, type: ClusterOperationType, started: Date, takenUp: Bool = false
    ) async throws {
        var made = ClusterOperationObject.make(
            id: id, cluster: cluster, namespace: Harness.namespace, type: type, requestedBy: "admin", generation: takenUp ? 1 : nil)
        let created = try await harness.api.create(.clusterOperations, namespace: Harness.namespace, object: made.object)
        made = ClusterOperationObject(created)
        made.stampIdentity()
        made.state = .pending
        made.startTime = Timestamp.string(started)
        _ = try await harness.api.updateStatus(.clusterOperations, namespace: Harness.namespace, object: made.object)
    }

    static func state(_ harness: Harness, _ id: String) async throws -> ClusterOperationObject {
        ClusterOperationObject(try await harness.api.get(.clusterOperations, namespace: Harness.namespace, name: id))
    }

    @Test func orphansOfEveryKindAreMarkedFailedAndOthersAreLeftAlone() async throws {
        try await Harness.run { harness in
            let old = Date().addingTimeInterval(-(OrphanedOperations.gracePeriod + 60))
            try await harness.createCluster(ClusterControllerTests.k3s("named"), annotations: ["virtyard.io/operation-id": "op-0000000a"])
            try await harness.createCluster(ClusterControllerTests.k3s("other"), annotations: ["virtyard.io/operation-id": "op-0000000b"])

            try await Self.operation(harness, "op-0000dead", cluster: "never", type: .provision, started: old)
            try await Self.operation(harness, "op-0000f00d", cluster: "other", type: .scale, started: old)
            try await Self.operation(harness, "op-0000beef", cluster: "gone", type: .upgrade, started: old)
            try await Self.operation(harness, "op-00000001", cluster: "soon", type: .provision, started: Date())
            try await Self.operation(harness, "op-0000000a", cluster: "named", type: .scale, started: old)
            try await Self.operation(harness, "op-00000002", cluster: "other", type: .upgrade, started: old, takenUp: true)

            let sweep = OrphanedOperationSweep(
                api: harness.api, operations: harness.operations, period: .seconds(3600), logger: harness.logger)
            let all = Set(["op-0000dead", "op-0000f00d", "op-0000beef", "op-00000001", "op-0000000a", "op-00000002"])
            // The sweep reads the cache: wait until it holds every operation with its status.
            _ = await eventually {
                let cached = harness.operations.list(namespace: Harness.namespace).filter { ClusterOperationObject($0).startTime != nil }
                return Set(cached.compactMap(\.name)).isSuperset(of: all)
            }
            let marked = await sweep.sweep()
            #expect(Set(marked) == Set(["op-0000dead", "op-0000f00d", "op-0000beef"].map { "\(Harness.namespace)/\($0)" }))

            let never = try await Self.state(harness, "op-0000dead")
            #expect(never.state == .failed && never.endTime != nil)
            #expect(never.errorMessage?.contains("the cluster was never created") == true)
            #expect(try await Self.state(harness, "op-0000f00d").errorMessage?.contains("names op-0000000b") == true)
            #expect(try await Self.state(harness, "op-0000beef").errorMessage?.contains("does not exist") == true)
            for kept in ["op-00000001", "op-0000000a", "op-00000002"] {
                #expect(try await Self.state(harness, kept).state == .pending, "\(kept)")
            }
        }
    }

    @Test func theRulesArePure() {
        let now = Date()
        var operation = ClusterOperationObject.make(
            id: "op-00000001", cluster: "demo", namespace: "x", type: .provision, requestedBy: "admin", generation: nil)
        operation.state = .pending
        operation.startTime = Timestamp.string(now.addingTimeInterval(-OrphanedOperations.gracePeriod))
        #expect(OrphanedOperations.reason(operation, cluster: nil, now: now) != nil)
        operation.state = .provisioning
        #expect(OrphanedOperations.reason(operation, cluster: nil, now: now) == nil)
        operation.state = .pending
        operation.startTime = Timestamp.string(now)
        #expect(OrphanedOperations.reason(operation, cluster: nil, now: now) == nil)
    }
}
