import Foundation
import KubeModel

/// A LabSession (`virtyard.io/v1alpha1`): a user's lease of a lab cluster, from the queue to
/// its end. Schema: `Sources/LabPool/CRDs/virtyard.io_labsessions.yaml`.
///
/// Times are read as dates and written to the microsecond, as they have always been;
/// `startTime` is also readable as its text, since `expiresAt` is computed from the text to
/// the microsecond (through a `Date` it could come out one short).
public struct LabSessionObject: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public static let kind = "LabSession"
    public typealias Phase = Lab.SessionPhase

    public enum Field {
        public static let user: FieldPath = "spec.user"
        public static let pool: FieldPath = "spec.pool"
        public static let scenario: FieldPath = "spec.scenario"
        public static let `extension`: FieldPath = "spec.extension"
        public static let status: FieldPath = "status"
        public static let phase: FieldPath = "status.phase"
        public static let message: FieldPath = "status.message"
        public static let cluster: FieldPath = "status.cluster"
        public static let clusterLockTime: FieldPath = "status.clusterLockTime"
        public static let controlPlaneVM: FieldPath = "status.controlPlaneVM"
        public static let workerNodeVM: FieldPath = "status.workerNodeVM"
        public static let queuePosition: FieldPath = "status.queuePosition"
        public static let startTime: FieldPath = "status.startTime"
        public static let expiresAt: FieldPath = "status.expiresAt"
        public static let endTime: FieldPath = "status.endTime"
        public static let tasks: FieldPath = "status.tasks"
    }

    public static let fieldPaths: [FieldPath] = [
        Field.user, Field.pool, Field.scenario, Field.extension, Field.status, Field.phase, Field.message, Field.cluster,
        Field.clusterLockTime, Field.controlPlaneVM, Field.workerNodeVM, Field.queuePosition, Field.startTime,
        Field.expiresAt, Field.endTime, Field.tasks,
        // `tasks` maps a task's id to its result; the walk steps into the map with any key.
        Field.tasks.appending("anyTask.passed"), Field.tasks.appending("anyTask.validatedAt"),
    ]

    /// A new session `name` in `namespace`, asked for now, with the finalizer that makes its
    /// end release its cluster.
    public init(name: String, namespace: String, pool: String, scenario: String?, user: String?, requestedAt: Date) {
        var spec: JSONValue = ["pool": .string(pool)]
        if let scenario { spec["scenario"] = .string(scenario) }
        if let user { spec["user"] = .string(user) }
        object = [
            "apiVersion": .string(Lab.apiVersion), "kind": .string(Self.kind),
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "finalizers": [.string(Lab.sessionFinalizer)],
                "annotations": .object([Lab.requestedAtAnnotation: .string(Timestamp.microString(requestedAt))]),
            ],
            "spec": spec,
        ]
    }

    // MARK: - Spec

    public var user: JSONValue? { object[field: Field.user] }
    /// The pool asked for; `default` when the session names none.
    public var pool: String { object[field: Field.pool]?.stringValue ?? Lab.defaultPool }
    /// The scenario to set up, nil when none (or empty).
    public var scenario: String? {
        guard let id = object[field: Field.scenario]?.stringValue, !id.isEmpty else { return nil }
        return id
    }

    /// The time added to the pool's session timeout (`spec.extension`, a Go duration).
    public var `extension`: Duration {
        get { LabPoolObject.duration(object[field: Field.extension]) ?? .zero }
        set { object[field: Field.extension] = .string(GoDuration.format(newValue)) }
    }

    /// When the session was asked for: its `virtyard.io/requested-at` annotation, else its
    /// creation time; `distantFuture` when neither reads.
    public var requestedAt: Date {
        guard let text = annotations[Lab.requestedAtAnnotation] else { return creationDate ?? .distantFuture }
        return Timestamp.date(text) ?? .distantFuture
    }

    // MARK: - Status

    /// `status` whole: the queue and the API build a session's status from the one it had.
    public var status: JSONValue {
        get { object[field: Field.status] ?? [:] }
        set { object[field: Field.status] = newValue }
    }

    /// Nil when absent (a new session) or not one of the six phases.
    public var phase: Phase? {
        get { object[field: Field.phase]?.stringValue.flatMap(Phase.init(rawValue:)) }
        set { object[field: Field.phase] = newValue.map { .string($0.rawValue) } }
    }

    /// Whether the session ended (Completed, Failed or Expired).
    public var isOver: Bool { phase?.isOver ?? false }

    public var message: String? {
        get { object[field: Field.message]?.stringValue }
        set { object[field: Field.message] = newValue.map(JSONValue.string) }
    }

    /// The cluster leased to the session.
    public var cluster: String? {
        get { object[field: Field.cluster]?.stringValue }
        set { object[field: Field.cluster] = newValue.map(JSONValue.string) }
    }

    /// When the cluster was leased, as the cluster's `lockTime` has it.
    public var clusterLockTime: JSONValue? {
        get { object[field: Field.clusterLockTime] }
        set { object[field: Field.clusterLockTime] = newValue }
    }

    public var controlPlaneVM: String? {
        get { object[field: Field.controlPlaneVM]?.stringValue }
        set { object[field: Field.controlPlaneVM] = newValue.map(JSONValue.string) }
    }

    public var workerNodeVM: String? {
        get { object[field: Field.workerNodeVM]?.stringValue }
        set { object[field: Field.workerNodeVM] = newValue.map(JSONValue.string) }
    }

    /// The place in the pool's queue while Pending, 1 is next.
    public var queuePosition: Int64? {
        get { object[field: Field.queuePosition]?.intValue }
        set { object[field: Field.queuePosition] = newValue.map(JSONValue.int) }
    }

    /// Whether a place in the queue is written (any value).
    public var hasQueuePosition: Bool { object[field: Field.queuePosition] != nil }

    /// `startTime` as stored (RFC 3339, microseconds).
    public var startTimeText: String? {
        get { object[field: Field.startTime]?.stringValue }
        set { object[field: Field.startTime] = newValue.map(JSONValue.string) }
    }

    /// `expiresAt` as stored (RFC 3339, microseconds).
    public var expiresAtText: String? {
        get { object[field: Field.expiresAt]?.stringValue }
        set { object[field: Field.expiresAt] = newValue.map(JSONValue.string) }
    }

    public var endTime: Date? {
        get { object[field: Field.endTime]?.stringValue.flatMap(Timestamp.date) }
        set { object[field: Field.endTime] = newValue.map { .string(Timestamp.microString($0)) } }
    }

    /// The outcome of each task's last validation, by task id.
    public var taskResults: [String: TaskResult] {
        (object[field: Field.tasks]?.objectValue ?? [:]).mapValues(TaskResult.init)
    }

    /// One entry of `status.tasks`.
    public struct TaskResult: Sendable, Hashable {
        public var json: JSONValue

        public init(_ json: JSONValue) { self.json = json }

        /// The outcome written now.
        public init(passed: Bool, validatedAt: Date = Date()) {
            json = ["passed": .bool(passed), "validatedAt": .string(Timestamp.string(validatedAt))]
        }

        public var passed: Bool { json["passed"]?.boolValue == true }
        /// As stored, handed on verbatim.
        public var validatedAt: JSONValue? { json["validatedAt"] }
    }

    // MARK: - Changes of phase

    /// Ends the session now in `phase` (Completed, Failed or Expired).
    public mutating func end(_ phase: Phase, message: String, at date: Date = Date()) {
        self.phase = phase
        self.message = message
        endTime = date
    }
}
