import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// The CSI snapshot controller and a snapshot-capable driver for the embedded mode: a
/// `VolumeSnapshot` of a claim whose volume holds data gets a `VolumeSnapshotContent`
/// (`snapcontent-<uid>`, as the external-snapshotter names them) and becomes `readyToUse`;
/// its data is a hard link to the volume's file (see `VolumeStore`). A snapshot that goes away
/// takes its content (deletion policy Delete) and its data with it.
///
/// A snapshot naming a `VolumeSnapshotClass` that does not exist is never readied: as the
/// external-snapshotter's `checkAndUpdateSnapshotClass` does, it gets `status.error`, a
/// `GetSnapshotClassFailed` warning event and `readyToUse: false`; creating the class later
/// lets it proceed (the controller watches classes).
struct VolumeSnapshotReconciler: Reconciler {
    /// The driver named on contents when the snapshot's class is not found.
    static let driver = "hostpath.csi.virtyard.io"

    let api: any KubernetesAPI
    let snapshots: Informer
    let contents: Informer
    let classes: Informer
    let claims: Informer
    let store: VolumeStore
    let logger: Logger

    static func contentName(snapshotUID uid: String) -> String { "snapcontent-\(uid)" }

    /// The real controller's component name, so `kubectl describe` reads the same.
    private var events: EventRecorder { EventRecorder(api: api, component: "snapshot-controller", logger: logger) }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let namespace = key.namespace ?? "default"
        guard let snapshot = snapshots.get(key), snapshot.deletionTimestamp == nil, let uid = snapshot.uid else {
            try await removeContents(of: key)
            store.removeSnapshot(namespace: namespace, name: key.name)
            return .done
        }
        let view = VolumeSnapshot(snapshot)
        guard !view.readyToUse else { return .done }
        if let className = view.volumeSnapshotClassName, classes.get(namespace: nil, name: className) == nil {
            // The external-snapshotter's wording (its lister's not-found error, wrapped).
            let message =
                "Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io "
                + "\"\(className)\" not found"
            if try await writeError(snapshot, message) {
                events.record(snapshot, type: .warning, reason: "GetSnapshotClassFailed", message: message)
            }
            // The class's creation enqueues the snapshot again (SimulationControllers).
            return .done
        }
        guard let claimName = view.persistentVolumeClaimName else {
            try await writeError(snapshot, "only snapshots of a persistentVolumeClaimName are supported by the embedded driver")
            return .done
        }
        guard let claim = claims.get(namespace: namespace, name: claimName) else {
            try await writeError(
                snapshot,
                "failed to get input parameters to create snapshot \(key.name): "
                    + "persistentvolumeclaim \"\(claimName)\" not found")
            return .requeueAfter(.seconds(2))
        }
        guard try store.takeSnapshot(namespace: namespace, claim: claimName, snapshot: key.name) else {
            try await writeError(snapshot, "waiting for the data of persistentvolumeclaim \"\(claimName)\"")
            return .requeueAfter(.seconds(1))
        }
        let contentName = Self.contentName(snapshotUID: uid)
        let className = view.volumeSnapshotClassName
        let driver = className.flatMap { classes.get(namespace: nil, name: $0)?["driver"]?.stringValue } ?? Self.driver
        let bytes = VolumeStore.size(of: store.snapshot(namespace: namespace, name: key.name))
        let size =
            PersistentVolumeClaim(claim).capacityStorage.flatMap { try? Quantity(parsing: $0) }?.value
            ?? bytes
        let now = Date()
        var contentSpec: JSONValue = [
            "deletionPolicy": "Delete",
            "driver": .string(driver),
            "source": ["volumeHandle": .string(claim.uid ?? claimName)],
            "sourceVolumeMode": PersistentVolumeClaim(claim).volumeMode ?? "Filesystem",
            "volumeSnapshotRef": [
                "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
                "name": .string(key.name), "namespace": .string(namespace), "uid": .string(uid),
            ],
        ]
        if let className { contentSpec["volumeSnapshotClassName"] = .string(className) }
        let content: JSONValue = [
            "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotContent",
            "metadata": ["name": .string(contentName)],
            "spec": contentSpec,
        ]
        var stored = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.volumeSnapshotContents, object: content)
        }
        if stored == nil { stored = try await api.get(.volumeSnapshotContents, name: contentName) }
        if let stored, !VolumeSnapshotContent(stored).readyToUse {
            var ready = VolumeSnapshotContent(stored)
            ready.status = [
                "creationTime": .int(Int64(now.timeIntervalSince1970 * 1e9)), "readyToUse": true,
                "restoreSize": .int(size), "snapshotHandle": .string("\(namespace)/\(key.name)"),
            ]
            _ = try await api.updateStatus(.volumeSnapshotContents, object: ready.object)
        }
        var updated = view
        updated.status = [
            "boundVolumeSnapshotContentName": .string(contentName), "creationTime": .string(Timestamp.string(now)),
            "readyToUse": true, "restoreSize": .string(Quantity(size).description),
        ]
        _ = try await api.updateStatus(.volumeSnapshots, namespace: namespace, object: updated.object)
        logger.info("volume snapshot ready", metadata: ["snapshot": "\(key)", "bytes": "\(bytes)"])
        return .done
    }

    /// Writes `message` as the snapshot's error; false when it was already there.
    @discardableResult
    private func writeError(_ snapshot: JSONValue, _ message: String) async throws -> Bool {
        guard VolumeSnapshot(snapshot).errorMessage != message else { return false }
        var updated = VolumeSnapshot(snapshot)
        updated.status = ["readyToUse": false, "error": ["message": .string(message), "time": .string(Timestamp.now())]]
        _ = try await api.updateStatus(.volumeSnapshots, namespace: snapshot.namespace, object: updated.object)
        return true
    }

    private func removeContents(of key: ObjectKey) async throws {
        for content in contents.list(namespace: nil).map(VolumeSnapshotContent.init)
        where
            content.snapshotRefName == key.name && content.snapshotRefNamespace == key.namespace
            && content.deletionPolicy == "Delete"
        {
            guard let name = content.object.name else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(.volumeSnapshotContents, name: name)
            }
        }
    }
}
