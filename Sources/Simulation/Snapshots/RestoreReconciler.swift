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
        let view = VirtualMachineRestore(restore)
        var updated = view
        guard !view.complete else { return .done }
        if StatusConditions.isTrue(view.conditions, "Failure") { return .done }
        let targetName = view.targetName ?? ""
        let snapshotName = view.snapshotName ?? ""

        guard let snapshot = snapshots.get(namespace: key.namespace, name: snapshotName).map(VirtualMachineSnapshot.init),
            snapshot.readyToUse, let contentName = snapshot.contentName,
            let content = contents.get(namespace: key.namespace, name: contentName).map(VirtualMachineSnapshotContent.init)
        else {
            let waiting = (
                false, reason: "Waiting for snapshot",
                message: "VirtualMachineSnapshot \(snapshotName) is not ready to use"
            )
            try await report(restore, updated, progressing: waiting, ready: waiting)
            return .requeueAfter(.seconds(1))
        }
        let saved = content.virtualMachine
        guard let vm = vms.get(namespace: key.namespace, name: targetName) else {
            try await createTarget(named: targetName, namespace: key.namespace, from: saved, restore: restore)
            return .requeueAfter(.milliseconds(200))
        }
        if let running = vmis.get(namespace: key.namespace, name: targetName) {
            let policy = view.targetReadinessPolicyText ?? "WaitGracePeriod"
            let created = view.creationDate
            let message =
                "VirtualMachine \(targetName) is not stopped (VMI phase \(VirtualMachineInstance(running).phaseText ?? "Pending"))"
            switch policy {
            case "FailImmediate":
                return try await fail(restore, status: updated, message: message)
            case "WaitGracePeriod" where timeLeft(since: created, Self.gracePeriod) == .zero:
                return try await fail(restore, status: updated, message: message + " after the grace period")
            case "StopTarget":
                if RunStrategy(vm: vm) != .halted {
                    _ = try await api.patch(
                        .virtualMachines, namespace: key.namespace, name: targetName,
                        patch: ["spec": ["runStrategy": "Halted", "running": .null]])
                }
            default:
                break
            }
            let waiting = (false, reason: "Waiting for target to be ready", message: message)
            try await report(restore, updated, progressing: waiting, ready: waiting)
            return .requeueAfter(.seconds(1))
        }
        let progressing = StatusConditions.find(view.conditions, "Progressing")
        guard progressing?.isTrue == true else {
            try await setRestoreInProgress(vm, to: .string(key.name))
            try await report(
                restore, updated,
                progressing: (
                    true, reason: "RestoreInProgress",
                    message: "Restoring VirtualMachine \(targetName) from \(snapshotName)"
                ),
                ready: (false, reason: "RestoreInProgress", message: "Restore in progress"))
            steps.begin("restore/\(uid)")
            return .requeueAfter(configuration.restoreDuration)
        }
        let left = steps.remaining(
            "restore/\(uid)", configuration.restoreDuration,
            recorded: progressing?.transitionDate)
        guard left == .zero else { return .requeueAfter(left) }

        let marker = "\(key.name)-\(uid)"
        if vm.annotations[Self.lastRestoreAnnotation] != marker {
            try await configuration.guests?.restore(
                namespace: key.namespace ?? "default", vm: targetName,
                labels: saved.templateLabels, content: contentName)
            var restored = VirtualMachine(vm)
            restored.spec = Self.restoredSpec(saved: saved.spec, current: VirtualMachine(vm).spec)
            restored.annotations[Self.lastRestoreAnnotation] = marker
            _ = try await api.update(.virtualMachines, namespace: key.namespace, object: restored.object)
        }
        try await setRestoreInProgress(vm, to: .null)
        updated[status: .restoreTime] = .string(Timestamp.now())
        updated[status: .restores] = []
        updated[status: .deletedDataVolumes] = []
        try await report(
            restore, updated, complete: true,
            progressing: (false, reason: "Operation complete", message: "Operation complete"),
            ready: (true, reason: "Operation complete", message: "Operation complete"))
        steps.end("restore/\(uid)")
        logger.info("restore complete", metadata: ["restore": "\(key)", "vm": "\(targetName)"])
        return .done
    }

    /// One step of the restore's progress: the Progressing and Ready conditions (and whether it
    /// is complete) written together.
    private func report(
        _ restore: JSONValue, _ status: VirtualMachineRestore, complete: Bool = false,
        progressing: (Bool, reason: String, message: String),
        ready: (Bool, reason: String, message: String)
    ) async throws {
        var updated = status
        var conditions = status.conditions
        let now = Timestamp.now()
        Conditions.set(
            &conditions, type: "Progressing", status: progressing.0, reason: progressing.reason,
            message: progressing.message, now: now)
        Conditions.set(&conditions, type: "Ready", status: ready.0, reason: ready.reason, message: ready.message, now: now)
        updated.complete = complete
        updated.conditions = conditions
        try await writeStatus(restore, updated)
    }

    /// The snapshot's spec, keeping how the target is run now: a restore does not start or
    /// stop anything by itself.
    static func restoredSpec(saved: JSONValue, current: JSONValue) -> JSONValue {
        var spec = saved
        spec["runStrategy"] = current["runStrategy"]
        spec["running"] = current["running"]
        return spec
    }

    private func createTarget(named name: String, namespace: String?, from saved: VirtualMachine, restore: JSONValue) async throws {
        var vm: JSONValue = ["apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": [:], "spec": saved.spec]
        vm.name = name
        vm.namespace = namespace
        vm.labels = saved.labels
        vm[field: VirtualMachine.LifecycleField.running] = nil
        vm[field: VirtualMachine.LifecycleField.runStrategy] = .string(RunStrategy.halted.rawValue)
        _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.virtualMachines, namespace: namespace, object: vm)
        }
    }

    private func setRestoreInProgress(_ vm: JSONValue, to value: JSONValue) async throws {
        guard VirtualMachine(vm).restoreInProgressValue != (value == .null ? nil : value), let name = vm.name else { return }
        _ = try await api.patch(
            .virtualMachines, namespace: vm.namespace, name: name,
            patch: ["status": ["restoreInProgress": value]], type: .merge,
            subresource: "status", options: .default)
    }

    private func fail(_ restore: JSONValue, status: VirtualMachineRestore, message: String) async throws -> ReconcileResult {
        var updated = status
        var conditions = status.conditions
        let now = Timestamp.now()
        Conditions.set(&conditions, type: "Progressing", status: false, reason: "Failed", message: message, now: now)
        Conditions.set(&conditions, type: "Ready", status: false, reason: "Failed", message: message, now: now)
        Conditions.set(&conditions, type: "Failure", status: true, reason: "TargetNotReady", message: message, now: now)
        updated.complete = false
        updated.conditions = conditions
        try await writeStatus(restore, updated)
        return .done
    }

    private func writeStatus(_ restore: JSONValue, _ updated: VirtualMachineRestore) async throws {
        try await api.updateStatusIfChanged(.virtualMachineRestores, current: restore, updated: updated.object)
    }
}
