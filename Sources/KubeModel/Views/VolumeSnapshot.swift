/// A CSI VolumeSnapshot (`snapshot.storage.k8s.io/v1`) of one claim. Schema:
/// `Sources/Simulation/CRDs/snapshot.storage.k8s.io_volumesnapshots.yaml`.
public struct VolumeSnapshot: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public static let apiVersion = "snapshot.storage.k8s.io/v1"
    public static let kind = "VolumeSnapshot"

    /// A new snapshot of the claim `claimName` in `namespace`.
    public init(name: String, namespace: String, claimName: String) {
        object = [
            "apiVersion": .string(Self.apiVersion), "kind": .string(Self.kind),
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": [:],
        ]
        persistentVolumeClaimName = claimName
    }

    public enum Field {
        public static let persistentVolumeClaimName: FieldPath = "spec.source.persistentVolumeClaimName"
        public static let volumeSnapshotClassName: FieldPath = "spec.volumeSnapshotClassName"
        public static let readyToUse: FieldPath = "status.readyToUse"
        public static let errorMessage: FieldPath = "status.error.message"
    }

    public static let fieldPaths: [FieldPath] = [
        Field.persistentVolumeClaimName, Field.volumeSnapshotClassName, Field.readyToUse, Field.errorMessage,
    ]

    public var persistentVolumeClaimName: String? {
        get { object[string: Field.persistentVolumeClaimName] }
        set { object[string: Field.persistentVolumeClaimName] = newValue }
    }

    public var volumeSnapshotClassName: String? {
        get { object[string: Field.volumeSnapshotClassName] }
        set { object[string: Field.volumeSnapshotClassName] = newValue }
    }

    public var readyToUse: Bool { object[bool: Field.readyToUse] == true }

    /// The snapshotter's last error, if it reported one.
    public var errorMessage: String? { object[string: Field.errorMessage] }
}
