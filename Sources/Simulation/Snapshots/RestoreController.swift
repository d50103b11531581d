import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// `VirtualMachineRestore`: puts a VM back to a snapshot's definition. As in KubeVirt the
/// target must be stopped; `spec.targetReadinessPolicy` says what happens while it runs:
/// `WaitGracePeriod` (default: wait up to five minutes, then fail), `WaitEventually`,
/// `StopTarget` (stop it), `FailImmediate`. A target VM that does not exist is created from
/// the snapshot, stopped.
struct RestoreReconciler: Reconciler {
    static let gracePeriod: Duration = .seconds(300)
    static let lastRestoreAnnotation = "restore.kubevirt.io/lastRestoreUID"

    let api: any KubernetesAPI
    let restores: Informer
    let snapshots: Informer
    let contents: Informer
    let vms: Informer
    let vmis: Informer
    let configuration: SimulationConfiguration
    let logger: Logger
    let steps = StepClock()

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let restore = restores.get(key), restore.deletionTimestamp == nil, let uid = restore.uid else { return .done }
        var status = restore["status"] ?? [:]
        guard status["complete"]?.boolValue != true else { return .done }
        if Conditions.find(status["conditions"], "Failure")?["status"]?.stringValue == "True" { return .done }
        let targetName = restore[path: ["spec", "target", "name"]]?.stringValue ?? ""
        let snapshotName = restore[path: ["spec", "virtualMachineSnapshotName"]]?.stringValue ?? ""

        guard let snapshot = snapshots.get(namespace: key.namespace, name: snapshotName),
              snapshot[path: ["status", "readyToUse"]]?.boolValue == true,
              let contentName = snapshot[path: ["status", "virtualMachineSnapshotContentName"]]?.stringValue,
              let content = contents.get(namespace: key.namespace, name: contentName) else {
            let waiting = (false, reason: "Waiting for snapshot",
                           message: "VirtualMachineSnapshot \(snapshotName) is not ready to use")
            try await report(restore, status, progressing: waiting, ready: waiting)
            return .requeueAfter(.seconds(1))
        }
        let saved = content[path: ["spec", "source", "virtualMachine"]] ?? [:]
        guard let vm = vms.get(namespace: key.namespace, name: targetName) else {
            try await createTarget(named: targetName, namespace: key.namespace, from: saved, restore: restore)
            return .requeueAfter(.milliseconds(200))
        }
        if let running = vmis.get(namespace: key.namespace, name: targetName) {
            let policy = restore[path: ["spec", "targetReadinessPolicy"]]?.stringValue ?? "WaitGracePeriod"
            let created = restore[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(Timestamp.date)
            let message = "VirtualMachine \(targetName) is not stopped (VMI phase \(running[path: ["status", "phase"]]?.stringValue ?? "Pending"))"
            switch policy {
            case "FailImmediate":
                return try await fail(restore, status: status, message: message)
            case "WaitGracePeriod" where timeLeft(since: created, Self.gracePeriod) == .zero:
                return try await fail(restore, status: status, message: message + " after the grace period")
            case "StopTarget":
                if RunStrategy(vm: vm) != .halted {
                    _ = try await api.patch(.virtualMachines, namespace: key.namespace, name: targetName,
                                            patch: ["spec": ["runStrategy": "Halted", "running": .null]])
                }
            default:
                break
            }
            let waiting = (false, reason: "Waiting for target to be ready", message: message)
            try await report(restore, status, progressing: waiting, ready: waiting)
            return .requeueAfter(.seconds(1))
        }
        let progressing = Conditions.find(status["conditions"], "Progressing")
        guard progressing?["status"]?.stringValue == "True" else {
            try await setRestoreInProgress(vm, to: .string(key.name))
            try await report(restore, status,
                             progressing: (true, reason: "RestoreInProgress",
                                           message: "Restoring VirtualMachine \(targetName) from \(snapshotName)"),
                             ready: (false, reason: "RestoreInProgress", message: "Restore in progress"))
            steps.begin("restore/\(uid)")
            return .requeueAfter(configuration.restoreDuration)
        }
        let left = steps.remaining("restore/\(uid)", configuration.restoreDuration,
                                   recorded: progressing?["lastTransitionTime"]?.stringValue.flatMap(Timestamp.date))
        guard left == .zero else { return .requeueAfter(left) }

        let marker = "\(key.name)-\(uid)"
        if vm.annotations[Self.lastRestoreAnnotation] != marker {
            try await configuration.guests?.restore(
                namespace: key.namespace ?? "default", vm: targetName,
                labels: JSONValue.stringMap(saved[path: ["spec", "template", "metadata", "labels"]]), content: contentName)
            var restored = vm
            restored["spec"] = Self.restoredSpec(saved: saved["spec"] ?? [:], current: vm["spec"] ?? [:])
            var annotations = vm.annotations
            annotations[Self.lastRestoreAnnotation] = marker
            restored.annotations = annotations
            _ = try await api.update(.virtualMachines, namespace: key.namespace, object: restored)
        }
        try await setRestoreInProgress(vm, to: .null)
        status["restoreTime"] = .string(Timestamp.now())
        status["restores"] = []
        status["deletedDataVolumes"] = []
        try await report(restore, status, complete: true,
                         progressing: (false, reason: "Operation complete", message: "Operation complete"),
                         ready: (true, reason: "Operation complete", message: "Operation complete"))
        steps.end("restore/\(uid)")
        logger.info("restore complete", metadata: ["restore": "\(key)", "vm": "\(targetName)"])
        return .done
    }

