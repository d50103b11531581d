import Foundation
import KubeClient
import KubeModel
import Synchronization
import Testing

@testable import KubeControllers

/// CronJobs starting Jobs on a clock the test moves, against the real embedded API server.
@Suite(.timeLimit(.minutes(3)))
struct CronJobControllerTests {
    let cronJobs = WorkloadResources.cronJobs
    let jobs = WorkloadResources.jobs

    /// A clock the test moves forward.
    final class TestClock: Sendable {
        private let offset = Mutex<TimeInterval>(0)
        func advance(minutes: Double) { offset.withLock { $0 += minutes * 60 } }
        func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    }

    func cronJob(_ name: String, schedule: String, policy: String = "Allow", successfulLimit: Int64 = 3) -> JSONValue {
        [
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "schedule": .string(schedule), "concurrencyPolicy": .string(policy),
                "successfulJobsHistoryLimit": .int(successfulLimit),
                "jobTemplate": [
                    "metadata": ["labels": ["cron": .string(name)]],
                    "spec": JSONValue.job(name, completions: 1, parallelism: 1)["spec"] ?? [:],
                ],
            ],
        ]
    }

    @Test func startsAJobAtEachScheduledMinuteAndKeepsTheHistoryLimit() async throws {
        let clock = TestClock()
        try await WorkloadHarness.run(now: { clock.now() }) { harness in
            _ = try await harness.api.create(
                cronJobs, namespace: "default",
                object: cronJob("tick", schedule: "* * * * *", successfulLimit: 2))
            // Nothing is due until the next minute.
            for round in 1...4 {
                clock.advance(minutes: 1)
                _ = try await harness.api.patch(
                    cronJobs, namespace: "default", name: "tick",
                    patch: ["metadata": ["annotations": ["poke": .string("\(round)")]]],
                    type: .merge, subresource: nil, options: .default)
                #expect(
                    try await harness.eventually {
                        let started = try await harness.list(jobs, selector: "cron=tick")
                        let status = try await harness.get(cronJobs, "tick")["status"]
                        return started.count { Job($0).isFinished } >= min(round, 2) && status?["lastScheduleTime"] != nil
                            && started.count <= 3
                    })
            }
            #expect(
                try await harness.eventually {
                    let started = try await harness.list(jobs, selector: "cron=tick").filter { !Job($0).isDeleting }
                    return started.count == 2 && started.allSatisfy { Job($0).isFinished }
                })
            let started = try await harness.list(jobs, selector: "cron=tick")
            let cron = try await harness.get(cronJobs, "tick")
            #expect(started.allSatisfy { $0.isControlled(by: cron) && $0.name?.hasPrefix("tick-") == true })
            #expect(started.allSatisfy { $0.annotations[CronJob.scheduledTimestampAnnotation] != nil })
            #expect(cron["status"]?["lastSuccessfulTime"]?.stringValue != nil)
        }
    }

    @Test func forbidSkipsAStartWhileAJobRuns() async throws {
        let clock = TestClock()
        try await WorkloadHarness.run(now: { clock.now() }) { harness in
            var object = cronJob("solo", schedule: "* * * * *", policy: "Forbid")
            // Pods that never end, so the first Job keeps running.
            object[path: ["spec", "jobTemplate", "spec", "template", "metadata", "annotations"]] =
                [WorkloadHarness.runForeverAnnotation: "yes"]
            _ = try await harness.api.create(cronJobs, namespace: "default", object: object)
            clock.advance(minutes: 1)
            _ = try await harness.api.patch(
                cronJobs, namespace: "default", name: "solo",
                patch: ["metadata": ["annotations": ["poke": "1"]]], type: .merge,
                subresource: nil, options: .default)
            #expect(
                try await harness.eventually {
                    try await harness.get(cronJobs, "solo")["status"]?["active"]?.arrayValue?.count == 1
                })
            clock.advance(minutes: 2)
            _ = try await harness.api.patch(
                cronJobs, namespace: "default", name: "solo",
                patch: ["metadata": ["annotations": ["poke": "2"]]], type: .merge,
                subresource: nil, options: .default)
            // The poke has been seen (the controller is past it) and still one Job.
            #expect(
                try await harness.eventually {
                    let events = try await harness.list(.events)
                    return events.contains { $0["reason"]?.stringValue == "JobAlreadyActive" }
                })
            #expect(try await harness.list(jobs, selector: "cron=solo").count == 1)
        }
    }
}
