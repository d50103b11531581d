import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Starts a CronJob's Jobs on its schedule, as kube-controller-manager's CronJob controller
/// does: at each scheduled time (the latest one missed, if several were, and only within
/// `startingDeadlineSeconds`) a Job `<cronjob>-<minutes since the epoch>` from
/// `jobTemplate`, unless `suspend`; `concurrencyPolicy` `Forbid` skips a start while a Job
/// runs, `Replace` deletes the running ones first. Keeps `successfulJobsHistoryLimit` (3)
/// finished and `failedJobsHistoryLimit` (1) failed Jobs. Status: `active`,
/// `lastScheduleTime`, `lastSuccessfulTime`. Requeues itself for the next scheduled time.
struct CronJobReconciler: Reconciler {
    let api: any KubernetesAPI
    let cronJobs: Informer
    let jobs: Informer
    let events: EventRecorder
    let logger: Logger
    /// The time; tests move it.
    let now: @Sendable () -> Date

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = cronJobs.get(key), let uid = object.uid else { return .done }
        let cronJob = CronJob(object)
        guard !cronJob.isDeleting else { return .done }
        let typed = object.typed(WorkloadResources.cronJobs)
        let owned = jobs.controlled(by: uid)
        var running = owned.filter { !Job($0).isFinished && !Job($0).isDeleting }
        try await trimHistory(cronJob, owned: owned)

        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(parsing: cronJob.schedule)
        } catch {
            events.record(typed, type: .warning, reason: "UnparseableSchedule", message: error.description)
            try await writeStatus(cronJob, running: running, owned: owned, scheduled: nil)
            return .done
        }
        guard let zone = cronJob.timeZone.map({ TimeZone(identifier: $0) }) ?? TimeZone(identifier: "UTC") else {
            events.record(
                typed, type: .warning, reason: "UnknownTimeZone",
                message: "invalid timeZone: \"\(cronJob.timeZone ?? "")\"")
            return .done
        }

        let now = self.now()
        let since = cronJob.lastScheduleTime.flatMap(Timestamp.date) ?? cronJob.creationDate ?? now
        var scheduled: Date?
        if !cronJob.isSuspended, let (time, missed) = schedule.latest(since: since, until: now, in: zone) {
            if missed >= 100 {
                events.record(
                    typed, type: .warning, reason: "TooManyMissedTimes",
                    message: "too many missed start times: \(missed). Set or decrease .spec.startingDeadlineSeconds or check clock skew")
            }
            let tooLate = cronJob.startingDeadlineSeconds.map { time.addingTimeInterval(TimeInterval($0)) < now } ?? false
            if tooLate {
                events.record(
                    typed, type: .warning, reason: "MissSchedule",
                    message: "Missed scheduled time to start a job: \(Timestamp.string(time))")
            } else if cronJob.concurrencyPolicy == .forbid, !running.isEmpty {
                events.record(
                    typed, type: .normal, reason: "JobAlreadyActive",
                    message: "Not starting job because prior execution is running and concurrency policy is Forbid")
                // Try again when the running Job ends (its event) or at the next time.
            } else {
                if cronJob.concurrencyPolicy == .replace {
                    for job in running { try await deleteJob(job, of: cronJob) }
                    running = []
                }
                if let created = try await startJob(cronJob, at: time) { running.append(created) }
                scheduled = time
            }
        }
        try await writeStatus(cronJob, running: running, owned: owned, scheduled: scheduled)
        guard !cronJob.isSuspended, let next = schedule.next(after: now, in: zone) else { return .done }
        return .requeueAfter(.milliseconds(max(100, Int(next.timeIntervalSince(now) * 1000) + 100)))
    }

    /// The Job for the start at `time`; nil when it exists already (a start seen twice).
    private func startJob(_ cronJob: CronJob, at time: Date) async throws -> JSONValue? {
        let name = "\(cronJob.name)-\(Int64(time.timeIntervalSince1970) / 60)"
        let template = cronJob.jobTemplate
        var job: JSONValue = [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": ["name": .string(name), "namespace": .string(cronJob.namespace)],
            "spec": template["spec"] ?? [:],
        ]
        job.labels = template.labels
        var annotations = template.annotations
        annotations[CronJob.scheduledTimestampAnnotation] = Timestamp.string(time)
        job.annotations = annotations
        job.ownerReferences = [OwnerReferences.reference(to: cronJob.object, WorkloadResources.cronJobs)]
        let stored = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(WorkloadResources.jobs, namespace: cronJob.namespace, object: job)
        }
        if stored != nil {
            events.record(
                cronJob.object.typed(WorkloadResources.cronJobs), type: .normal, reason: "SuccessfulCreate",
                message: "Created job \(name)")
        }
        return stored
    }

    /// Deletes a Job and, in the background, its pods.
    private func deleteJob(_ job: JSONValue, of cronJob: CronJob) async throws {
        guard let name = job.name else { return }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.delete(
                WorkloadResources.jobs, namespace: cronJob.namespace, name: name,
                options: DeleteOptions(propagationPolicy: .background, preconditionUID: job.uid))
        }
        events.record(
            cronJob.object.typed(WorkloadResources.cronJobs), type: .normal, reason: "SuccessfulDelete",
            message: "Deleted job \(name)")
    }

    /// Finished Jobs beyond the history limits go, oldest first.
    private func trimHistory(_ cronJob: CronJob, owned: [JSONValue]) async throws {
        func finished(_ type: String) -> [JSONValue] {
            owned.filter { Job($0).conditions.condition(type)?.isTrue == true && !Job($0).isDeleting }
                .sorted { (Job($0).startTime ?? "", $0.name ?? "") < (Job($1).startTime ?? "", $1.name ?? "") }
        }
        for (jobs, limit) in [
            (finished("Complete"), cronJob.successfulJobsHistoryLimit),
            (finished("Failed"), cronJob.failedJobsHistoryLimit),
        ] where jobs.count > max(0, limit) {
            for job in jobs.prefix(jobs.count - max(0, limit)) { try await deleteJob(job, of: cronJob) }
        }
    }

    private func writeStatus(_ cronJob: CronJob, running: [JSONValue], owned: [JSONValue], scheduled: Date?) async throws {
        var status = cronJob.object["status"] ?? [:]
        let active: [JSONValue] = running.sorted { ($0.name ?? "") < ($1.name ?? "") }.map { job in
            [
                "apiVersion": "batch/v1", "kind": "Job", "name": .string(job.name ?? ""),
                "namespace": .string(cronJob.namespace), "uid": .string(job.uid ?? ""),
                "resourceVersion": .string(job.resourceVersion ?? ""),
            ]
        }
        status["active"] = active.isEmpty ? nil : .array(active)
        if let scheduled { status["lastScheduleTime"] = .string(Timestamp.string(scheduled)) }
        let lastSuccess = owned.compactMap { Job($0).conditions.condition("Complete")?.isTrue == true ? Job($0).completionTime : nil }
            .compactMap(Timestamp.date).max()
        if let lastSuccess { status["lastSuccessfulTime"] = .string(Timestamp.string(lastSuccess)) }
        var updated = cronJob.object
        updated["status"] = status
        try await api.updateStatusIfChanged(WorkloadResources.cronJobs, current: cronJob.object, updated: updated)
    }
}
