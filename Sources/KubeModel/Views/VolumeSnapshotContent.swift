/// A CSI VolumeSnapshotContent (`snapshot.storage.k8s.io/v1`, cluster-scoped): the snapshot
/// itself, bound to one VolumeSnapshot. Schema:
/// `Sources/Simulation/CRDs/snapshot.storage.k8s.io_volumesnapshotcontents.yaml`.
public struct VolumeSnapshotContent: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public enum Field {
        public static let snapshotRefName: FieldPath = "spec.volumeSnapshotRef.name"
        public static let snapshotRefNamespace: FieldPath = "spec.volumeSnapshotRef.namespace"
        public static let deletionPolicy: FieldPath = "spec.deletionPolicy"
        public static let status: FieldPath = "status"
        public static let readyToUse: FieldPath = "status.readyToUse"
    }

    public static let fieldPaths: [FieldPath] = [
        Field.snapshotRefName, Field.snapshotRefNamespace, Field.deletionPolicy, Field.status, Field.readyToUse,
        "spec.driver", "spec.source.volumeHandle", "spec.sourceVolumeMode", "spec.volumeSnapshotRef.uid",
        "spec.volumeSnapshotClassName", "status.creationTime", "status.restoreSize", "status.snapshotHandle",
    ]

    public var snapshotRefName: String? { object[string: Field.snapshotRefName] }
    public var snapshotRefNamespace: String? { object[string: Field.snapshotRefNamespace] }
    /// `Delete` or `Retain`, as written.
    public var deletionPolicy: String? { object[string: Field.deletionPolicy] }

    /// `status`, whole.
    public var status: JSONValue? {
        get { object[field: Field.status] }
        set { object[field: Field.status] = newValue }
    }

    public var readyToUse: Bool { object[bool: Field.readyToUse] == true }
}
