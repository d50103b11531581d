import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// Live migration (`VirtualMachineInstanceMigration`): a target launcher pod is created and
/// placed by the scheduler (never on the source node), memory is "copied" for the configured
/// time once it runs, then the VMI moves to the target and the source pod goes.
///
/// Phases as in KubeVirt: Pending → Scheduling → Scheduled → PreparingTarget → TargetReady →
/// Running → Succeeded, or Failed (no such VMI, VMI not running, target never scheduled).
struct MigrationReconciler: Reconciler {
    typealias Migration = VirtualMachineInstanceMigration
    typealias MigrationState = VirtualMachineInstance.MigrationState

    let api: any KubernetesAPI
    let migrations: Informer
    let vmis: Informer
    let pods: Informer
    let launcher: LauncherPod
    let configuration: SimulationConfiguration
    let logger: Logger
    let steps = StepClock()

    /// Held while a migration may have a target pod, so deleting the migration aborts it.
    static let finalizer = "kubevirt.io/migrationJobFinalize"

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let cached = migrations.get(key), let uid = cached.uid else { return .done }
        let migration = Migration(cached)
        if migration.isDeleting {
            try await abort(migration)
            return .done
        }
        let phase = migration.phase
        guard phase?.isFinished != true else { return .done }
        guard let vmiName = migration.vmiName, let cachedVMI = vmis.get(namespace: key.namespace, name: vmiName) else {
            try await finish(migration, phase: .failed, reason: "VMI does not exist")
            return .done
        }
        let vmi = VirtualMachineInstance(cachedVMI)
        let state = vmi.migrationState
        guard state?.migrationUID == uid else {
            guard vmi.phase == .running else {
                if vmi.phase?.isFinished == true {
                    try await finish(migration, phase: .failed, reason: "VMI is not running")
                    return .done
                }
                try await setPhase(migration, .pending)
                return .requeueAfter(.seconds(1))
            }
            if let state, state.isInProgress {
                // One migration per VMI at a time; this one waits its turn.
                try await setPhase(migration, .pending)
                return .requeueAfter(.seconds(1))
            }
            try await start(migration, vmi: vmi)
            return .done
        }
        var cachedTarget: JSONValue?
        if let targetName = state?.targetPod {
            cachedTarget = pods.get(namespace: key.namespace, name: targetName)
            if cachedTarget == nil { cachedTarget = try? await api.get(.pods, namespace: key.namespace, name: targetName) }
        }
        guard let cachedTarget, let targetName = cachedTarget.name else {
            try await fail(migration, vmi: vmi, reason: "target pod disappeared")
            return .done
        }
        let target = Pod(cachedTarget)
        let targetNode = target.nodeName ?? ""
        if targetNode.isEmpty {
            let waited = timeLeft(since: migration.entered(.scheduling), configuration.migrationSchedulingTimeout)
            if waited == .zero {
                let message = StatusConditions.find(target.conditions, "PodScheduled")?.message
                _ = try? await api.delete(.pods, namespace: key.namespace, name: targetName)
                try await fail(migration, vmi: vmi, reason: "target pod could not be scheduled: \(message ?? "timeout")")
                return .done
            }
            try await setPhase(migration, .scheduling)
            return .requeueAfter(waited)
        }
        guard target.phase == .running else {
            try await setPhase(migration, .scheduled)
            return .done
        }
        if phase != .running {
            steps.begin("migration/\(uid)")
            var updatedVMI = vmi
            var migrationState = state ?? MigrationState([:])
            migrationState["targetNode"] = .string(targetNode)
            migrationState["targetNodeAddress"] = target.object[field: Pod.Field.podIP] ?? .null
            migrationState["startTimestamp"] = .string(Timestamp.now())
            updatedVMI.migrationState = migrationState
            _ = try await api.update(.virtualMachineInstances, namespace: key.namespace, object: updatedVMI.object)
            var updated = migration
            for next in [Migration.Phase.preparingTarget, .targetReady, .running] { updated.record(phase: next) }
            try await writeStatus(migration, updated)
            return .requeueAfter(configuration.migrationDuration)
        }
        let left = steps.remaining(
            "migration/\(uid)", configuration.migrationDuration,
            recorded: migration.entered(.running))
        guard left == .zero else { return .requeueAfter(left) }
        try await complete(migration, vmi: vmi, target: target)
        return .done
    }

    private func start(_ migration: Migration, vmi: VirtualMachineInstance) async throws {
        guard let uid = migration.uid, let namespace = migration.object.namespace else { return }
        try await api.addFinalizer(Self.finalizer, to: migration.object, .virtualMachineInstanceMigrations)
        let sourceNode = vmi.nodeName ?? ""
        let sourcePod = VirtualMachineInstanceReconciler.currentPod(
            of: vmi.object, among: pods.byIndex(VirtualMachineInstanceReconciler.podsByVMI, vmi.uid ?? ""))
        // A target created by an earlier pass whose VMI update was lost is reused.
        let existing = try await api.list(
            .pods, namespace: namespace,
            options: ListOptions(labelSelector: "\(KubeVirtLabels.migrationJobUID)=\(uid)")
        ).items
        let target: JSONValue
        if let first = existing.first {
            target = first
        } else {
            let preferred = migration.annotations[KubeVirtLabels.preferredNode]
            target = try await api.create(
                .pods, namespace: namespace,
                object: launcher.make(
                    for: vmi.object, migration: (uid: uid, sourceNode: sourceNode, preferredNode: preferred)))
        }
        var updatedVMI = vmi
        var migrationState = MigrationState([
            "migrationUid": .string(uid), "sourceNode": .string(sourceNode), "targetPod": .string(target.name ?? ""),
            "mode": "PreCopy", "completed": false, "failed": false,
        ])
        if let sourcePod = sourcePod?.name { migrationState["sourcePod"] = .string(sourcePod) }
        updatedVMI.migrationState = migrationState
        _ = try await api.update(.virtualMachineInstances, namespace: namespace, object: updatedVMI.object)
        var updated = migration
        if updated.object[field: PhaseTransitionFields.phase] == nil { updated.record(phase: .pending) }
        updated.record(phase: .scheduling)
        try await writeStatus(migration, updated)
    }

    /// Moves the VMI onto the target and retires the source launcher.
    private func complete(_ migration: Migration, vmi: VirtualMachineInstance, target: Pod) async throws {
        guard let namespace = migration.object.namespace else { return }
        let node = target.nodeName ?? ""
        let now = Timestamp.now()
        var updatedVMI = vmi
        let sourcePod = vmi.migrationState?.sourcePod
        updatedVMI.nodeName = node
        updatedVMI.activePods = [target.uid ?? "": node]
        var interfaces = updatedVMI.interfaces
        if !interfaces.isEmpty, let ip = target.podIP {
            interfaces[0]["ipAddress"] = .string(ip)
            interfaces[0]["ipAddresses"] = [.string(ip)]
            updatedVMI.interfaces = interfaces
        }
        var state = updatedVMI.migrationState ?? MigrationState([:])
        state.completed = true
        state["endTimestamp"] = .string(now)
        state["targetNode"] = .string(node)
        state["targetNodeDomainDetected"] = true
        state["targetNodeDomainReadyTimestamp"] = .string(now)
        updatedVMI.migrationState = state
        updatedVMI.labels[KubeVirtLabels.nodeName] = node
        _ = try await api.update(.virtualMachineInstances, namespace: namespace, object: updatedVMI.object)
        if let sourcePod {
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(.pods, namespace: namespace, name: sourcePod)
            }
        }
        var updated = migration
        updated.migrationState = state
        updated.record(phase: .succeeded, now: now)
        try await writeStatus(migration, updated)
        logger.info("migration succeeded", metadata: ["vmi": "\(namespace)/\(vmi.name)", "node": "\(node)"])
    }

    /// The migration was deleted: an unfinished one is aborted (target pod removed, the VMI
    /// stays where it was), then the finalizer goes.
    private func abort(_ migration: Migration) async throws {
        guard migration.finalizers.contains(Self.finalizer), let namespace = migration.object.namespace,
            let name = migration.object.name, let uid = migration.uid
        else { return }
        if let vmiName = migration.vmiName, let cachedVMI = vmis.get(namespace: namespace, name: vmiName),
            var state = VirtualMachineInstance(cachedVMI).migrationState, state.migrationUID == uid, state.isInProgress
        {
            var vmi = VirtualMachineInstance(cachedVMI)
            if let target = state.targetPod {
                _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                    try await api.delete(.pods, namespace: namespace, name: target)
                }
            }
            state.failed = true
            state["abortStatus"] = "Succeeded"
            state["endTimestamp"] = .string(Timestamp.now())
            state["failureReason"] = "migration aborted: VirtualMachineInstanceMigration deleted"
            vmi.migrationState = state
            _ = try await api.update(.virtualMachineInstances, namespace: namespace, object: vmi.object)
            logger.info("migration aborted", metadata: ["migration": "\(namespace)/\(name)"])
        }
        steps.end("migration/\(uid)")
        try await api.removeFinalizer(Self.finalizer, from: migration.object, .virtualMachineInstanceMigrations)
    }

    private func fail(_ migration: Migration, vmi: VirtualMachineInstance, reason: String) async throws {
        var updatedVMI = vmi
        if var state = vmi.migrationState, state.migrationUID == migration.uid {
            state.failed = true
            state.completed = false
            state["endTimestamp"] = .string(Timestamp.now())
            state["failureReason"] = .string(reason)
            updatedVMI.migrationState = state
            _ = try await api.update(.virtualMachineInstances, namespace: vmi.object.namespace, object: updatedVMI.object)
        }
        try await finish(migration, phase: .failed, reason: reason)
    }

    private func finish(_ migration: Migration, phase: Migration.Phase, reason: String) async throws {
        var updated = migration
        updated.record(phase: phase)
        if phase == .failed {
            Conditions.set(&updated.conditions, type: "Failed", status: true, reason: "MigrationFailed", message: reason)
            logger.info(
                "migration failed",
                metadata: [
                    "migration": "\(migration.object.namespace ?? "")/\(migration.object.name ?? "")",
                    "reason": "\(reason)",
                ])
        }
        try await writeStatus(migration, updated)
    }

    private func setPhase(_ migration: Migration, _ phase: Migration.Phase) async throws {
        var updated = migration
        updated.record(phase: phase)
        try await writeStatus(migration, updated)
    }

    /// Writes `updated`'s status if it changed; a finished migration then drops the finalizer.
    private func writeStatus(_ migration: Migration, _ updated: Migration) async throws {
        guard
            let written = try await api.updateStatusIfChanged(
                .virtualMachineInstanceMigrations, current: migration.object,
                updated: updated.object)
        else { return }
        // Finished: nothing left to abort.
        if Migration(written).phase?.isFinished == true, written.finalizers.contains(Self.finalizer) {
            steps.end("migration/\(written.uid ?? "")")
            try await api.removeFinalizer(Self.finalizer, from: written, .virtualMachineInstanceMigrations)
        }
    }
}
