import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Runs a Job's pods to completion, as kube-controller-manager's Job controller does for
/// non-indexed Jobs: up to `parallelism` pods at once until `completions` succeeded (or, with
/// no `completions`, until one succeeded and the rest finished); more than `backoffLimit`
/// failures, or `activeDeadlineSeconds` passed, fail the Job and remove its running pods.
/// Status: `active`, `ready`, `succeeded`, `failed`, `startTime`, `completionTime`, and the
/// conditions `SuccessCriteriaMet` + `Complete`, or `FailureTarget` + `Failed`.
///
/// Pods are counted from the cache (the Job's finished pods stay until the Job goes), so no
/// tracking finalizers are used. Not done: Indexed completion mode, pod failure and success
/// policies, the exponential delay before a failed pod is replaced.
struct JobReconciler: Reconciler {
    let api: any KubernetesAPI
    let jobs: Informer
    let pods: Informer
    let expectations: PodExpectations
    let events: EventRecorder
    let logger: Logger

    static let jobNameLabel = "batch.kubernetes.io/job-name"
    static let controllerUIDLabel = "batch.kubernetes.io/controller-uid"

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = jobs.get(key), let uid = object.uid else {
            expectations.forget(key)
            return .done
        }
        let job = Job(object)
        guard !job.isDeleting else { return .done }
        let owned = pods.controlled(by: uid)
        let active = owned.filter { Pod($0).isActive }
        if job.isFinished {
            try await delete(active, of: job, key: key)
            return .done
        }

        let now = Date()
        let startTime = job.startTime ?? (job.isSuspended ? nil : Timestamp.string(now))
        var deadline: Date?
        if let started = startTime.flatMap(Timestamp.date), let seconds = job.activeDeadlineSeconds {
            deadline = started.addingTimeInterval(TimeInterval(seconds))
        }
        let alive = expectations.alive(Set(active.compactMap(\.name)), allCached: Set(owned.compactMap(\.name)), owner: key)
        let restarts =
            job.template.json[path: ["spec", "restartPolicy"]]?.stringValue == "OnFailure"
            ? active.reduce(0) { $0 + Self.restartCount(of: $1) } : 0
        let progress = JobPlan.Progress(
            active: alive.count, succeeded: owned.count { Pod($0).phase == .succeeded },
            failed: owned.count { Pod($0).phase == .failed } + restarts,
            deadlineExceeded: deadline.map { $0 <= now } ?? false)
        let decision = JobPlan.decide(
            JobPlan.Spec(
                parallelism: job.parallelism, completions: job.completions,
                backoffLimit: job.backoffLimit, suspended: job.isSuspended), progress)

        if decision.wantActive > alive.count {
            try await create(decision.wantActive - alive.count, for: job, key: key)
        } else if decision.wantActive < alive.count {
            try await delete(
                PodDeletionOrder.pick(
                    alive.count - decision.wantActive,
                    from: active.filter { alive.contains($0.name ?? "") }),
                of: job, key: key)
        }

