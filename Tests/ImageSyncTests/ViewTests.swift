import Foundation
import KubeModel
import Testing

/// The typed views read and write their fields and keep every field they do not know.
@Suite struct ViewTests {
    private let stored: JSONValue = [
        "apiVersion": "crd.pelotech.ot/v1alpha1", "kind": "VMDiskImage",
        "metadata": [
            "name": "win11", "namespace": "team-a", "uid": "u1", "resourceVersion": "42",
            "creationTimestamp": "2026-01-01T00:00:00Z", "annotations": ["someone.else/note": "keep"],
        ],
        "spec": ["sourceType": "http", "url": "https://example.com/disk.img", "diskSize": "24Gi", "futureField": "keep"],
        "status": ["phase": "Syncing", "failureCount": 2, "startTime": "2026-01-01T00:01:00Z", "addedByNewerCRD": ["x": 1]],
    ]

    @Test func readModifyWriteKeepsUnknownFields() {
        var image = VMDiskImage(stored)
        #expect(image.phase == .syncing)
        #expect(image.sourceType == .http)
        #expect(image.diskSizeText == "24Gi")
        #expect(image.diskSize == Quantity(24 * 1024 * 1024 * 1024))
        #expect(image.failureCount == 2)
        #expect(image.startTime == Date(timeIntervalSince1970: 1_767_225_660))
        #expect(image.resourceVersion == "42")
        image.phase = .ready
        image.completionTime = Date(timeIntervalSince1970: 1_767_225_720)
        image.queuePosition = nil
        var expected = stored
        expected[path: ["status", "phase"]] = "Ready"
        expected[path: ["status", "completionTime"]] = "2026-01-01T00:02:00Z"
        #expect(image.object == expected)
    }

    @Test func clearingAnAbsentFieldCreatesNothing() {
        var image = VMDiskImage(["metadata": ["name": "new"]])
        image.queuePosition = nil
        image.progress = nil
        #expect(image.object == ["metadata": ["name": "new"]])
        #expect(!image.hasStatus)
        #expect(image.phase == nil)
    }

    @Test func unknownPhaseReadsAsNil() {
        let image = VMDiskImage(["status": ["phase": "Exploded"]])
        #expect(image.phase == nil)
        #expect(DataVolume(["status": ["phase": "CloneInProgress"]]).phase?.rawValue == "CloneInProgress")
    }

    @Test func dataVolumeSourcesAndReferences() {
        let download = DataVolume.Source.download(.s3, url: "s3://b/k", secretRef: "", certConfigMap: "ca", checksum: "sha256:x")
        // Empty fields are left out, and S3 has no checksum field.
        #expect(download.json == ["s3": ["url": "s3://b/k", "certConfigMap": "ca"]])
        let clone = DataVolume(["spec": ["source": ["pvc": ["name": "golden", "namespace": "images"]]]])
        #expect(clone.source?.pvc == DataVolume.Source.Reference(name: "golden", namespace: "images"))
        #expect(clone.source?.snapshot == nil)
        let created = DataVolume(name: "d", namespace: "ns", source: .blank, storage: "1Gi", storageClassName: nil)
        #expect(created.object["spec"] == ["source": ["blank": [:]], "storage": ["resources": ["requests": ["storage": "1Gi"]]]])
        #expect(created.restartCount == 0)
    }

    @Test func virtualMachineStorage() {
        let vm = VirtualMachine([
            "metadata": ["name": "vm", "namespace": "ns"],
            "spec": [
                "dataVolumeTemplates": [["spec": ["source": ["snapshot": ["name": "img"]]]], ["metadata": ["name": "no-source"]]],
                "template": [
                    "spec": [
                        "volumes": [
                            ["name": "a", "dataVolume": ["name": "dv"]],
                            ["name": "b", "persistentVolumeClaim": ["claimName": "pvc"]],
                            ["name": "c", "containerDisk": ["image": "x"]],
                        ]
                    ]
                ],
            ],
        ])
        #expect(vm.dataVolumeTemplateSources.map(\.snapshot) == [DataVolume.Source.Reference(name: "img", namespace: nil)])
        #expect(vm.volumes.map(\.dataVolumeName) == ["dv", nil, nil])
        #expect(vm.volumes.map(\.claimName) == [nil, "pvc", nil])
    }

    @Test func volumeSnapshotFields() {
        var snapshot = VolumeSnapshot(name: "s", namespace: "ns", claimName: "pvc")
        #expect(snapshot.persistentVolumeClaimName == "pvc")
        #expect(!snapshot.readyToUse)
        snapshot.object["status"] = ["readyToUse": true, "error": ["message": "slow"]]
        #expect(snapshot.readyToUse)
        #expect(snapshot.errorMessage == "slow")
    }

    @Test func fieldPathsPrintAndPoint() {
        #expect(FieldPath("status.conditions[].type").keys == ["status", "conditions", "[]", "type"])
        #expect(FieldPath("status.conditions[].type").description == "status.conditions[].type")
        #expect(VMDiskImage.Field.queuePosition.jsonPointer == "/status/queuePosition")
        #expect(FieldPath(["a/b", "c~d"]).jsonPointer == "/a~1b/c~0d")
    }

    @Test func resourceVersionsCompareOnlyForEquality() {
        #expect(ResourceVersion("10") == "10")
        #expect(ResourceVersion("9") != ResourceVersion("10"))
    }
}
