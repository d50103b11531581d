/// A core/v1 Pod, only what the simulated scheduler and kubelet read and write. Schema:
/// `io.k8s.api.core.v1.Pod` in `Sources/KubeServer/Schemas/builtin-1.32.json`.
public struct Pod: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    /// The pod phases of the core API.
    public enum Phase: String, Sendable, CaseIterable {
        case pending = "Pending"
        case running = "Running"
        case succeeded = "Succeeded"
        case failed = "Failed"
        case unknown = "Unknown"

        public var isFinished: Bool { self == .succeeded || self == .failed }
    }

    public enum Field {
        public static let spec: FieldPath = "spec"
        public static let nodeName: FieldPath = "spec.nodeName"
        public static let schedulerName: FieldPath = "spec.schedulerName"
        public static let containers: FieldPath = "spec.containers"
        public static let phase: FieldPath = "status.phase"
        public static let podIP: FieldPath = "status.podIP"
        public static let qosClass: FieldPath = "status.qosClass"
        public static let conditions: FieldPath = "status.conditions"
        public static let affinity: FieldPath = "spec.affinity"
        public static let requiredNodeSelectorTerms = affinity.appending(Affinity.requiredNodeSelectorTerms)
        public static let preferredNodeAffinityTerms = affinity.appending(Affinity.preferredNodeAffinityTerms)
    }

    public static let fieldPaths: [FieldPath] = [
        Field.spec, Field.nodeName, Field.schedulerName, Field.containers, Field.phase, Field.podIP, Field.qosClass,
        Field.conditions, Field.conditions.appending("[].type"), Field.conditions.appending("[].status"),
        Field.conditions.appending("[].reason"), Field.conditions.appending("[].message"),
        Field.containers.appending("[].resources.requests"), Field.containers.appending("[].resources.limits"),
        Field.requiredNodeSelectorTerms, Field.preferredNodeAffinityTerms,
    ]

    /// `spec`, whole (the scheduler reads affinity, tolerations, containers from it).
    public var spec: JSONValue { object[field: Field.spec] ?? [:] }

    /// The node the pod is bound to; nil or empty before scheduling.
    public var nodeName: String? { object[field: Field.nodeName]?.stringValue }
    public var isBound: Bool { !(nodeName ?? "").isEmpty }
    public var schedulerName: String? { object[field: Field.schedulerName]?.stringValue }
    public var containers: [JSONValue] { object[field: Field.containers]?.arrayValue ?? [] }

    /// The required node affinity's terms as stored; nil when the pod has none (which is not
    /// the same as an empty list: no terms match nothing).
    public var requiredNodeSelectorTerms: [JSONValue]? { object[field: Field.requiredNodeSelectorTerms]?.arrayValue }
    /// The preferred node affinity's weighted terms as stored.
    public var preferredNodeAffinityTerms: [JSONValue] { object[field: Field.preferredNodeAffinityTerms]?.arrayValue ?? [] }

    /// `status.phase`; nil before the kubelet's first write.
    public var phase: Phase? { object[field: Field.phase]?.stringValue.flatMap(Phase.init(rawValue:)) }
    /// The raw phase text, for phases this type does not name.
    public var phaseText: String? { object[field: Field.phase]?.stringValue }
    public var podIP: String? { object[field: Field.podIP]?.stringValue }
    /// As stored (the VMI copies it verbatim).
    public var qosClass: JSONValue? { object[field: Field.qosClass] }
    public var conditions: [JSONValue] { object[field: Field.conditions]?.arrayValue ?? [] }

    /// One label's value. Unlike ``labels`` it builds no map: for code that reads a few labels
    /// of every pod on every pass (a metrics scrape over thousands of launchers).
    public func label(_ key: String) -> String? { object["metadata"]?["labels"]?[key]?.stringValue }

    /// One annotation's value, without building ``annotations``.
    public func annotation(_ key: String) -> String? { object["metadata"]?["annotations"]?[key]?.stringValue }
}

extension Pod {
    /// Paths inside a core/v1 Affinity (`spec.affinity`).
    public enum Affinity {
        public static let requiredNodeSelectorTerms: FieldPath =
            "nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
        public static let preferredNodeAffinityTerms: FieldPath = "nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"
    }

    /// One entry of `spec.containers`, only its resources.
    public struct Container: Sendable, Hashable {
        public static let requests: FieldPath = "resources.requests"
        public static let limits: FieldPath = "resources.limits"

        public var json: JSONValue

        public init(_ json: JSONValue) { self.json = json }

        /// `resources.requests` as stored (a resource list of quantities' text).
        public var requests: JSONValue? { json[field: Self.requests] }
        public var limits: JSONValue? { json[field: Self.limits] }
    }
}
