import ControllerKit
import KubeModel
import Testing

@testable import ImageSync

/// An image as the informer holds it.
private func image(
    _ name: String, namespace: String = "default", created: String, phase: String?,
    deleting: Bool = false
) -> JSONValue {
    var object: JSONValue = [
        "apiVersion": "crd.pelotech.ot/v1alpha1", "kind": "VMDiskImage",
        "metadata": [
            "name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(namespace)-\(name)"),
            "creationTimestamp": .string(created),
        ],
        "spec": ["sourceType": "blank", "diskSize": "1Gi"],
    ]
    if let phase { object[path: ["status", "phase"]] = .string(phase) }
    if deleting { object[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:00:00Z" }
    return object
}

@Suite struct QueueTests {
    @Test func queueIsOneFIFOAcrossNamespaces() {
        let images = [
            image("c", namespace: "team-b", created: "2026-01-01T00:00:03Z", phase: "Queued"),
            image("a", namespace: "team-a", created: "2026-01-01T00:00:01Z", phase: "Queued"),
            image("ready", created: "2026-01-01T00:00:00Z", phase: "Ready"),
            image("b2", namespace: "team-b", created: "2026-01-01T00:00:02Z", phase: "Queued"),
            image("b1", namespace: "team-a", created: "2026-01-01T00:00:02Z", phase: "Queued"),
            image("gone", created: "2026-01-01T00:00:00Z", phase: "Queued", deleting: true),
        ]
        #expect(
            VMDiskImage.queue(images).map { "\($0.namespace!)/\($0.name!)" }
                == ["team-a/a", "team-a/b1", "team-b/b2", "team-b/c"])
    }

    @Test func gateAdmitsOnlyTheHeadUpToTheCap() {
        let gate = AdmissionGate()
        var images = (1...5).map { image("i\($0)", created: "2026-01-01T00:00:0\($0)Z", phase: "Queued") }
        images.append(image("s", created: "2026-01-01T00:00:00Z", phase: "Syncing"))
        // One Syncing, cap 3: two slots, for i1 and i2 only.
        #expect(
            gate.decide(ObjectKey(namespace: "default", name: "i3"), queue: ImageQueue(images), concurrency: 3)
                == .wait(position: 3, syncing: 1))
        #expect(gate.decide(ObjectKey(namespace: "default", name: "i2"), queue: ImageQueue(images), concurrency: 3) == .admit)
        #expect(gate.decide(ObjectKey(namespace: "default", name: "i1"), queue: ImageQueue(images), concurrency: 3) == .admit)
        // The cache has not seen either write yet: the admissions still count.
        #expect(
            gate.decide(ObjectKey(namespace: "default", name: "i3"), queue: ImageQueue(images), concurrency: 3)
                == .wait(position: 1, syncing: 3))
        // Both now Syncing in the cache, and the policy lowered to 2: nothing new starts.
        images[0][path: ["status", "phase"]] = "Syncing"
        images[1][path: ["status", "phase"]] = "Syncing"
        #expect(
            gate.decide(ObjectKey(namespace: "default", name: "i3"), queue: ImageQueue(images), concurrency: 2)
                == .wait(position: 1, syncing: 3))
        // Two finish: one slot under the lowered cap.
        images[0][path: ["status", "phase"]] = "Ready"
        images[5][path: ["status", "phase"]] = "Ready"
        #expect(
            gate.decide(ObjectKey(namespace: "default", name: "i4"), queue: ImageQueue(images), concurrency: 2)
                == .wait(position: 2, syncing: 1))
        #expect(gate.decide(ObjectKey(namespace: "default", name: "i3"), queue: ImageQueue(images), concurrency: 2) == .admit)
    }

    @Test func withdrawnAdmissionFreesItsSlot() {
        let gate = AdmissionGate()
        let images = [
            image("a", created: "2026-01-01T00:00:01Z", phase: "Queued"),
            image("b", created: "2026-01-01T00:00:02Z", phase: "Queued"),
        ]
        #expect(gate.decide(ObjectKey(namespace: "default", name: "a"), queue: ImageQueue(images), concurrency: 1) == .admit)
        #expect(
            gate.decide(ObjectKey(namespace: "default", name: "b"), queue: ImageQueue(images), concurrency: 1)
                == .wait(position: 1, syncing: 1))
        gate.withdraw(ObjectKey(namespace: "default", name: "a"))
        #expect(gate.decide(ObjectKey(namespace: "default", name: "a"), queue: ImageQueue(images), concurrency: 1) == .admit)
    }

    @Test func storageObjectsFollowDataSyncOperator() {
        var source = image("win11", created: "2026-01-01T00:00:01Z", phase: "Syncing")
        source["spec"] = [
            "sourceType": "s3", "url": "https://s3.us-gov-west-1.amazonaws.com/b/k.qcow2", "secretRef": "creds",
            "diskSize": "24Gi", "storageClass": "gp3", "snapshotClass": "ebs",
            "checksum": .string("sha256:" + String(repeating: "a", count: 64)),
        ]
        source[path: ["metadata", "labels"]] = ["team": "red"]
        let dataVolume = StorageObjects.dataVolume(for: source)
        #expect(
            dataVolume[path: ["spec", "source", "s3"]] == [
                "url": "https://s3.us-gov-west-1.amazonaws.com/b/k.qcow2",
                "secretRef": "creds",
            ])
        #expect(dataVolume[path: ["spec", "storage"]] == ["resources": ["requests": ["storage": "24Gi"]], "storageClassName": "gp3"])
        #expect(dataVolume.labels == ["team": "red", "owner": "win11"])
        #expect(dataVolume.annotations[StorageObjects.checksumAnnotation] == "sha256:" + String(repeating: "a", count: 64))
        #expect(StorageObjects.isOwned(dataVolume, by: source))
        let snapshot = StorageObjects.volumeSnapshot(for: source)
        #expect(snapshot["spec"] == ["source": ["persistentVolumeClaimName": "win11"], "volumeSnapshotClassName": "ebs"])
        #expect(snapshot.labels["owner"] == "win11")

        var http = source
        http["spec"] = [
            "sourceType": "http", "url": "https://example.com/disk.img", "diskSize": "1Gi",
            "checksum": .string("sha256:" + String(repeating: "b", count: 64)),
        ]
        #expect(
            StorageObjects.dataVolume(for: http)[path: ["spec", "source", "http", "checksum"]]?.stringValue?.hasPrefix("sha256:b") == true)
    }

    @Test func missingSourceMessagesAreRecognised() {
        #expect(
            ImageSyncReconciler.isMissingSource(
                "Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found"))
        #expect(ImageSyncReconciler.isMissingSource("got 404 (NoSuchKey)"))
        #expect(!ImageSyncReconciler.isMissingSource("the transfer broke after 12 bytes"))
    }
}
