import Foundation

/// data-sync-operator's VMDiskImage (`crd.pelotech.ot/v1alpha1`): one VM disk's data, synced
/// into the cluster as a CDI DataVolume and a VolumeSnapshot. Schema:
/// `Sources/ImageSync/CRDs/crd.pelotech.ot_vmdiskimages.yaml`.
public struct VMDiskImage: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public static let apiVersion = "crd.pelotech.ot/v1alpha1"
    public static let kind = "VMDiskImage"

    public enum Phase: String, Sendable, CaseIterable {
        case queued = "Queued"
        case syncing = "Syncing"
        case ready = "Ready"
        case retryableFailure = "RetryableFailure"
        case failed = "Failed"
    }

    public enum SourceType: String, Sendable, CaseIterable {
        case s3, registry, blank, http
    }

    /// Every field below reads or writes through one of these paths, so this list is complete.
    public enum Field {
        public static let sourceType: FieldPath = "spec.sourceType"
        public static let url: FieldPath = "spec.url"
        public static let secretRef: FieldPath = "spec.secretRef"
        public static let certConfigMap: FieldPath = "spec.certConfigMap"
        public static let checksum: FieldPath = "spec.checksum"
        public static let diskSize: FieldPath = "spec.diskSize"
        public static let storageClass: FieldPath = "spec.storageClass"
        public static let snapshotClass: FieldPath = "spec.snapshotClass"
        public static let status: FieldPath = "status"
        public static let phase: FieldPath = "status.phase"
        public static let message: FieldPath = "status.message"
        public static let conditions: FieldPath = "status.conditions"
        public static let failureCount: FieldPath = "status.failureCount"
        public static let lastFailureTime: FieldPath = "status.lastFailureTime"
        public static let progress: FieldPath = "status.progress"
        public static let bytesTransferred: FieldPath = "status.bytesTransferred"
        public static let queuePosition: FieldPath = "status.queuePosition"
        public static let startTime: FieldPath = "status.startTime"
        public static let completionTime: FieldPath = "status.completionTime"
        public static let usedBy: FieldPath = "status.usedBy"
    }

    public static let fieldPaths: [FieldPath] =
        [
            Field.sourceType, Field.url, Field.secretRef, Field.certConfigMap, Field.checksum, Field.diskSize,
            Field.storageClass, Field.snapshotClass,
            Field.status, Field.phase, Field.message, Field.conditions, Field.failureCount, Field.lastFailureTime,
            Field.progress, Field.bytesTransferred, Field.queuePosition, Field.startTime, Field.completionTime, Field.usedBy,
        ] + Condition.fields.map { Field.conditions.appending(FieldPath([FieldPath.items, $0])) }

    // MARK: - Spec

    /// Nil when absent or not one of the four types.
    public var sourceType: SourceType? { object[string: Field.sourceType].flatMap(SourceType.init(rawValue:)) }
    public var url: String? { object[string: Field.url] }
    public var secretRef: String? { object[string: Field.secretRef] }
    public var certConfigMap: String? { object[string: Field.certConfigMap] }
    /// `sha256:<hex>`, the expected digest.
    public var checksum: String? { object[string: Field.checksum] }
    /// The size as the user wrote it (`24Gi`): passed on verbatim, since ``Quantity`` prints
    /// its canonical form, which may differ from the text.
    public var diskSizeText: String? { object[string: Field.diskSize] }
    public var diskSize: Quantity? { Quantity(json: object[field: Field.diskSize]) }
    public var storageClass: String? { object[string: Field.storageClass] }
    public var snapshotClass: String? { object[string: Field.snapshotClass] }

    // MARK: - Status

    /// Whether the object has a status at all (a new image has none).
    public var hasStatus: Bool { object[field: Field.status] != nil }

    /// Nil when absent or not one of the five phases.
    public var phase: Phase? {
        get { object[string: Field.phase].flatMap(Phase.init(rawValue:)) }
        set { object[field: Field.phase] = newValue.map { .string($0.rawValue) } }
    }

    public var message: String? {
        get { object[string: Field.message] }
        set { object[string: Field.message] = newValue }
    }

    /// The `status.conditions` entries as stored (see ``Condition`` and ControllerKit's
    /// `StatusConditions`).
    public var conditions: [JSONValue] {
        get { object[array: Field.conditions] ?? [] }
        set { object[array: Field.conditions] = newValue }
    }

    public var failureCount: Int? {
        get { object[int: Field.failureCount].map { Int($0) } }
        set { object[field: Field.failureCount] = newValue.map { .int(Int64($0)) } }
    }

    public var lastFailureTime: Date? {
        get { Self.date(object[field: Field.lastFailureTime]) }
        set { object[field: Field.lastFailureTime] = newValue.map { .string(Timestamp.string($0)) } }
    }

    /// CDI's progress text (`45.20%`, `N/A`).
    public var progress: String? {
        get { object[string: Field.progress] }
        set { object[string: Field.progress] = newValue }
    }

    public var bytesTransferred: Int64? {
        get { object[int: Field.bytesTransferred] }
        set { object[int: Field.bytesTransferred] = newValue }
    }

    /// Place in the global queue while Queued, 1 is next.
    public var queuePosition: Int64? {
        get { object[int: Field.queuePosition] }
        set { object[int: Field.queuePosition] = newValue }
    }

    /// When the first attempt started syncing.
    public var startTime: Date? {
        get { Self.date(object[field: Field.startTime]) }
        set { object[field: Field.startTime] = newValue.map { .string(Timestamp.string($0)) } }
    }

    public var completionTime: Date? {
        get { Self.date(object[field: Field.completionTime]) }
        set { object[field: Field.completionTime] = newValue.map { .string(Timestamp.string($0)) } }
    }

    /// What keeps a deletion waiting (`VirtualMachine ns/name`).
    public var usedBy: [String]? {
        get { object[array: Field.usedBy]?.compactMap(\.stringValue) }
        set { object[field: Field.usedBy] = newValue.map { .array($0.map(JSONValue.string)) } }
    }

    private static func date(_ value: JSONValue?) -> Date? { value?.stringValue.flatMap(Timestamp.date) }
}
