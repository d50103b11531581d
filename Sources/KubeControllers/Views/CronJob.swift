import KubeModel

/// A batch/v1 CronJob, the fields its controller reads and writes. Schema:
/// `io.k8s.api.batch.v1.CronJob`.
struct CronJob: KubeObjectView {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    /// The annotation the CronJob controller puts on each Job: the time it was scheduled for.
    static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"

    enum ConcurrencyPolicy: String, Sendable {
        case allow = "Allow"
        case forbid = "Forbid"
        case replace = "Replace"
    }

    enum Field {
        static let schedule: FieldPath = "spec.schedule"
        static let timeZone: FieldPath = "spec.timeZone"
        static let concurrencyPolicy: FieldPath = "spec.concurrencyPolicy"
        static let suspend: FieldPath = "spec.suspend"
        static let startingDeadlineSeconds: FieldPath = "spec.startingDeadlineSeconds"
        static let successfulJobsHistoryLimit: FieldPath = "spec.successfulJobsHistoryLimit"
        static let failedJobsHistoryLimit: FieldPath = "spec.failedJobsHistoryLimit"
        static let jobTemplate: FieldPath = "spec.jobTemplate"
        static let active: FieldPath = "status.active"
        static let lastScheduleTime: FieldPath = "status.lastScheduleTime"
        static let lastSuccessfulTime: FieldPath = "status.lastSuccessfulTime"
    }

    static let fieldPaths: [FieldPath] = [
        Field.schedule, Field.timeZone, Field.concurrencyPolicy, Field.suspend, Field.startingDeadlineSeconds,
        Field.successfulJobsHistoryLimit, Field.failedJobsHistoryLimit, Field.jobTemplate, Field.active,
        Field.lastScheduleTime, Field.lastSuccessfulTime,
    ]

    var schedule: String { object[field: Field.schedule]?.stringValue ?? "" }
    var timeZone: String? { object[field: Field.timeZone]?.stringValue }
    /// `Allow` when unset or unknown.
    var concurrencyPolicy: ConcurrencyPolicy {
        object[field: Field.concurrencyPolicy]?.stringValue.flatMap(ConcurrencyPolicy.init(rawValue:)) ?? .allow
    }
    var isSuspended: Bool { object[field: Field.suspend]?.boolValue ?? false }
    var startingDeadlineSeconds: Int64? { object[field: Field.startingDeadlineSeconds]?.intValue }
    var successfulJobsHistoryLimit: Int { object[field: Field.successfulJobsHistoryLimit]?.intValue.map(Int.init) ?? 3 }
    var failedJobsHistoryLimit: Int { object[field: Field.failedJobsHistoryLimit]?.intValue.map(Int.init) ?? 1 }
    var jobTemplate: JSONValue { object[field: Field.jobTemplate] ?? [:] }
    var lastScheduleTime: String? { object[field: Field.lastScheduleTime]?.stringValue }
}
