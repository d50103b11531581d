/// What a Job should do next, from counts: kube-controller-manager's Job controller's
/// decisions for non-indexed Jobs as a pure function, tested without an API.
enum JobPlan {
    /// The Job's spec as the plan needs it.
    struct Spec: Sendable, Equatable {
        var parallelism: Int
        var completions: Int?
        var backoffLimit: Int
        var suspended: Bool = false
    }

    /// What its pods have done so far.
    struct Progress: Sendable, Equatable {
        /// Pods running or about to (created, not finished, not being deleted).
        var active: Int
        var succeeded: Int
        /// Failed pods, plus container restarts under `restartPolicy: OnFailure`.
        var failed: Int
        var deadlineExceeded: Bool = false
    }

    enum Outcome: Sendable, Equatable {
        case running
        case complete
        /// `reason` and `message` of the `Failed` condition.
        case failed(reason: String, message: String)
    }

    struct Decision: Sendable, Equatable {
        var outcome: Outcome
        /// How many pods should be active after this pass.
        var wantActive: Int
    }

    static func decide(_ spec: Spec, _ progress: Progress) -> Decision {
        if progress.failed > spec.backoffLimit {
            return Decision(
                outcome: .failed(
                    reason: "BackoffLimitExceeded",
                    message: "Job has reached the specified backoff limit"), wantActive: 0)
        }
        if progress.deadlineExceeded {
            return Decision(
                outcome: .failed(
                    reason: "DeadlineExceeded",
                    message: "Job was active longer than specified deadline"), wantActive: 0)
        }
        if let completions = spec.completions {
            if progress.succeeded >= completions { return Decision(outcome: .complete, wantActive: 0) }
            if spec.suspended { return Decision(outcome: .running, wantActive: 0) }
            return Decision(
                outcome: .running,
                wantActive: max(0, min(spec.parallelism, completions - progress.succeeded)))
        }
        // No completions: a work queue, done once one pod succeeded and the rest have finished;
        // after a first success no new pod starts.
        if progress.succeeded > 0 {
            return Decision(outcome: progress.active == 0 ? .complete : .running, wantActive: progress.active)
        }
        return Decision(outcome: .running, wantActive: spec.suspended ? 0 : max(0, spec.parallelism))
    }
}
