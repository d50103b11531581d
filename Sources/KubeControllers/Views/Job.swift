import KubeModel

/// A batch/v1 Job, the fields the Job controller reads and writes. Schema:
/// `io.k8s.api.batch.v1.Job`.
struct Job: PodTemplateOwner {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    enum Field {
        static let parallelism: FieldPath = "spec.parallelism"
        static let completions: FieldPath = "spec.completions"
        static let backoffLimit: FieldPath = "spec.backoffLimit"
        static let activeDeadlineSeconds: FieldPath = "spec.activeDeadlineSeconds"
        static let suspend: FieldPath = "spec.suspend"
        static let conditions: FieldPath = "status.conditions"
        static let startTime: FieldPath = "status.startTime"
        static let completionTime: FieldPath = "status.completionTime"
    }

    static let fieldPaths: [FieldPath] = [
        Field.parallelism, Field.completions, Field.backoffLimit, Field.activeDeadlineSeconds, Field.suspend,
        PodTemplateOwnerField.template, "status", Field.conditions, Field.startTime, Field.completionTime,
        "status.active", "status.succeeded", "status.failed", "status.ready", "status.terminating",
    ]

    /// `spec.parallelism`, 1 when unset.
    var parallelism: Int { int(Field.parallelism, default: 1) }
    /// `spec.completions`; nil means "done when any pod succeeds" (a work queue).
    var completions: Int? { optionalInt(Field.completions) }
    /// `spec.backoffLimit`, 6 when unset.
    var backoffLimit: Int { int(Field.backoffLimit, default: 6) }
    var activeDeadlineSeconds: Int64? { object[field: Field.activeDeadlineSeconds]?.intValue }
    var isSuspended: Bool { object[field: Field.suspend]?.boolValue ?? false }
    var conditions: [JSONValue] { object[field: Field.conditions]?.arrayValue ?? [] }
    var startTime: String? { object[field: Field.startTime]?.stringValue }
    var completionTime: String? { object[field: Field.completionTime]?.stringValue }

    /// The Job reached `Complete` or `Failed`: nothing more is done for it.
    var isFinished: Bool {
        conditions.condition("Complete")?.isTrue == true || conditions.condition("Failed")?.isTrue == true
    }
}
