import KubeClient
import KubeModel
import Testing

@testable import KubeControllers

/// Jobs run to completion or failure by the controller, against the real embedded API server.
@Suite(.timeLimit(.minutes(3)))
struct JobControllerTests {
    let jobs = WorkloadResources.jobs

    @Test func aJobRunsItsCompletionsAndCompletes() async throws {
        try await WorkloadHarness.run { harness in
            _ = try await harness.api.create(jobs, namespace: "default", object: .job("batch", completions: 3, parallelism: 2))
            #expect(
                try await harness.eventually {
                    let status = try await harness.get(jobs, "batch")["status"]
                    return (status?["conditions"]?.arrayValue ?? []).condition("Complete")?.isTrue == true
                })
            let job = try await harness.get(jobs, "batch")
            let status = try #require(job["status"])
            #expect(status["succeeded"]?.intValue == 3)
            #expect(status["active"] == nil)
            #expect(status["failed"] == nil)
            #expect(status["startTime"]?.stringValue != nil)
            #expect(status["completionTime"]?.stringValue != nil)
            #expect((status["conditions"]?.arrayValue ?? []).condition("Complete")?.reason == "CompletionsReached")
            let pods = try await harness.list(.pods, selector: "batch.kubernetes.io/job-name=batch")
            #expect(pods.count == 3)
            #expect(pods.allSatisfy { $0.isControlled(by: job) && $0.name?.hasPrefix("batch-") == true })
        }
    }

    @Test func aJobFailsPastItsBackoffLimit() async throws {
        try await WorkloadHarness.run { harness in
            _ = try await harness.api.create(
                jobs, namespace: "default",
                object: .job(
                    "doomed", completions: 1, parallelism: 1, backoffLimit: 2,
                    failing: true))
            #expect(
                try await harness.eventually {
                    let status = try await harness.get(jobs, "doomed")["status"]
                    return (status?["conditions"]?.arrayValue ?? []).condition("Failed")?.isTrue == true
                })
            let status = try #require(try await harness.get(jobs, "doomed")["status"])
            #expect(status["failed"]?.intValue == 3)
            #expect((status["conditions"]?.arrayValue ?? []).condition("Failed")?.reason == "BackoffLimitExceeded")
            #expect((status["conditions"]?.arrayValue ?? []).condition("Complete") == nil)
            #expect(try await harness.list(.pods, selector: "job-name=doomed").count == 3)
        }
    }
}
