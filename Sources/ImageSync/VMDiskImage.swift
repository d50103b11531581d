import Foundation
import KubeClient
import KubeModel

extension ResourceType {
    /// data-sync-operator's kind: one disk image to sync, namespaced.
    public static let vmDiskImages = ResourceType(
        group: "crd.pelotech.ot", version: "v1alpha1", resource: "vmdiskimages",
        kind: "VMDiskImage", namespaced: true)
}

/// The names data-sync-operator gives things, kept so that its users' tooling works unchanged.
/// (The kind's fields are KubeModel's typed view ``VMDiskImage``.)
extension VMDiskImage {
    public static let finalizer = "pelotech.ot/vm-disk-image-finalizer"
    /// Put on the DataVolume and VolumeSnapshot of an image, valued with its name.
    public static let ownerLabel = "owner"
    /// The only condition type.
    public static let readyCondition = "Ready"

    /// Reasons of the Ready condition: data-sync-operator's, plus `SyncDeadlineExceeded` (its
    /// deadline failure sets no reason) and `InUse` (deletion waiting for users).
    public enum Reason {
        public static let queued = "Queued"
        public static let syncing = "Syncing"
        public static let synced = "Synced"
        public static let resourceCreationFailed = "ResourceCreationFailed"
        public static let resourceUpdateFailed = "ResourceUpdateFailed"
        public static let retryLimitExceeded = "RetryLimitExceeded"
        public static let unknownSyncFailure = "UnknownSyncFailure"
        public static let syncAttemptDurationExceeded = "SyncAttemptDurationExceeded"
        public static let missingSourceArtifact = "MissingSourceArtifact"
        public static let syncDeadlineExceeded = "SyncDeadlineExceeded"
        public static let inUse = "InUse"
    }

    /// Waiting in the queue, and not being deleted.
    var isQueued: Bool { phase == .queued && !isDeleting }

    /// The global FIFO: every queued image of every namespace, oldest first (namespace and name
    /// break ties, so every replica computes the same order).
    static func queue(_ images: [JSONValue]) -> [JSONValue] {
        images.map(VMDiskImage.init).filter(\.isQueued)
            .map { ($0.creationDate ?? .distantFuture, $0.object.namespace ?? "", $0.object.name ?? "", $0.object) }
            .sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
            .map(\.3)
    }
}
