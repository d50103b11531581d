import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging

/// One lab cluster's life: Creating (VMs `cp-<id>` and `wk-<id>`, running, the nested cluster
/// answering, then the baseline snapshots `cp-<id>-snapshot` and `wk-<id>-snapshot`) →
/// Available ⇄ Locked (a session holds it) → Resetting (stop the VMs, restore both from the
/// baseline, start them, wait until the nested cluster answers) → Available. A reset that
/// does not finish within the pool's reset timeout starts over, up to three times, then the
/// cluster is Error; an Error cluster is reset again after a minute, and a Locked cluster whose
/// session is gone is reset (the maintenance loop, every 30 s).
struct LabClusterReconciler: Reconciler {
    static let defaultResetTimeout: Duration = .seconds(20 * 60)
    static let maxResetAttempts = 3
    static let errorRetry: Duration = .seconds(60)
    static let maintenanceInterval: Duration = .seconds(30)

    let api: any KubernetesAPI
    let pools: Informer
    let clusters: Informer
    let vms: Informer
    let snapshots: Informer
    let restores: Informer
    let sessions: Informer
    let probe: any NestedClusterProbe
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let stored = clusters.get(key), stored.deletionTimestamp == nil else { return .done }
        let cluster = LabClusterObject(stored)
        guard let poolName = cluster.pool, let pool = pools.get(namespace: nil, name: poolName).map(LabPoolObject.init) else {
            return .done
        }
        switch cluster.phase {
        case nil, .creating:
            return try await bootstrap(cluster, pool: pool)
        case .resetting:
            return try await reset(cluster, pool: pool)
        case .error:
            let since = cluster.errorTime ?? .distantPast
            let wait = Self.errorRetry.timeInterval - Date().timeIntervalSince(since)
            guard wait <= 0 else { return .requeueAfter(.milliseconds(Int64(wait * 1000) + 1)) }
            var updated = cluster
            updated.phase = .resetting
            updated.reset = nil
            updated.message = "Recovering from an error: resetting to the baseline"
            try await write(cluster, updated)
            return .done
        case .available:
            return .done
        case .locked:
            let holder = cluster.assignedSession
            let held = sessions.list().map(LabSessionObject.init).contains { session in
                session.name == holder && !session.isDeleting && !session.isOver
            }
            guard !held else { return .requeueAfter(Self.maintenanceInterval) }
            // Give a session that just took the cluster time to appear in the cache.
            let locked = cluster.lockTime ?? .distantPast
            guard Date().timeIntervalSince(locked) > 10 else { return .requeueAfter(.seconds(10)) }
            var updated = cluster
            updated.phase = .resetting
            updated.reset = nil
            updated.message = "Session \(holder ?? "") is gone: resetting"
            try await write(cluster, updated)
            logger.notice("lab cluster held by a session that is gone; resetting", metadata: ["cluster": "\(cluster.name)"])
            return .done
        }
    }

    // MARK: - Creating

    private func bootstrap(_ cluster: LabClusterObject, pool: LabPoolObject) async throws -> ReconcileResult {
        let id = cluster.name
        let namespace = cluster.object.namespace ?? id
        var updated = cluster
        updated.phase = .creating
        updated.controlPlaneVM = Lab.controlPlaneVM(id)
        updated.workerNodeVM = Lab.workerVM(id)
        let created = cluster.creationDate ?? Date()
        if Date().timeIntervalSince(created) > resetTimeout(pool).timeInterval {
            return try await fail(cluster, updated, "the cluster did not become ready within \(GoDuration.format(resetTimeout(pool)))")
        }
        for (name, role) in [(Lab.controlPlaneVM(id), "control-plane"), (Lab.workerVM(id), "worker")]
        where vms.get(namespace: namespace, name: name) == nil {
            let vm = ClusterTemplate.virtualMachine(name: name, namespace: namespace, clusterID: id, role: role, pool: pool)
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(.virtualMachines, namespace: namespace, object: vm)
            }
        }
        guard try await clusterRuns(id: id, namespace: namespace, updated: &updated, cluster: cluster) else {
            return .requeueAfter(.seconds(1))
        }
        var ready = true
        for vm in [Lab.controlPlaneVM(id), Lab.workerVM(id)] {
            let name = Lab.snapshotName(ofVM: vm)
            guard let snapshot = snapshots.get(namespace: namespace, name: name).map(VirtualMachineSnapshot.init) else {
                _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                    try await api.create(
                        .virtualMachineSnapshots, namespace: namespace,
                        object: ClusterTemplate.snapshot(of: vm, namespace: namespace))
                }
                ready = false
                continue
            }
            if !snapshot.readyToUse { ready = false }
        }
        guard ready else {
            updated.message = "Taking the baseline snapshots"
            try await write(cluster, updated)
            return .requeueAfter(.seconds(1))
        }
        updated.phase = .available
        updated.snapshots = [Lab.controlPlaneVM(id), Lab.workerVM(id)].map(Lab.snapshotName(ofVM:))
        updated.message = "Ready for a session"
        updated.lastReset = Date()
        try await write(cluster, updated)
        logger.info("lab cluster available", metadata: ["cluster": "\(id)"])
        return .done
    }

    /// `status.printableStatus` of the VM `name`, nil when there is no such VM (or no status).
    private func printableStatus(namespace: String, name: String) -> String? {
        vms.get(namespace: namespace, name: name).map(VirtualMachine.init)?
            .object[field: VirtualMachine.LifecycleField.printableStatus]?.stringValue
    }

    /// Both VMs Running and the nested cluster answering; otherwise says what it waits for.
    private func clusterRuns(
        id: String, namespace: String, updated: inout LabClusterObject,
        cluster: LabClusterObject
    ) async throws -> Bool {
        let waiting = [Lab.controlPlaneVM(id), Lab.workerVM(id)].filter {
            printableStatus(namespace: namespace, name: $0) != "Running"
        }
        if !waiting.isEmpty {
            let states = waiting.map { name in "\(name) (\(printableStatus(namespace: namespace, name: name) ?? "Provisioning"))" }
            updated.message = "Waiting for \(states.joined(separator: " and ")) to run"
            try await write(cluster, updated)
            return false
        }
        guard await probe.answers(clusterID: id) else {
            updated.message = "Waiting for the cluster in the VMs to answer"
            try await write(cluster, updated)
            return false
        }
        return true
    }

    // MARK: - Resetting

    private func reset(_ cluster: LabClusterObject, pool: LabPoolObject) async throws -> ReconcileResult {
        let id = cluster.name
        let namespace = cluster.object.namespace ?? id
        var updated = cluster
        let machines = [Lab.controlPlaneVM(id), Lab.workerVM(id)]
        guard var progress = cluster.reset, let started = progress.started else {
            updated.resetCount = (cluster.resetCount ?? 0) + 1
            updated.reset = .init(startingAttempt: cluster.reset?.attempt ?? 0)
            updated.message = "Resetting: stopping the VMs"
            try await write(cluster, updated)
            return .done
        }
        let attempt = Int(progress.attempt)
        if Date().timeIntervalSince(started) > resetTimeout(pool).timeInterval {
            guard attempt + 1 < Self.maxResetAttempts else {
                return try await fail(cluster, updated, "reset did not finish after \(Self.maxResetAttempts) attempts")
            }
            updated.resetCount = (cluster.resetCount ?? 0) + 1
            updated.reset = .init(startingAttempt: Int64(attempt + 1))
            updated.message = "Reset attempt \(attempt + 1) timed out; starting over"
            try await write(cluster, updated)
            return .requeueAfter(.seconds(Int64(5 << min(attempt, 4))))
        }
        let resetNumber = cluster.resetCount ?? 1
        let restoreName = { (vm: String) in "\(vm)-reset-\(resetNumber)" }
        switch progress.step ?? .stopping {
        case .stopping:
            for vm in machines { try await setRunStrategy(vm, namespace: namespace, "Halted") }
            let stopped = machines.allSatisfy { printableStatus(namespace: namespace, name: $0) == "Stopped" }
            guard stopped else { return .requeueAfter(.milliseconds(500)) }
            progress.step = .restoring
            updated.message = "Resetting: restoring the VMs from the baseline snapshots"
        case .restoring:
            var complete = true
            for vm in machines {
                let name = restoreName(vm)
                guard let restore = restores.get(namespace: namespace, name: name).map(VirtualMachineRestore.init) else {
                    _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                        try await api.create(
                            .virtualMachineRestores, namespace: namespace,
                            object: ClusterTemplate.restore(name, of: vm, namespace: namespace))
                    }
                    complete = false
                    continue
                }
                if !restore.complete { complete = false }
            }
            guard complete else { return .requeueAfter(.milliseconds(500)) }
            progress.step = .starting
            updated.message = "Resetting: starting the VMs"
        case .starting:
            for vm in machines { try await setRunStrategy(vm, namespace: namespace, "Always") }
            guard try await clusterRuns(id: id, namespace: namespace, updated: &updated, cluster: cluster) else {
                return .requeueAfter(.milliseconds(500))
            }
            updated.phase = .available
            updated.reset = nil
            updated.assignedSession = nil
            updated.lockTime = nil
            updated.lastReset = Date()
            updated.message = "Ready for a session"
            try await write(cluster, updated)
            try await deleteOldRestores(namespace: namespace, keeping: machines.map(restoreName))
            logger.info(
                "lab cluster reset",
                metadata: [
                    "cluster": "\(id)",
                    "seconds": "\(Int(Date().timeIntervalSince(started)))",
                ])
            return .done
        }
        updated.reset = progress
        try await write(cluster, updated)
        return .done
    }

    private func setRunStrategy(_ vm: String, namespace: String, _ strategy: String) async throws {
        guard let current = vms.get(namespace: namespace, name: vm).map(VirtualMachine.init),
            current.runStrategyText != strategy
        else { return }
        _ = try await api.patch(
            .virtualMachines, namespace: namespace, name: vm,
            patch: ["spec": ["runStrategy": .string(strategy), "running": .null]])
    }

    private func deleteOldRestores(namespace: String, keeping: [String]) async throws {
        for restore in restores.list(namespace: namespace) {
            guard let name = restore.name, !keeping.contains(name) else { continue }
            _ = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                try await api.delete(.virtualMachineRestores, namespace: namespace, name: name)
            }
        }
    }

    // MARK: - Status

    private func resetTimeout(_ pool: LabPoolObject) -> Duration {
        pool.resetTimeout ?? Self.defaultResetTimeout
    }

    private func fail(_ cluster: LabClusterObject, _ updated: LabClusterObject, _ message: String) async throws -> ReconcileResult {
        var updated = updated
        updated.phase = .error
        updated.message = message
        updated.errorTime = Date()
        updated.reset = nil
        try await write(cluster, updated)
        logger.warning("lab cluster in error", metadata: ["cluster": "\(cluster.name)", "error": "\(message)"])
        return .requeueAfter(Self.errorRetry)
    }

    /// Writes `updated`'s status unless it is `cluster`'s.
    private func write(_ cluster: LabClusterObject, _ updated: LabClusterObject) async throws {
        try await api.updateStatusIfChanged(.labClusters, current: cluster.object, updated: updated.object)
    }
}