        var updated = object
        updated["status"] = status(
            job, progress: progress, decision: decision, readyPods: active.count { Pod($0).isReady },
            startTime: startTime, now: Timestamp.string(now))
        try await api.updateStatusIfChanged(WorkloadResources.jobs, current: object, updated: updated)
        if case .failed(let reason, let message) = decision.outcome, !job.isFinished {
            events.record(object.typed(WorkloadResources.jobs), type: .warning, reason: reason, message: message)
        } else if decision.outcome == JobPlan.Outcome.complete {
            events.record(
                object.typed(WorkloadResources.jobs), type: .normal, reason: "Completed",
                message: "Job completed")
        }
        if decision.outcome == JobPlan.Outcome.running, let deadline {
            return .requeueAfter(.milliseconds(max(100, Int(deadline.timeIntervalSince(now) * 1000) + 50)))
        }
        return .done
    }

    private func status(
        _ job: Job, progress: JobPlan.Progress, decision: JobPlan.Decision, readyPods: Int,
        startTime: String?, now: String
    ) -> JSONValue {
        var status = job.object["status"] ?? [:]
        status["active"] = decision.outcome == .running && decision.wantActive > 0 ? .int(Int64(decision.wantActive)) : nil
        status["ready"] = .int(Int64(decision.outcome == .running ? readyPods : 0))
        status["succeeded"] = progress.succeeded > 0 ? .int(Int64(progress.succeeded)) : nil
        status["failed"] = progress.failed > 0 ? .int(Int64(progress.failed)) : nil
        status["startTime"] = startTime.map(JSONValue.string)
        status["uncountedTerminatedPods"] = status["uncountedTerminatedPods"] ?? [:]
        var conditions = status["conditions"]?.arrayValue ?? []
        switch decision.outcome {
        case .running:
            if job.isSuspended {
                StatusConditions.set(
                    &conditions,
                    Condition(
                        type: "Suspended", status: .true, reason: "JobSuspended",
                        message: "Job suspended"), now: now)
            } else if StatusConditions.find(conditions, "Suspended") != nil {
                StatusConditions.set(
                    &conditions,
                    Condition(
                        type: "Suspended", status: .false, reason: "JobResumed",
                        message: "Job resumed"), now: now)
            }
        case .complete:
            let reason = "CompletionsReached"
            let message = "Reached expected number of succeeded pods"
            for type in ["SuccessCriteriaMet", "Complete"] {
                StatusConditions.set(
                    &conditions, Condition(type: type, status: .true, reason: reason, message: message),
                    now: now)
            }
            status["completionTime"] = status["completionTime"] ?? .string(now)
        case .failed(let reason, let message):
            for type in ["FailureTarget", "Failed"] {
                StatusConditions.set(
                    &conditions, Condition(type: type, status: .true, reason: reason, message: message),
                    now: now)
            }
        }
        status["conditions"] = conditions.isEmpty ? nil : .array(conditions)
        return status
    }

    /// Restarts of a pod's containers (`restartPolicy: OnFailure` counts them as failures).
    static func restartCount(of pod: JSONValue) -> Int {
        let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []
        return statuses.reduce(0) { $0 + Int($1["restartCount"]?.intValue ?? 0) }
    }

    private func create(_ count: Int, for job: Job, key: ObjectKey) async throws {
        let owner = OwnerReferences.reference(to: job.object, WorkloadResources.jobs)
        let labels = [
            Self.jobNameLabel: job.name, "job-name": job.name, Self.controllerUIDLabel: job.uid ?? "",
            "controller-uid": job.uid ?? "",
        ]
        let pod = Pod.fromTemplate(
            job.template.json, generateName: "\(job.name)-", namespace: job.namespace, owner: owner,
            extraLabels: labels)
        for _ in 0..<count {
            let stored: JSONValue
            do {
                stored = try await api.create(.pods, namespace: job.namespace, object: pod)
            } catch {
                events.record(
                    job.object.typed(WorkloadResources.jobs), type: .warning, reason: "FailedCreate",
                    message: "Error creating: \(error.message)")
                throw error
            }
            expectations.created(stored.name ?? "", by: key)
            events.record(
                job.object.typed(WorkloadResources.jobs), type: .normal, reason: "SuccessfulCreate",
                message: "Created pod: \(stored.name ?? "")")
        }
    }

    private func delete(_ victims: [JSONValue], of job: Job, key: ObjectKey) async throws {
        for pod in victims {
            guard let name = pod.name else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(.pods, namespace: job.namespace, name: name, options: DeleteOptions(preconditionUID: pod.uid))
            }
            expectations.deleted(name, by: key)
            events.record(
                job.object.typed(WorkloadResources.jobs), type: .normal, reason: "SuccessfulDelete",
                message: "Deleted pod: \(name)")
        }
    }
}
