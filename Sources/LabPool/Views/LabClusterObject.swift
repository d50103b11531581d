import Foundation
import KubeModel

/// A LabCluster (`virtyard.io/v1alpha1`): one member of a pool, in a namespace of its own
/// name, and where it is in its life. Schema: `Sources/LabPool/CRDs/virtyard.io_labclusters.yaml`.
///
/// Times are read as dates and written in the precision each field has always had on the
/// wire: `lockTime` and `lastReset` to the microsecond, `errorTime` and `reset.started` to
/// the second.
public struct LabClusterObject: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public static let kind = "LabCluster"
    public typealias Phase = Lab.Phase

    /// Member `index` of `pool`, named (and namespaced) `id`; the caller makes the pool its
    /// controller (ControllerKit's `OwnerReferences`).
    public init(id: String, pool: String, index: Int) {
        object = [
            "apiVersion": .string(Lab.apiVersion), "kind": .string(Self.kind),
            "metadata": [
                "name": .string(id), "namespace": .string(id),
                "labels": .object([Lab.poolLabel: .string(pool)]),
            ],
            "spec": ["pool": .string(pool), "index": .int(Int64(index))],
        ]
    }

    public enum Field {
        public static let pool: FieldPath = "spec.pool"
        public static let index: FieldPath = "spec.index"
        public static let phase: FieldPath = "status.phase"
        public static let message: FieldPath = "status.message"
        public static let assignedSession: FieldPath = "status.assignedSession"
        public static let lockTime: FieldPath = "status.lockTime"
        public static let lastReset: FieldPath = "status.lastReset"
        public static let errorTime: FieldPath = "status.errorTime"
        public static let controlPlaneVM: FieldPath = "status.controlPlaneVM"
        public static let workerNodeVM: FieldPath = "status.workerNodeVM"
        public static let snapshots: FieldPath = "status.snapshots"
        public static let resetCount: FieldPath = "status.resetCount"
        public static let reset: FieldPath = "status.reset"
    }

    public static let fieldPaths: [FieldPath] =
        [
            Field.pool, Field.index, Field.phase, Field.message, Field.assignedSession, Field.lockTime, Field.lastReset,
            Field.errorTime, Field.controlPlaneVM, Field.workerNodeVM, Field.snapshots, Field.snapshots.appending("[]"),
            Field.resetCount, Field.reset,
        ] + ResetProgress.keys.map { Field.reset.appending(FieldPath([$0])) }

    // MARK: - Spec

    /// The pool the cluster belongs to.
    public var pool: String? { object[field: Field.pool]?.stringValue }
    /// Its number in the pool, from 1; 0 when absent.
    public var index: Int64 { object[field: Field.index]?.intValue ?? 0 }

    // MARK: - Status

    /// Nil when absent (a new cluster) or not one of the five phases.
    public var phase: Phase? {
        get { object[field: Field.phase]?.stringValue.flatMap(Phase.init(rawValue:)) }
        set { object[field: Field.phase] = newValue.map { .string($0.rawValue) } }
    }

    public var message: String? {
        get { object[field: Field.message]?.stringValue }
        set { object[field: Field.message] = newValue.map(JSONValue.string) }
    }

    /// The session holding the cluster (its name).
    public var assignedSession: String? {
        get { object[field: Field.assignedSession]?.stringValue }
        set { object[field: Field.assignedSession] = newValue.map(JSONValue.string) }
    }

    /// When the cluster was leased (microseconds on the wire).
    public var lockTime: Date? {
        get { Self.date(object[field: Field.lockTime]) }
        set { object[field: Field.lockTime] = newValue.map { .string(Timestamp.microString($0)) } }
    }

    /// `lockTime` as stored, to copy it on without loss.
    public var lockTimeJSON: JSONValue? { object[field: Field.lockTime] }

    /// When the last bootstrap or reset finished (microseconds on the wire).
    public var lastReset: Date? {
        get { Self.date(object[field: Field.lastReset]) }
        set { object[field: Field.lastReset] = newValue.map { .string(Timestamp.microString($0)) } }
    }

    /// When the cluster went to Error (seconds on the wire).
    public var errorTime: Date? {
        get { Self.date(object[field: Field.errorTime]) }
        set { object[field: Field.errorTime] = newValue.map { .string(Timestamp.string($0)) } }
    }

    public var controlPlaneVM: String? {
        get { object[field: Field.controlPlaneVM]?.stringValue }
        set { object[field: Field.controlPlaneVM] = newValue.map(JSONValue.string) }
    }

    public var workerNodeVM: String? {
        get { object[field: Field.workerNodeVM]?.stringValue }
        set { object[field: Field.workerNodeVM] = newValue.map(JSONValue.string) }
    }

    /// The baseline snapshots a reset restores from.
    public var snapshots: [String]? {
        get { object[field: Field.snapshots]?.arrayValue?.compactMap(\.stringValue) }
        set { object[field: Field.snapshots] = newValue.map { .array($0.map(JSONValue.string)) } }
    }

    /// How many resets (and reset attempts) the cluster has started.
    public var resetCount: Int64? {
        get { object[field: Field.resetCount]?.intValue }
        set { object[field: Field.resetCount] = newValue.map(JSONValue.int) }
    }

    /// The reset under way; nil between resets.
    public var reset: ResetProgress? {
        get { object[field: Field.reset].map(ResetProgress.init) }
        set { object[field: Field.reset] = newValue?.json }
    }

    /// Hands the cluster to a reset: Resetting, no reset under way yet, no holder.
    public mutating func releaseToReset(message: String) {
        phase = .resetting
        reset = nil
        assignedSession = nil
        self.message = message
    }

    static func date(_ value: JSONValue?) -> Date? { value?.stringValue.flatMap(Timestamp.date) }
}

extension LabClusterObject {
    /// `status.reset`: where a reset is, kept whole so fields it does not model survive.
    public struct ResetProgress: Sendable, Hashable {
        static let keys = ["step", "started", "attempt"]

        public enum Step: String, Sendable, CaseIterable {
            case stopping = "Stopping"
            case restoring = "Restoring"
            case starting = "Starting"
        }

        public var json: JSONValue

        public init(_ json: JSONValue) { self.json = json }

        /// A reset whose attempt `attempt` (from 0) starts now, stopping the VMs.
        public init(startingAttempt attempt: Int64, at date: Date = Date()) {
            json = ["step": .string(Step.stopping.rawValue), "started": .string(Timestamp.string(date)), "attempt": .int(attempt)]
        }

        /// Nil when absent or not one of the three steps.
        public var step: Step? {
            get { json["step"]?.stringValue.flatMap(Step.init(rawValue:)) }
            set { json["step"] = newValue.map { .string($0.rawValue) } }
        }

        /// When the current attempt started (seconds on the wire).
        public var started: Date? { LabClusterObject.date(json["started"]) }
        /// The attempt under way, from 0.
        public var attempt: Int64 { json["attempt"]?.intValue ?? 0 }
    }
}
