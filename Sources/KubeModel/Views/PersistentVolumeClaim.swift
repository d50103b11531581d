/// A core/v1 PersistentVolumeClaim, only what the simulated CDI and snapshotter use. Schema:
/// `io.k8s.api.core.v1.PersistentVolumeClaim` in `Sources/KubeServer/Schemas/builtin-1.32.json`.
public struct PersistentVolumeClaim: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public enum Field {
        public static let volumeMode: FieldPath = "spec.volumeMode"
        public static let status: FieldPath = "status"
        public static let phase: FieldPath = "status.phase"
        public static let capacityStorage: FieldPath = "status.capacity.storage"
    }

    public static let fieldPaths: [FieldPath] = [
        Field.volumeMode, Field.status, Field.phase, Field.capacityStorage, "status.accessModes",
    ]

    /// `spec.volumeMode` as stored (`Filesystem` or `Block`).
    public var volumeMode: JSONValue? { object[field: Field.volumeMode] }

    /// `status`, whole.
    public var status: JSONValue? {
        get { object[field: Field.status] }
        set { object[field: Field.status] = newValue }
    }

    /// `Pending`, `Bound` or `Lost`, as written.
    public var phase: String? { object[string: Field.phase] }
    /// The bound volume's size as written.
    public var capacityStorage: String? { object[string: Field.capacityStorage] }
}
