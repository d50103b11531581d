import ControllerKit
import Foundation
import KubeModel

/// The storage objects an image is made of, as data-sync-operator writes them: a CDI DataVolume
/// and a CSI VolumeSnapshot of its claim, both named after the image, labelled
/// `owner=<image>` (plus the image's own labels) and controlled by it.
enum StorageObjects {
    /// CDI's annotation asking for the claim to bind at once rather than on first consumer.
    static let bindImmediately = "cdi.kubevirt.io/storage.bind.immediate.requested"
    /// The expected digest for sources whose CDI type has no checksum field (S3).
    static let checksumAnnotation = "virtyard.io/checksum"
    /// Which attempt created the DataVolume (the image's failure count then): one left over
    /// from a failed attempt is removed, never mistaken for the current one.
    static let attemptAnnotation = "virtyard.io/sync-attempt"
    /// Bytes the embedded CDI's importer has written so far (on the DataVolume).
    static let bytesWrittenAnnotation = "virtyard.io/import-bytes-written"

    static func attempt(of image: JSONValue) -> String {
        String(VMDiskImage(image).failureCount ?? 0)
    }

    static func dataVolume(for object: JSONValue) -> JSONValue {
        let image = VMDiskImage(object)
        let url = image.url ?? ""
        let source: DataVolume.Source
        switch image.sourceType {
        case .s3:
            source = .download(.s3, url: url, secretRef: image.secretRef, certConfigMap: image.certConfigMap)
        case .http:
            source = .download(
                .http, url: url, secretRef: image.secretRef, certConfigMap: image.certConfigMap,
                checksum: image.checksum)
        case .registry:
            source = .download(.registry, url: url, secretRef: image.secretRef, certConfigMap: image.certConfigMap)
        case .blank, nil:
            source = .blank
        }
        let storageClass = image.storageClass.flatMap { $0.isEmpty ? nil : $0 }
        var dataVolume = DataVolume(
            name: image.name, namespace: image.namespace, source: source,
            storage: image.diskSizeText ?? "1Gi", storageClassName: storageClass)
        var annotations = [bindImmediately: "true", attemptAnnotation: attempt(of: object)]
        // S3 sources have no checksum field in CDI: the importer reads the annotation.
        if image.sourceType == .s3, let checksum = image.checksum, !checksum.isEmpty {
            annotations[checksumAnnotation] = checksum
        }
        dataVolume.object.metadata = metadata(for: image, annotations: annotations)
        return dataVolume.object
    }

    static func volumeSnapshot(for object: JSONValue) -> JSONValue {
        let image = VMDiskImage(object)
        var snapshot = VolumeSnapshot(name: image.name, namespace: image.namespace, claimName: image.name)
        if let snapshotClass = image.snapshotClass, !snapshotClass.isEmpty {
            snapshot.volumeSnapshotClassName = snapshotClass
        }
        snapshot.object.metadata = metadata(for: image, annotations: [:])
        return snapshot.object
    }

    /// Whether `object` is this image's (controlled by its UID).
    static func isOwned(_ object: JSONValue, by image: JSONValue) -> Bool {
        object.isControlled(by: image)
    }

    private static func metadata(for image: VMDiskImage, annotations: [String: String]) -> JSONValue {
        // An empty object to set the metadata on through ObjectMeta+JSON's accessors.
        var carrier: JSONValue = [:]
        carrier.name = image.name
        carrier.namespace = image.namespace
        var labels = image.labels
        labels[VMDiskImage.ownerLabel] = image.name
        carrier.labels = labels
        carrier.annotations = annotations
        // Built, not set with `OwnerReferences.setController`: the object is new (nothing to
        // conflict with), and the reconciler calls this where only KubeClientError may be thrown.
        carrier.ownerReferences = [OwnerReferences.reference(to: image.object, .vmDiskImages)]
        return carrier.metadata
    }
}
