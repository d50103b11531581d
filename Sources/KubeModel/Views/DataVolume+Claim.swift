/// The DataVolume fields the simulated CDI controller uses beyond ImageSync's
/// (`DataVolume.swift`): the legacy `spec.pvc`, the claim it binds, and status written whole.
extension DataVolume {
    public enum ClaimField {
        public static let storage: FieldPath = "spec.storage"
        public static let pvc: FieldPath = "spec.pvc"
        public static let pvcStorageRequest: FieldPath = "spec.pvc.resources.requests.storage"
        public static let status: FieldPath = "status"
        public static let claimName: FieldPath = "status.claimName"
        /// Inside `spec.source`.
        public static let httpChecksum: FieldPath = "http.checksum"
    }

    /// The paths above, for the schema test.
    public static let claimFieldPaths: [FieldPath] = [
        ClaimField.storage, ClaimField.pvc, ClaimField.pvcStorageRequest, ClaimField.status, ClaimField.claimName,
        "spec.storage.accessModes", "spec.storage.volumeMode", "spec.pvc.accessModes", "spec.pvc.volumeMode",
        "spec.pvc.storageClassName", Field.source.appending(ClaimField.httpChecksum),
    ]

    /// `spec.storage`, or the legacy `spec.pvc`, as stored.
    public var claimSpec: JSONValue? { object[field: ClaimField.storage] ?? object[field: ClaimField.pvc] }

    /// The requested size as stored, from `spec.storage` or `spec.pvc`.
    public var requestedStorage: JSONValue? {
        object[field: Field.storageRequest] ?? object[field: ClaimField.pvcStorageRequest]
    }

    /// `status`, whole: the controller rebuilds it from the old one.
    public var status: JSONValue? {
        get { object[field: ClaimField.status] }
        set { object[field: ClaimField.status] = newValue }
    }

    public var claimName: String? { object[string: ClaimField.claimName] }
}
