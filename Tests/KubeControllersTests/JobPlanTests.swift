import Testing

@testable import KubeControllers

struct JobPlanTests {
    let spec = JobPlan.Spec(parallelism: 2, completions: 5, backoffLimit: 1)

    @Test func runsUpToParallelismUntilTheCompletionsAreReached() {
        #expect(JobPlan.decide(spec, .init(active: 0, succeeded: 0, failed: 0)) == .init(outcome: .running, wantActive: 2))
        #expect(JobPlan.decide(spec, .init(active: 2, succeeded: 4, failed: 0)) == .init(outcome: .running, wantActive: 1))
        #expect(JobPlan.decide(spec, .init(active: 0, succeeded: 5, failed: 0)) == .init(outcome: .complete, wantActive: 0))
    }

    @Test func failsPastTheBackoffLimit() {
        #expect(JobPlan.decide(spec, .init(active: 1, succeeded: 0, failed: 1)).outcome == .running)
        let failed = JobPlan.decide(spec, .init(active: 1, succeeded: 0, failed: 2))
        #expect(
            failed
                == .init(
                    outcome: .failed(
                        reason: "BackoffLimitExceeded",
                        message: "Job has reached the specified backoff limit"), wantActive: 0))
    }

    @Test func failsPastTheDeadline() {
        let decision = JobPlan.decide(spec, .init(active: 2, succeeded: 0, failed: 0, deadlineExceeded: true))
        #expect(decision.outcome == .failed(reason: "DeadlineExceeded", message: "Job was active longer than specified deadline"))
        #expect(decision.wantActive == 0)
    }

    @Test func aWorkQueueIsDoneWhenOneSucceededAndTheRestFinished() {
        let queue = JobPlan.Spec(parallelism: 3, completions: nil, backoffLimit: 6)
        #expect(JobPlan.decide(queue, .init(active: 0, succeeded: 0, failed: 0)).wantActive == 3)
        #expect(JobPlan.decide(queue, .init(active: 2, succeeded: 1, failed: 0)) == .init(outcome: .running, wantActive: 2))
        #expect(JobPlan.decide(queue, .init(active: 0, succeeded: 1, failed: 0)).outcome == .complete)
    }

    @Test func aSuspendedJobRunsNothing() {
        var suspended = spec
        suspended.suspended = true
        #expect(JobPlan.decide(suspended, .init(active: 2, succeeded: 1, failed: 0)) == .init(outcome: .running, wantActive: 0))
    }
}
