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
        var status = snapshot["status"] ?? [:]
        let phase = status["phase"]?.stringValue ?? ""
        guard phase != "Succeeded", phase != "Failed" else { return .done }
        let now = Timestamp.now()
        var conditions = status["conditions"]?.arrayValue ?? []
        guard snapshot[path: ["spec", "source", "kind"]]?.stringValue == "VirtualMachine",
              let sourceName = snapshot[path: ["spec", "source", "name"]]?.stringValue,
              let vm = vms.get(namespace: key.namespace, name: sourceName), let vmUID = vm.uid else {
            let deadline = snapshot[path: ["spec", "failureDeadline"]]?.stringValue
                .flatMap { try? GoDuration.parse($0) } ?? Self.defaultFailureDeadline
            let created = snapshot[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(Timestamp.date)
            if deadline > .zero, timeLeft(since: created, deadline) == .zero {
                status["phase"] = "Failed"
                status["error"] = ["message": "source VirtualMachine does not exist", "time": .string(now)]
                Conditions.set(&conditions, type: "Progressing", status: false, reason: "Failed",
                               message: "source VirtualMachine does not exist", now: now)
            } else {
                status["phase"] = "InProgress"
                Conditions.set(&conditions, type: "Progressing", status: false, reason: "Source does not exist",
                               message: "Source does not exist", now: now)
            }
            Conditions.set(&conditions, type: "Ready", status: false, reason: "Not ready", message: "Not ready", now: now)
            status["readyToUse"] = false
            status["conditions"] = .array(conditions)
            try await writeStatus(snapshot, status)
            return status["phase"]?.stringValue == "Failed" ? .done : .requeueAfter(.seconds(1))
        }
        let contentName = Self.contentName(snapshotUID: uid)
        if status["virtualMachineSnapshotContentName"]?.stringValue != contentName {
            try await createContent(contentName, snapshot: snapshot, vm: vm)
            try await configuration.guests?.capture(namespace: key.namespace ?? "default", vm: sourceName,
                                                    labels: JSONValue.stringMap(vm[path: ["spec", "template", "metadata", "labels"]]),
                                                    content: contentName)
            try await setSnapshotInProgress(vm, snapshotName: key.name)
            let online = vmis.get(namespace: key.namespace, name: sourceName) != nil
            status["phase"] = "InProgress"
            status["sourceUID"] = .string(vmUID)
            status["readyToUse"] = false
            status["virtualMachineSnapshotContentName"] = .string(contentName)
            status["indications"] = online ? ["Online", "NoGuestAgent"] : []
            status["sourceIndications"] = online
                ? [["indication": "Online", "message": "Snapshot of a running VirtualMachine"],
                   ["indication": "NoGuestAgent", "message": "No guest agent: the file system was not frozen"]]
                : []
            status["snapshotVolumes"] = ["excludedVolumes": .array(Self.volumeNames(vm).map(JSONValue.string))]
            Conditions.set(&conditions, type: "Progressing", status: true, reason: "Source locked and operation in progress",
                           message: "Source locked and operation in progress", now: now)
            Conditions.set(&conditions, type: "Ready", status: false, reason: "Not ready", message: "Not ready", now: now)
            status["conditions"] = .array(conditions)
            try await writeStatus(snapshot, status)
            steps.begin("snapshot/\(uid)")
            return .requeueAfter(configuration.snapshotDuration)
        }
        let started = Conditions.find(status["conditions"], "Progressing")?["lastTransitionTime"]?.stringValue
            .flatMap(Timestamp.date)
        let left = steps.remaining("snapshot/\(uid)", configuration.snapshotDuration, recorded: started)
        guard left == .zero else { return .requeueAfter(left) }
        var cachedContent = contents.get(namespace: key.namespace, name: contentName)
        if cachedContent == nil {
            cachedContent = try? await api.get(.virtualMachineSnapshotContents, namespace: key.namespace, name: contentName)
        }
        if var content = cachedContent {
            if content[path: ["status", "readyToUse"]]?.boolValue != true {
                content["status"] = ["readyToUse": true, "creationTime": .string(now)]
                _ = try await api.updateStatus(.virtualMachineSnapshotContents, namespace: key.namespace, object: content)
            }
        } else {
            try await createContent(contentName, snapshot: snapshot, vm: vm)
            return .requeue
        }
        status["phase"] = "Succeeded"
        status["readyToUse"] = true
        status["creationTime"] = .string(now)
        Conditions.set(&conditions, type: "Progressing", status: false, reason: "Operation complete",
                       message: "Operation complete", now: now)
        Conditions.set(&conditions, type: "Ready", status: true, reason: "Operation complete",
                       message: "Operation complete", now: now)
        status["conditions"] = .array(conditions)
        try await writeStatus(snapshot, status)
        try await clearSnapshotInProgress(namespace: key.namespace, vmName: sourceName, snapshotName: key.name)
        steps.end("snapshot/\(uid)")
        logger.info("snapshot ready", metadata: ["snapshot": "\(key)"])
        return .done
    }

    static func volumeNames(_ vm: JSONValue) -> [String] {
        vm[path: ["spec", "template", "spec", "volumes"]]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }

    /// The VM as it is now: what a restore brings back.
    static func content(named name: String, snapshot: JSONValue, vm: JSONValue) -> JSONValue {
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
                "source": ["virtualMachine": ["apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
                                              "metadata": metadata, "spec": vm["spec"] ?? [:]]],
                "virtualMachineSnapshotName": .string(snapshot.name ?? ""),
                "volumeBackups": [],
            ],
        ]
        if snapshot[path: ["spec", "deletionPolicy"]]?.stringValue != "Retain" {
            content[path: ["metadata", "ownerReferences"]] = [[
                "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
                "name": .string(snapshot.name ?? ""), "uid": .string(snapshot.uid ?? ""),
                "controller": true, "blockOwnerDeletion": true,
            ]]
        }
        return content
    }

    private func createContent(_ name: String, snapshot: JSONValue, vm: JSONValue) async throws {
        _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in try await api.create(.virtualMachineSnapshotContents, namespace: snapshot.namespace,
                                     object: Self.content(named: name, snapshot: snapshot, vm: vm)) }
    }

    private func setSnapshotInProgress(_ vm: JSONValue, snapshotName: String) async throws {
        guard vm[path: ["status", "snapshotInProgress"]]?.stringValue != snapshotName, let name = vm.name else { return }
        _ = try await api.patch(.virtualMachines, namespace: vm.namespace, name: name,
                                patch: ["status": ["snapshotInProgress": .string(snapshotName)]], type: .merge,
                                subresource: "status", options: .default)
    }

    private func clearSnapshotInProgress(namespace: String?, vmName: String, snapshotName: String) async throws {
        guard let vm = vms.get(namespace: namespace, name: vmName),
              vm[path: ["status", "snapshotInProgress"]]?.stringValue == snapshotName else { return }
        _ = try await api.patch(.virtualMachines, namespace: namespace, name: vmName,
                                patch: ["status": ["snapshotInProgress": .null]], type: .merge,
                                subresource: "status", options: .default)
    }

    private func writeStatus(_ snapshot: JSONValue, _ status: JSONValue) async throws {
        guard status != snapshot["status"] else { return }
        var updated = snapshot
        updated["status"] = status
        _ = try await api.updateStatus(.virtualMachineSnapshots, namespace: snapshot.namespace, object: updated)
    }
}
