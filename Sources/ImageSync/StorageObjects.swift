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

    static func attempt(of image: JSONValue) -> String {
        String(image[path: ["status", "failureCount"]]?.intValue ?? 0)
    }

    static func dataVolume(for image: JSONValue) -> JSONValue {
        let spec = image["spec"] ?? [:]
        let sourceType = spec["sourceType"]?.stringValue ?? ""
        let url = spec["url"] ?? ""
        var source: JSONValue
        switch VMDiskImage.SourceType(rawValue: sourceType) {
        case .s3:
            source = ["s3": ["url": url]]
            copy(spec, "secretRef", into: &source, at: ["s3", "secretRef"])
            copy(spec, "certConfigMap", into: &source, at: ["s3", "certConfigMap"])
        case .http:
            source = ["http": ["url": url]]
            copy(spec, "secretRef", into: &source, at: ["http", "secretRef"])
            copy(spec, "certConfigMap", into: &source, at: ["http", "certConfigMap"])
            copy(spec, "checksum", into: &source, at: ["http", "checksum"])
        case .registry:
            source = ["registry": ["url": url]]
            copy(spec, "secretRef", into: &source, at: ["registry", "secretRef"])
            copy(spec, "certConfigMap", into: &source, at: ["registry", "certConfigMap"])
        case .blank, nil:
            source = ["blank": [:]]
        }
        var storage: JSONValue = ["resources": ["requests": ["storage": spec["diskSize"] ?? "1Gi"]]]
        if let storageClass = spec["storageClass"]?.stringValue, !storageClass.isEmpty {
            storage["storageClassName"] = .string(storageClass)
        }
        var dataVolume: JSONValue = [
            "apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
            "metadata": metadata(for: image, annotations: [bindImmediately: "true", attemptAnnotation: attempt(of: image)]),
            "spec": ["source": source, "storage": storage],
        ]
        if sourceType == "s3", let checksum = spec["checksum"]?.stringValue, !checksum.isEmpty {
            dataVolume[path: ["metadata", "annotations", checksumAnnotation]] = .string(checksum)
        }
        return dataVolume
    }

    static func volumeSnapshot(for image: JSONValue) -> JSONValue {
        var spec: JSONValue = ["source": ["persistentVolumeClaimName": .string(image.name ?? "")]]
        if let snapshotClass = image[path: ["spec", "snapshotClass"]]?.stringValue, !snapshotClass.isEmpty {
            spec["volumeSnapshotClassName"] = .string(snapshotClass)
        }
        return [
            "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
            "metadata": metadata(for: image, annotations: [:]),
            "spec": spec,
        ]
    }

    /// Whether `object` is this image's (controlled by its UID).
    static func isOwned(_ object: JSONValue, by image: JSONValue) -> Bool {
        object["metadata"]?["ownerReferences"]?.arrayValue?.contains {
            $0["uid"]?.stringValue == image.uid && $0["controller"]?.boolValue == true
        } ?? false
    }

    private static func metadata(for image: JSONValue, annotations: [String: String]) -> JSONValue {
        var labels = image.labels
        labels[VMDiskImage.ownerLabel] = image.name ?? ""
        var metadata: JSONValue = [
            "name": .string(image.name ?? ""), "namespace": .string(image.namespace ?? "default"),
            "labels": .object(labels.mapValues(JSONValue.string)),
            "ownerReferences": [[
                "apiVersion": .string(VMDiskImage.apiVersion), "kind": .string(VMDiskImage.kind),
                "name": .string(image.name ?? ""), "uid": .string(image.uid ?? ""),
                "controller": true, "blockOwnerDeletion": true,
            ]],
        ]
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations.mapValues(JSONValue.string)) }
        return metadata
    }

    private static func copy(_ spec: JSONValue, _ key: String, into source: inout JSONValue, at path: [String]) {
        guard let value = spec[key]?.stringValue, !value.isEmpty else { return }
        source[path: path] = .string(value)
    }
}
