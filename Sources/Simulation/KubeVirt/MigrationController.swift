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
        guard let migration = migrations.get(key), let uid = migration.uid else { return .done }
        if migration.deletionTimestamp != nil {
            try await abort(migration)
            return .done
        }
        let phase = migration[path: ["status", "phase"]]?.stringValue ?? ""
        guard phase != "Succeeded", phase != "Failed" else { return .done }
        guard let vmiName = migration[path: ["spec", "vmiName"]]?.stringValue,
              let vmi = vmis.get(namespace: key.namespace, name: vmiName) else {
            try await finish(migration, phase: "Failed", reason: "VMI does not exist")
            return .done
        }
        let vmiPhase = vmi[path: ["status", "phase"]]?.stringValue ?? ""
        let state = vmi[path: ["status", "migrationState"]]
        guard state?["migrationUid"]?.stringValue == uid else {
            guard vmiPhase == "Running" else {
                if vmiPhase == "Succeeded" || vmiPhase == "Failed" {
                    try await finish(migration, phase: "Failed", reason: "VMI is not running")
                    return .done
                }
                try await setPhase(migration, "Pending")
                return .requeueAfter(.seconds(1))
            }
            if let state, state["completed"]?.boolValue != true, state["failed"]?.boolValue != true {
                // One migration per VMI at a time; this one waits its turn.
                try await setPhase(migration, "Pending")
                return .requeueAfter(.seconds(1))
            }
            try await start(migration, vmi: vmi)
            return .done
        }
        var target: JSONValue?
        if let targetName = state?["targetPod"]?.stringValue {
            target = pods.get(namespace: key.namespace, name: targetName)
            if target == nil { target = try? await api.get(.pods, namespace: key.namespace, name: targetName) }
        }
        guard let target, let targetName = target.name else {
            try await fail(migration, vmi: vmi, reason: "target pod disappeared")
            return .done
        }
        let targetNode = target[path: ["spec", "nodeName"]]?.stringValue ?? ""
        if targetNode.isEmpty {
            let waited = timeLeft(since: PhaseTransitions.entered(migration["status"], phase: "Scheduling"),
                                   configuration.migrationSchedulingTimeout)
            if waited == .zero {
                let message = Conditions.find(target[path: ["status", "conditions"]], "PodScheduled")?["message"]?.stringValue
                _ = try? await api.delete(.pods, namespace: key.namespace, name: targetName)
                try await fail(migration, vmi: vmi, reason: "target pod could not be scheduled: \(message ?? "timeout")")
                return .done
            }
            try await setPhase(migration, "Scheduling")
            return .requeueAfter(waited)
        }
        guard target[path: ["status", "phase"]]?.stringValue == "Running" else {
            try await setPhase(migration, "Scheduled")
            return .done
        }
        if phase != "Running" {
            steps.begin("migration/\(uid)")
            var updatedVMI = vmi
            var migrationState = state ?? [:]
            migrationState["targetNode"] = .string(targetNode)
            migrationState["targetNodeAddress"] = target[path: ["status", "podIP"]] ?? .null
            migrationState["startTimestamp"] = .string(Timestamp.now())
            updatedVMI[path: ["status", "migrationState"]] = migrationState
            _ = try await api.update(.virtualMachineInstances, namespace: key.namespace, object: updatedVMI)
            var status = migration["status"] ?? [:]
            for next in ["PreparingTarget", "TargetReady", "Running"] { PhaseTransitions.record(&status, phase: next) }
            try await writeStatus(migration, status)
            return .requeueAfter(configuration.migrationDuration)
        }
        let left = steps.remaining("migration/\(uid)", configuration.migrationDuration,
                                   recorded: PhaseTransitions.entered(migration["status"], phase: "Running"))
        guard left == .zero else { return .requeueAfter(left) }
        try await complete(migration, vmi: vmi, target: target)
        return .done
    }

    private func start(_ migration: JSONValue, vmi: JSONValue) async throws {
        guard let uid = migration.uid, let namespace = migration.namespace, let name = migration.name else { return }
        if !migration.finalizers.contains(Self.finalizer) {
            _ = try await api.patch(.virtualMachineInstanceMigrations, namespace: namespace, name: name,
                                    patch: ["metadata": ["finalizers": .array((migration.finalizers + [Self.finalizer])
                                        .map(JSONValue.string)), "resourceVersion": .string(migration.resourceVersion ?? "")]])
        }
        let sourceNode = vmi[path: ["status", "nodeName"]]?.stringValue ?? ""
        let sourcePod = VirtualMachineInstanceReconciler.currentPod(
            of: vmi, among: pods.byIndex(VirtualMachineInstanceReconciler.podsByVMI, vmi.uid ?? ""))
        // A target created by an earlier pass whose VMI update was lost is reused.
        let existing = try await api.list(.pods, namespace: namespace,
                                          options: ListOptions(labelSelector: "\(KubeVirtLabels.migrationJobUID)=\(uid)")).items
        let target: JSONValue
        if let first = existing.first {
            target = first
        } else {
            let preferred = migration.annotations[KubeVirtLabels.preferredNode]
            target = try await api.create(.pods, namespace: namespace, object: launcher.make(
                for: vmi, migration: (uid: uid, sourceNode: sourceNode, preferredNode: preferred)))
        }
        var updatedVMI = vmi
        var migrationState: JSONValue = [
            "migrationUid": .string(uid), "sourceNode": .string(sourceNode), "targetPod": .string(target.name ?? ""),
            "mode": "PreCopy", "completed": false, "failed": false,
        ]
        if let sourcePod = sourcePod?.name { migrationState["sourcePod"] = .string(sourcePod) }
        updatedVMI[path: ["status", "migrationState"]] = migrationState
        _ = try await api.update(.virtualMachineInstances, namespace: namespace, object: updatedVMI)
        var status = migration["status"] ?? [:]
        if status["phase"] == nil { PhaseTransitions.record(&status, phase: "Pending") }
        PhaseTransitions.record(&status, phase: "Scheduling")
        try await writeStatus(migration, status)
    }

    /// Moves the VMI onto the target and retires the source launcher.
    private func complete(_ migration: JSONValue, vmi: JSONValue, target: JSONValue) async throws {
        guard let namespace = migration.namespace else { return }
        let node = target[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let now = Timestamp.now()
        var updatedVMI = vmi
        var status = vmi["status"] ?? [:]
        let sourcePod = status[path: ["migrationState", "sourcePod"]]?.stringValue
        status["nodeName"] = .string(node)
        status["activePods"] = [target.uid ?? "": .string(node)]
        if var interfaces = status["interfaces"]?.arrayValue, !interfaces.isEmpty,
           let ip = target[path: ["status", "podIP"]]?.stringValue {
            interfaces[0]["ipAddress"] = .string(ip)
            interfaces[0]["ipAddresses"] = [.string(ip)]
            status["interfaces"] = .array(interfaces)
        }
        var state = status["migrationState"] ?? [:]
        state["completed"] = true
        state["endTimestamp"] = .string(now)
        state["targetNode"] = .string(node)
        state["targetNodeDomainDetected"] = true
        state["targetNodeDomainReadyTimestamp"] = .string(now)
        status["migrationState"] = state
        updatedVMI["status"] = status
        var labels = updatedVMI.labels
        labels[KubeVirtLabels.nodeName] = node
        updatedVMI.labels = labels
        _ = try await api.update(.virtualMachineInstances, namespace: namespace, object: updatedVMI)
        if let sourcePod {
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in try await api.delete(.pods, namespace: namespace, name: sourcePod) }
        }
        var migrationStatus = migration["status"] ?? [:]
        migrationStatus["migrationState"] = state
        PhaseTransitions.record(&migrationStatus, phase: "Succeeded", now: now)
        try await writeStatus(migration, migrationStatus)
        logger.info("migration succeeded", metadata: ["vmi": "\(namespace)/\(vmi.name ?? "")", "node": "\(node)"])
    }

    /// The migration was deleted: an unfinished one is aborted (target pod removed, the VMI
    /// stays where it was), then the finalizer goes.
    private func abort(_ migration: JSONValue) async throws {
        guard migration.finalizers.contains(Self.finalizer), let namespace = migration.namespace,
              let name = migration.name, let uid = migration.uid else { return }
        if let vmiName = migration[path: ["spec", "vmiName"]]?.stringValue,
           var vmi = vmis.get(namespace: namespace, name: vmiName),
           var state = vmi[path: ["status", "migrationState"]], state["migrationUid"]?.stringValue == uid,
           state["completed"]?.boolValue != true, state["failed"]?.boolValue != true {
            if let target = state["targetPod"]?.stringValue {
                _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                    try await api.delete(.pods, namespace: namespace, name: target)
                }
            }
            state["failed"] = true
            state["abortStatus"] = "Succeeded"
            state["endTimestamp"] = .string(Timestamp.now())
            state["failureReason"] = "migration aborted: VirtualMachineInstanceMigration deleted"
            vmi[path: ["status", "migrationState"]] = state
            _ = try await api.update(.virtualMachineInstances, namespace: namespace, object: vmi)
            logger.info("migration aborted", metadata: ["migration": "\(namespace)/\(name)"])
        }
        steps.end("migration/\(uid)")
        try await removeFinalizer(from: migration)
    }

    /// Drops this controller's finalizer (guarded by the resourceVersion it was read at).
    private func removeFinalizer(from migration: JSONValue) async throws {
        guard let name = migration.name else { return }
        _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.patch(.virtualMachineInstanceMigrations, namespace: migration.namespace, name: name,
                                patch: ["metadata": ["finalizers": .array(migration.finalizers.filter { $0 != Self.finalizer }
                                    .map(JSONValue.string)), "resourceVersion": .string(migration.resourceVersion ?? "")]],
                                type: .merge, subresource: nil, options: .default)
        }
    }

    private func fail(_ migration: JSONValue, vmi: JSONValue, reason: String) async throws {
        var updatedVMI = vmi
        if var state = vmi[path: ["status", "migrationState"]], state["migrationUid"]?.stringValue == migration.uid {
            state["failed"] = true
            state["completed"] = false
            state["endTimestamp"] = .string(Timestamp.now())
            state["failureReason"] = .string(reason)
            updatedVMI[path: ["status", "migrationState"]] = state
            _ = try await api.update(.virtualMachineInstances, namespace: vmi.namespace, object: updatedVMI)
        }
        try await finish(migration, phase: "Failed", reason: reason)
    }

    private func finish(_ migration: JSONValue, phase: String, reason: String) async throws {
        var status = migration["status"] ?? [:]
        PhaseTransitions.record(&status, phase: phase)
        if phase == "Failed" {
            var conditions = status["conditions"]?.arrayValue ?? []
            Conditions.set(&conditions, type: "Failed", status: true, reason: "MigrationFailed", message: reason)
            status["conditions"] = .array(conditions)
            logger.info("migration failed", metadata: ["migration": "\(migration.namespace ?? "")/\(migration.name ?? "")",
                                                       "reason": "\(reason)"])
        }
        try await writeStatus(migration, status)
    }

    private func setPhase(_ migration: JSONValue, _ phase: String) async throws {
        var status = migration["status"] ?? [:]
        PhaseTransitions.record(&status, phase: phase)
        try await writeStatus(migration, status)
    }

    private func writeStatus(_ migration: JSONValue, _ status: JSONValue) async throws {
        guard status != migration["status"] else { return }
        var updated = migration
        updated["status"] = status
        let written = try await api.updateStatus(.virtualMachineInstanceMigrations, namespace: migration.namespace,
                                                 object: updated)
        let phase = status["phase"]?.stringValue
        // Finished: nothing left to abort.
        if phase == "Succeeded" || phase == "Failed", written.finalizers.contains(Self.finalizer) {
            steps.end("migration/\(written.uid ?? "")")
            try await removeFinalizer(from: written)
        }
    }
}
