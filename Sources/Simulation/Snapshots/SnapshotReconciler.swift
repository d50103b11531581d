import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// `VirtualMachineSnapshot`: captures the VM's definition into a
/// `VirtualMachineSnapshotContent` (owned by the snapshot when `deletionPolicy` is Delete,
/// KubeVirt's default), holds `status.snapshotInProgress` on the VM, and after the configured
/// duration reports Succeeded and `readyToUse`.
///
/// Disks are not modelled in the simulation: every volume is listed as excluded.
struct SnapshotReconciler: Reconciler {
    /// KubeVirt's default `failureDeadline`.
    static let defaultFailureDeadline: Duration = .seconds(300)

    let api: any KubernetesAPI
    let snapshots: Informer
    let contents: Informer
    let vms: Informer
    let vmis: Informer
    let configuration: SimulationConfiguration
    let logger: Logger
    let steps = StepClock()

    static func contentName(snapshotUID uid: String) -> String { "vmsnapshot-content-\(uid)" }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let snapshot = snapshots.get(key), snapshot.deletionTimestamp == nil, let uid = snapshot.uid else { return .done }
        let view = VirtualMachineSnapshot(snapshot)
        var updated = view
        guard view.phase?.isFinished != true else { return .done }
        let now = Timestamp.now()
        var conditions = view.conditions
        guard view.sourceKind == "VirtualMachine", let sourceName = view.sourceName,
            let vm = vms.get(namespace: key.namespace, name: sourceName), let vmUID = vm.uid
        else {
            let deadline = view.failureDeadline.flatMap { try? GoDuration.parse($0) } ?? Self.defaultFailureDeadline
            let created = view.creationDate
            if deadline > .zero, timeLeft(since: created, deadline) == .zero {
                updated.phase = .failed
                updated[status: .error] = ["message": "source VirtualMachine does not exist", "time": .string(now)]
                Conditions.set(
                    &conditions, type: "Progressing", status: false, reason: "Failed",
                    message: "source VirtualMachine does not exist", now: now)
            } else {
                updated.phase = .inProgress
                Conditions.set(
                    &conditions, type: "Progressing", status: false, reason: "Source does not exist",
                    message: "Source does not exist", now: now)
            }
            Conditions.set(&conditions, type: "Ready", status: false, reason: "Not ready", message: "Not ready", now: now)
            updated.readyToUse = false
            updated.conditions = conditions
            try await writeStatus(snapshot, updated)
            return updated.phase == .failed ? .done : .requeueAfter(.seconds(1))
        }
        let contentName = Self.contentName(snapshotUID: uid)
        if view.contentName != contentName {
            try await createContent(contentName, snapshot: snapshot, vm: vm)
            try await configuration.guests?.capture(
                namespace: key.namespace ?? "default", vm: sourceName,
                labels: VirtualMachine(vm).templateLabels,
                content: contentName)
            try await setSnapshotInProgress(vm, snapshotName: key.name)
            let online = vmis.get(namespace: key.namespace, name: sourceName) != nil
            updated.phase = .inProgress
            updated[status: .sourceUID] = .string(vmUID)
            updated.readyToUse = false
            updated.contentName = contentName
            updated[status: .indications] = online ? ["Online", "NoGuestAgent"] : []
            updated[status: .sourceIndications] =
                online
                ? [
                    ["indication": "Online", "message": "Snapshot of a running VirtualMachine"],
                    ["indication": "NoGuestAgent", "message": "No guest agent: the file system was not frozen"],
                ]
                : []
            updated[status: .snapshotVolumes] = ["excludedVolumes": .array(Self.volumeNames(vm).map(JSONValue.string))]
            Conditions.set(
                &conditions, type: "Progressing", status: true, reason: "Source locked and operation in progress",
                message: "Source locked and operation in progress", now: now)
            Conditions.set(&conditions, type: "Ready", status: false, reason: "Not ready", message: "Not ready", now: now)
            updated.conditions = conditions
            try await writeStatus(snapshot, updated)
            steps.begin("snapshot/\(uid)")
            return .requeueAfter(configuration.snapshotDuration)
        }
        let started = StatusConditions.find(view.conditions, "Progressing")?.transitionDate
        let left = steps.remaining("snapshot/\(uid)", configuration.snapshotDuration, recorded: started)
        guard left == .zero else { return .requeueAfter(left) }
        var cachedContent = contents.get(namespace: key.namespace, name: contentName)
        if cachedContent == nil {
            cachedContent = try? await api.get(.virtualMachineSnapshotContents, namespace: key.namespace, name: contentName)
        }
        if let cachedContent {
            var content = VirtualMachineSnapshotContent(cachedContent)
            if !content.readyToUse {
                content.status = ["readyToUse": true, "creationTime": .string(now)]
                _ = try await api.updateStatus(.virtualMachineSnapshotContents, namespace: key.namespace, object: content.object)
            }
        } else {
            try await createContent(contentName, snapshot: snapshot, vm: vm)
            return .requeue
        }
        updated.phase = .succeeded
        updated.readyToUse = true
        updated[status: .creationTime] = .string(now)
        Conditions.set(
            &conditions, type: "Progressing", status: false, reason: "Operation complete",
            message: "Operation complete", now: now)
        Conditions.set(
            &conditions, type: "Ready", status: true, reason: "Operation complete",
            message: "Operation complete", now: now)
        updated.conditions = conditions
        try await writeStatus(snapshot, updated)
        try await clearSnapshotInProgress(namespace: key.namespace, vmName: sourceName, snapshotName: key.name)
        steps.end("snapshot/\(uid)")
        logger.info("snapshot ready", metadata: ["snapshot": "\(key)"])
        return .done
    }

    static func volumeNames(_ vm: JSONValue) -> [String] {
        VirtualMachine(vm).volumeNames
    }

    /// The VM as it is now: what a restore brings back.
    static func content(named name: String, snapshot: JSONValue, vm: JSONValue) throws(OwnerReferenceError) -> JSONValue {
        var metadata: JSONValue = ["name": .string(vm.name ?? ""), "namespace": .string(vm.namespace ?? "")]
        if !vm.labels.isEmpty { metadata["labels"] = vm.metadata["labels"] }
        let annotations = vm.annotations.filter { !$0.key.hasPrefix("kubectl.kubernetes.io/") }
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations.mapValues(JSONValue.string)) }
        if let uid = vm.uid { metadata["uid"] = .string(uid) }
        if let generation = vm.generation { metadata["generation"] = .int(generation) }
        var content: JSONValue = [
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshotContent",
            "metadata": ["name": .string(name), "namespace": .string(snapshot.namespace ?? "")],
            "spec": [
                "source": [
                    "virtualMachine": [
                        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                        "metadata": metadata, "spec": VirtualMachine(vm).spec,
                    ]
                ],
                "virtualMachineSnapshotName": .string(snapshot.name ?? ""),
                "volumeBackups": [],
            ],
        ]
        if VirtualMachineSnapshot(snapshot).deletionPolicy != "Retain" {
            try OwnerReferences.setController(snapshot, .virtualMachineSnapshots, on: &content)
        }
        return content
    }

    private func createContent(_ name: String, snapshot: JSONValue, vm: JSONValue) async throws {
        let content = try Self.content(named: name, snapshot: snapshot, vm: vm)
        _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.virtualMachineSnapshotContents, namespace: snapshot.namespace, object: content)
        }
    }

    private func setSnapshotInProgress(_ vm: JSONValue, snapshotName: String) async throws {
        guard VirtualMachine(vm).snapshotInProgress != snapshotName, let name = vm.name else { return }
        _ = try await api.patch(
            .virtualMachines, namespace: vm.namespace, name: name,
            patch: ["status": ["snapshotInProgress": .string(snapshotName)]], type: .merge,
            subresource: "status", options: .default)
    }

    private func clearSnapshotInProgress(namespace: String?, vmName: String, snapshotName: String) async throws {
        guard let vm = vms.get(namespace: namespace, name: vmName),
            VirtualMachine(vm).snapshotInProgress == snapshotName
        else { return }
        _ = try await api.patch(
            .virtualMachines, namespace: namespace, name: vmName,
            patch: ["status": ["snapshotInProgress": .null]], type: .merge,
            subresource: "status", options: .default)
    }

    private func writeStatus(_ snapshot: JSONValue, _ updated: VirtualMachineSnapshot) async throws {
        try await api.updateStatusIfChanged(.virtualMachineSnapshots, current: snapshot, updated: updated.object)
    }
}
