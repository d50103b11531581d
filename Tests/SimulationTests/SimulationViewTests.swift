import KubeModel
import Testing

@testable import Simulation

/// The typed views the simulated controllers write through must produce the objects the
/// string-path code produced: same keys, same shapes, unknown fields kept.
@Suite struct SimulationViewTests {
    @Test func recordingAPhaseAppendsOneTransitionAndKeepsOtherFields() {
        var vmi = VirtualMachineInstance(["metadata": ["name": "vm"], "status": ["guestOSInfo": ["id": "x"]]])
        vmi.record(phase: .pending, now: "2026-01-01T00:00:00Z")
        vmi.record(phase: .pending, now: "2026-01-01T00:00:05Z")
        vmi.record(phase: .scheduling, now: "2026-01-01T00:00:09Z")
        #expect(
            vmi.object == [
                "metadata": ["name": "vm"],
                "status": [
                    "guestOSInfo": ["id": "x"], "phase": "Scheduling",
                    "phaseTransitionTimestamps": [
                        ["phase": "Pending", "phaseTransitionTimestamp": "2026-01-01T00:00:00Z"],
                        ["phase": "Scheduling", "phaseTransitionTimestamp": "2026-01-01T00:00:09Z"],
                    ],
                ],
            ])
        #expect(vmi.phase == .scheduling)
        #expect(vmi.entered(.pending) == Timestamp.date("2026-01-01T00:00:00Z"))
        #expect(vmi.entered(.running) == nil)
    }

    @Test func anUnknownPhaseTextIsKeptAndReadAsNone() {
        let migration = VirtualMachineInstanceMigration(["status": ["phase": "SomethingNew"]])
        #expect(migration.phase == nil)
        #expect(migration.phaseText == "SomethingNew")
    }

    @Test func migrationStateEditsKeepUnknownKeys() {
        var vmi = VirtualMachineInstance(["status": ["migrationState": ["migrationUid": "u1", "mode": "PreCopy", "extra": 1]]])
        var state = vmi.migrationState
        #expect(state?.isInProgress == true)
        state?.completed = true
        state?["endTimestamp"] = "t"
        vmi.migrationState = state
        #expect(
            vmi.object == [
                "status": [
                    "migrationState": [
                        "migrationUid": "u1", "mode": "PreCopy", "extra": 1, "completed": true, "endTimestamp": "t",
                    ]
                ]
            ])
        #expect(vmi.migrationState?.isInProgress == false)
    }

    @Test func vmiStatusFollowingARunningPodSetsNodeAndPhase() {
        let vmi: JSONValue = ["metadata": ["name": "vm", "uid": "vmi-1"], "spec": ["domain": ["cpu": ["cores": 2]]]]
        let pod: JSONValue = [
            "metadata": ["uid": "pod-1"], "spec": ["nodeName": "n1"],
            "status": ["phase": "Running", "podIP": "10.0.0.5"],
        ]
        let updated = VirtualMachineInstance(
            VirtualMachineInstanceReconciler.status(
                of: vmi, following: pod, imageVersion: "img",
                now: "2026-01-01T00:00:00Z"))
        #expect(updated.phase == .running)
        #expect(updated.nodeName == "n1")
        #expect(updated.activePods == ["pod-1": "n1"])
        #expect(updated.labels[KubeVirtLabels.nodeName] == "n1")
        #expect(updated.interfaces.first?["ipAddress"] == "10.0.0.5")
        #expect(updated.object[field: VirtualMachineInstance.Field.currentCPUTopology] == ["sockets": 1, "cores": 2, "threads": 1])
        #expect(updated.entered(.scheduled) != nil)
    }

    @Test func nodeReadinessNeedsAReadyConditionAddressesAndAllocatable() {
        let ready: JSONValue = [
            "status": [
                "conditions": [["type": "Ready", "status": "True"]],
                "addresses": [["type": "InternalIP", "address": "10.1.0.1"]],
                "allocatable": ["cpu": "4"],
            ]
        ]
        #expect(NodeReconciler.isReady(ready))
        var notReady = ready
        notReady[field: Node.Field.allocatable] = nil
        #expect(!NodeReconciler.isReady(notReady))
    }
}
