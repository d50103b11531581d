import Foundation
import KubeModel
import Testing

@testable import LabPool

/// The order in which a pool's waiting sessions are served.
@Suite struct LabQueueTests {
    private func session(
        _ name: String, namespace: String = "virtyard-system", requested: String? = nil,
        created: String = "2026-12-03T12:00:00Z", pool: String? = nil, phase: String? = nil,
        deleting: Bool = false
    ) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "virtyard.io/v1alpha1", "kind": "LabSession",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "creationTimestamp": .string(created),
            ],
            "spec": [:],
        ]
        if let requested { object[path: ["metadata", "annotations"]] = .object([Lab.requestedAtAnnotation: .string(requested)]) }
        if let pool { object[path: ["spec", "pool"]] = .string(pool) }
        if let phase { object[path: ["status", "phase"]] = .string(phase) }
        if deleting { object[path: ["metadata", "deletionTimestamp"]] = "2026-12-03T12:00:09Z" }
        return object
    }

    @Test func firstAskedFirstServedToTheMicrosecond() {
        let sessions = [
            session("c", requested: "2026-12-03T12:00:00.000300Z"),
            session("a", requested: "2026-12-03T12:00:00.000100Z"),
            // No annotation: its creation time, a whole second, comes after those above.
            session("late", created: "2026-12-03T12:00:01Z"),
            session("b", requested: "2026-12-03T12:00:00.000200Z"),
            // The same instant: namespace, then name, decide.
            session("b2", namespace: "aaa", requested: "2026-12-03T12:00:00.000200Z"),
        ]
        #expect(LabQueueReconciler.queue(sessions, pool: Lab.defaultPool).compactMap(\.name) == ["a", "b2", "b", "c", "late"])
    }

    @Test func onlyWaitingSessionsOfThePoolQueue() {
        let sessions = [
            session("waiting", requested: "2026-12-03T12:00:00.000001Z", phase: "Pending"),
            session("new", requested: "2026-12-03T12:00:00.000002Z"),
            session("running", requested: "2026-12-03T12:00:00.000000Z", phase: "Running"),
            session("ending", requested: "2026-12-03T12:00:00.000000Z", deleting: true),
            session("elsewhere", requested: "2026-12-03T12:00:00.000000Z", pool: "cks"),
        ]
        #expect(LabQueueReconciler.queue(sessions, pool: Lab.defaultPool).compactMap(\.name) == ["waiting", "new"])
        #expect(LabQueueReconciler.queue(sessions, pool: "cks").compactMap(\.name) == ["elsewhere"])
    }
}
