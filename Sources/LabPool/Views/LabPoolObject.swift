import KubeModel

/// A LabPool (`virtyard.io/v1alpha1`, cluster-scoped): how many lab clusters to keep, what
/// their VMs look like, and the times its sessions get. Schema:
/// `Sources/LabPool/CRDs/virtyard.io_labpools.yaml`.
///
/// Named `…Object` because the module's entry point is the enum `LabPool`.
public struct LabPoolObject: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public static let kind = "LabPool"

    /// A new pool `name` of `size` clusters, everything else defaulted by the CRD.
    public init(name: String, size: Int) {
        object = [
            "apiVersion": .string(Lab.apiVersion), "kind": .string(Self.kind), "metadata": ["name": .string(name)],
            "spec": ["size": .int(Int64(size))],
        ]
    }

    public enum Field {
        public static let size: FieldPath = "spec.size"
        public static let template: FieldPath = "spec.template"
        public static let sessionTimeout: FieldPath = "spec.sessionTimeout"
        public static let maxExtension: FieldPath = "spec.maxExtension"
        public static let resetTimeout: FieldPath = "spec.resetTimeout"
        public static let sessionRetention: FieldPath = "spec.sessionRetention"
        public static let quotaObjects: FieldPath = "spec.quota.objects"
        public static let quotaBytes: FieldPath = "spec.quota.bytes"
        public static let status: FieldPath = "status"
        /// Inside ``template``.
        public static let templateImage: FieldPath = "image"
        public static let templateControlPlane: FieldPath = "controlPlane"
        public static let templateWorker: FieldPath = "worker"
    }

    public static let fieldPaths: [FieldPath] =
        [
            Field.size, Field.template, Field.sessionTimeout, Field.maxExtension, Field.resetTimeout, Field.sessionRetention,
            Field.quotaObjects, Field.quotaBytes, Field.status,
        ] + [Field.templateImage, Field.templateControlPlane, Field.templateWorker].map(Field.template.appending)
        + MemberCounts.keys.map { Field.status.appending(FieldPath([$0])) }

    // MARK: - Spec

    /// `spec.size`, 0 when absent.
    public var size: Int { Int(object[field: Field.size]?.intValue ?? 0) }
    /// `spec.size` as written, nil when absent.
    public var sizeIfSet: Int? { object[field: Field.size]?.intValue.map { Int($0) } }

    /// The golden image of the default VM template (`spec.template.image`).
    public var templateImage: String? { object[field: Field.template.appending(Field.templateImage)]?.stringValue }
    /// A VirtualMachine `spec.template` for the control-plane VM (`spec.template.controlPlane`).
    public var controlPlaneTemplate: JSONValue? { object[field: Field.template.appending(Field.templateControlPlane)] }
    /// A VirtualMachine `spec.template` for the worker VM (`spec.template.worker`).
    public var workerTemplate: JSONValue? { object[field: Field.template.appending(Field.templateWorker)] }

    /// The Go durations of `spec`; nil when absent or not a Go duration (the callers' defaults
    /// apply, as the CRD's do).
    public var sessionTimeout: Duration? { Self.duration(object[field: Field.sessionTimeout]) }
    public var maxExtension: Duration? { Self.duration(object[field: Field.maxExtension]) }
    public var resetTimeout: Duration? { Self.duration(object[field: Field.resetTimeout]) }
    public var sessionRetention: Duration? { Self.duration(object[field: Field.sessionRetention]) }

    /// `spec.quota.objects`: the most objects the cluster's API may hold.
    public var quotaObjects: Int64? { object[field: Field.quotaObjects]?.intValue }
    /// `spec.quota.bytes` in bytes: an integer or a quantity's text (`32Mi`).
    public var quotaBytes: Int64? {
        let bytes = object[field: Field.quotaBytes]
        return bytes?.intValue ?? bytes?.stringValue.flatMap { try? Quantity(parsing: $0) }?.value
    }

    static func duration(_ value: JSONValue?) -> Duration? {
        value?.stringValue.flatMap { try? GoDuration.parse($0) }
    }

    // MARK: - Status

    /// `status`: how many members the pool has in each phase.
    public struct MemberCounts: Sendable, Hashable {
        /// The keys of `status`, in the order they are documented.
        static let keys = ["size", "available", "locked", "resetting", "creating", "error"]

        public var size: Int
        public var byPhase: [Lab.Phase: Int]

        public init(size: Int, byPhase: [Lab.Phase: Int]) {
            self.size = size
            self.byPhase = byPhase
        }

        /// Every key written, a phase without members as 0.
        var json: JSONValue {
            var fields: [String: JSONValue] = ["size": .int(Int64(size))]
            for phase in Lab.Phase.allCases { fields[phase.rawValue.lowercased()] = .int(Int64(byPhase[phase] ?? 0)) }
            return .object(fields)
        }
    }

    /// Replaces `status` whole with `counts`.
    public mutating func setStatus(_ counts: MemberCounts) {
        object[field: Field.status] = counts.json
    }
}
