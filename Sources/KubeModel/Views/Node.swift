/// A core/v1 Node, only what the simulated kubelet and the scheduler use. Schema:
/// `io.k8s.api.core.v1.Node` in `Sources/KubeServer/Schemas/builtin-1.32.json`.
public struct Node: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public enum Field {
        public static let podCIDR: FieldPath = "spec.podCIDR"
        public static let taints: FieldPath = "spec.taints"
        public static let unschedulable: FieldPath = "spec.unschedulable"
        public static let capacity: FieldPath = "status.capacity"
        public static let allocatable: FieldPath = "status.allocatable"
        public static let conditions: FieldPath = "status.conditions"
        public static let addresses: FieldPath = "status.addresses"
    }

    public static let fieldPaths: [FieldPath] = [
        Field.podCIDR, Field.taints, Field.unschedulable, Field.capacity, Field.allocatable, Field.conditions,
        Field.addresses, Field.conditions.appending("[].type"), Field.conditions.appending("[].status"),
        Field.addresses.appending("[].type"), Field.addresses.appending("[].address"),
    ]

    public var podCIDR: String? { object[field: Field.podCIDR]?.stringValue }

    /// `spec.taints`, as stored.
    public var taints: [JSONValue] {
        get { object[field: Field.taints]?.arrayValue ?? [] }
        set { object[field: Field.taints] = .array(newValue) }
    }

    public var unschedulable: Bool { object[field: Field.unschedulable]?.boolValue ?? false }

    /// `status.capacity` as stored (a resource list of quantities' text).
    public var capacity: JSONValue? {
        get { object[field: Field.capacity] }
        set { object[field: Field.capacity] = newValue }
    }

    public var allocatable: JSONValue? {
        get { object[field: Field.allocatable] }
        set { object[field: Field.allocatable] = newValue }
    }

    public var conditions: [JSONValue] {
        get { object[field: Field.conditions]?.arrayValue ?? [] }
        set { object[field: Field.conditions] = .array(newValue) }
    }

    /// `status.addresses`, as stored; nil until the kubelet reports them.
    public var addresses: [JSONValue]? { object[field: Field.addresses]?.arrayValue }

    /// Whether the `Ready` condition is `True`.
    public var isReady: Bool { conditions.condition("Ready")?.isTrue ?? false }
}
