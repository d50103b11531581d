/// The VolumeSnapshot status the simulated snapshotter writes whole (ImageSync only reads
/// `readyToUse` and the error, in `VolumeSnapshot.swift`).
extension VolumeSnapshot {
    public static let statusField: FieldPath = "status"

    /// The status paths the snapshotter writes, for the schema test.
    public static let statusFieldPaths: [FieldPath] = [
        statusField, "status.boundVolumeSnapshotContentName", "status.creationTime", "status.readyToUse",
        "status.restoreSize", "status.error.message", "status.error.time",
    ]

    /// `status`, whole.
    public var status: JSONValue? {
        get { object[field: Self.statusField] }
        set { object[field: Self.statusField] = newValue }
    }
}
