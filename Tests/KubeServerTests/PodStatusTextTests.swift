import KubeModel
import Testing

@testable import KubeServer

/// The STATUS column follows kubectl's printer, case by case.
@Suite struct PodStatusTextTests {
    static func pod(_ status: JSONValue, initContainers: Int = 0, deleting: Bool = false) -> JSONValue {
        var pod: JSONValue = ["metadata": ["name": "p"], "spec": ["containers": [["name": "c"]]], "status": status]
        if initContainers > 0 {
            pod[path: ["spec", "initContainers"]] = .array((0..<initContainers).map { ["name": .string("i\($0)")] })
        }
        if deleting { pod[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:00:00Z" }
        return pod
    }

    @Test(
        arguments: [
            (["phase": "Pending"], "Pending"),
            (
                ["phase": "Pending", "containerStatuses": [["ready": false, "state": ["waiting": ["reason": "ContainerCreating"]]]]],
                "ContainerCreating"
            ),
            (["phase": "Running", "containerStatuses": [["ready": true, "state": ["running": [:]]]]], "Running"),
            (
                ["phase": "Succeeded", "containerStatuses": [["state": ["terminated": ["exitCode": 0, "reason": "Completed"]]]]],
                "Completed"
            ),
            (["phase": "Failed", "containerStatuses": [["state": ["terminated": ["exitCode": 1, "reason": "Error"]]]]], "Error"),
            (["phase": "Failed", "containerStatuses": [["state": ["terminated": ["exitCode": 3]]]]], "ExitCode:3"),
            (["phase": "Failed", "containerStatuses": [["state": ["terminated": ["exitCode": 137, "signal": 9]]]]], "Signal:9"),
            (["phase": "Running", "containerStatuses": [["state": ["waiting": ["reason": "CrashLoopBackOff"]]]]], "CrashLoopBackOff"),
            (["phase": "Failed", "reason": "Evicted"], "Evicted"),
            (
                [
                    "phase": "Pending",
                    "conditions": [["type": "PodScheduled", "status": "False", "reason": "SchedulingGated"]],
                ], "SchedulingGated"
            ),
            (
                [
                    "phase": "Pending",
                    "conditions": [["type": "PodScheduled", "status": "False", "reason": "Unschedulable"]],
                ], "Pending"
            ),
        ] as [(JSONValue, String)])
    func statusColumn(status: JSONValue, expected: String) {
        #expect(PodStatusText.of(Self.pod(status)) == expected)
    }

    @Test func initContainersShowProgressAndFailures() {
        let waiting: JSONValue = [
            "phase": "Pending",
            "initContainerStatuses": [
                ["state": ["terminated": ["exitCode": 0, "reason": "Completed"]]], ["state": ["running": [:]]],
            ],
        ]
        #expect(PodStatusText.of(Self.pod(waiting, initContainers: 2)) == "Init:1/2")
        let failing: JSONValue = [
            "phase": "Pending", "initContainerStatuses": [["state": ["waiting": ["reason": "CrashLoopBackOff"]]]],
        ]
        #expect(PodStatusText.of(Self.pod(failing, initContainers: 1)) == "Init:CrashLoopBackOff")
    }

    @Test func aDeletedPodIsTerminatingAndAMixedOneIsNotCompleted() {
        let running: JSONValue = ["phase": "Running", "containerStatuses": [["ready": true, "state": ["running": [:]]]]]
        #expect(PodStatusText.of(Self.pod(running, deleting: true)) == "Terminating")
        let mixed: JSONValue = [
            "phase": "Running",
            "conditions": [["type": "Ready", "status": "False"]],
            "containerStatuses": [
                ["ready": true, "state": ["running": [:]]], ["state": ["terminated": ["exitCode": 0, "reason": "Completed"]]],
            ],
        ]
        #expect(PodStatusText.of(Self.pod(mixed)) == "NotReady")
    }
}