    /// One step of the restore's progress: the Progressing and Ready conditions (and whether it
    /// is complete) written together.
    private func report(_ restore: JSONValue, _ status: JSONValue, complete: Bool = false,
                        progressing: (Bool, reason: String, message: String),
                        ready: (Bool, reason: String, message: String)) async throws {
        var status = status
        var conditions = status["conditions"]?.arrayValue ?? []
        let now = Timestamp.now()
        Conditions.set(&conditions, type: "Progressing", status: progressing.0, reason: progressing.reason,
                       message: progressing.message, now: now)
        Conditions.set(&conditions, type: "Ready", status: ready.0, reason: ready.reason, message: ready.message, now: now)
        status["complete"] = .bool(complete)
        status["conditions"] = .array(conditions)
        try await writeStatus(restore, status)
    }

    /// The snapshot's spec, keeping how the target is run now: a restore does not start or
    /// stop anything by itself.
    static func restoredSpec(saved: JSONValue, current: JSONValue) -> JSONValue {
        var spec = saved
        spec["runStrategy"] = current["runStrategy"]
        spec["running"] = current["running"]
        return spec
    }

    private func createTarget(named name: String, namespace: String?, from saved: JSONValue, restore: JSONValue) async throws {
        var vm: JSONValue = ["apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": [:],
                             "spec": saved["spec"] ?? [:]]
        vm.name = name
        vm.namespace = namespace
        vm.labels = JSONValue.stringMap(saved[path: ["metadata", "labels"]])
        vm[path: ["spec", "running"]] = nil
        vm[path: ["spec", "runStrategy"]] = "Halted"
        _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in try await api.create(.virtualMachines, namespace: namespace, object: vm) }
    }

    private func setRestoreInProgress(_ vm: JSONValue, to value: JSONValue) async throws {
        guard vm[path: ["status", "restoreInProgress"]] != (value == .null ? nil : value), let name = vm.name else { return }
        _ = try await api.patch(.virtualMachines, namespace: vm.namespace, name: name,
                                patch: ["status": ["restoreInProgress": value]], type: .merge,
                                subresource: "status", options: .default)
    }

    private func fail(_ restore: JSONValue, status: JSONValue, message: String) async throws -> ReconcileResult {
        var status = status
        var conditions = status["conditions"]?.arrayValue ?? []
        let now = Timestamp.now()
        Conditions.set(&conditions, type: "Progressing", status: false, reason: "Failed", message: message, now: now)
        Conditions.set(&conditions, type: "Ready", status: false, reason: "Failed", message: message, now: now)
        Conditions.set(&conditions, type: "Failure", status: true, reason: "TargetNotReady", message: message, now: now)
        status["complete"] = false
        status["conditions"] = .array(conditions)
        try await writeStatus(restore, status)
        return .done
    }

    private func writeStatus(_ restore: JSONValue, _ status: JSONValue) async throws {
        guard status != restore["status"] else { return }
        var updated = restore
        updated["status"] = status
        _ = try await api.updateStatus(.virtualMachineRestores, namespace: restore.namespace, object: updated)
    }
}
