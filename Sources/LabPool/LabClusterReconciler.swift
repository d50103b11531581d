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

    typealias Phase = Lab.Phase

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let cluster = clusters.get(key), cluster.deletionTimestamp == nil,
              let poolName = cluster[path: ["spec", "pool"]]?.stringValue,
              let pool = pools.get(namespace: nil, name: poolName) else { return .done }
        let phase = cluster[path: ["status", "phase"]]?.stringValue.flatMap(Phase.init(rawValue:))
        switch phase {
        case nil, .creating:
            return try await bootstrap(cluster, pool: pool)
        case .resetting:
            return try await reset(cluster, pool: pool)
        case .error:
            let since = cluster[path: ["status", "errorTime"]]?.stringValue.flatMap(Timestamp.date) ?? .distantPast
            let wait = Self.errorRetry.timeInterval - Date().timeIntervalSince(since)
            guard wait <= 0 else { return .requeueAfter(.milliseconds(Int64(wait * 1000) + 1)) }
            var status = cluster["status"] ?? [:]
            status["phase"] = .string(Phase.resetting.rawValue)
            status["reset"] = nil
            status["message"] = "Recovering from an error: resetting to the baseline"
            try await write(cluster, status)
            return .done
        case .available:
            return .done
        case .locked:
            let holder = cluster[path: ["status", "assignedSession"]]?.stringValue
            let held = sessions.list().contains { session in
                session.name == holder && session.deletionTimestamp == nil
                    && !["Completed", "Failed", "Expired"].contains(session[path: ["status", "phase"]]?.stringValue ?? "")
            }
            guard !held else { return .requeueAfter(Self.maintenanceInterval) }
            // Give a session that just took the cluster time to appear in the cache.
            let locked = cluster[path: ["status", "lockTime"]]?.stringValue.flatMap(Timestamp.date) ?? .distantPast
            guard Date().timeIntervalSince(locked) > 10 else { return .requeueAfter(.seconds(10)) }
            var status = cluster["status"] ?? [:]
            status["phase"] = .string(Phase.resetting.rawValue)
            status["reset"] = nil
            status["message"] = .string("Session \(holder ?? "") is gone: resetting")
            try await write(cluster, status)
            logger.notice("lab cluster held by a session that is gone; resetting", metadata: ["cluster": "\(cluster.name ?? "")"])
            return .done
        }
    }

    // MARK: - Creating

    private func bootstrap(_ cluster: JSONValue, pool: JSONValue) async throws -> ReconcileResult {
        let id = cluster.name ?? ""
        let namespace = cluster.namespace ?? id
        var status = cluster["status"] ?? [:]
        status["phase"] = .string(Phase.creating.rawValue)
        status["controlPlaneVM"] = .string(Lab.controlPlaneVM(id))
        status["workerNodeVM"] = .string(Lab.workerVM(id))
        let created = cluster[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(Timestamp.date) ?? Date()
        if Date().timeIntervalSince(created) > resetTimeout(pool).timeInterval {
            return try await fail(cluster, status, "the cluster did not become ready within \(GoDuration.format(resetTimeout(pool)))")
        }
        for (name, role) in [(Lab.controlPlaneVM(id), "control-plane"), (Lab.workerVM(id), "worker")]
        where vms.get(namespace: namespace, name: name) == nil {
            let vm = ClusterTemplate.virtualMachine(name: name, namespace: namespace, clusterID: id, role: role, pool: pool)
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(.virtualMachines, namespace: namespace, object: vm)
            }
        }
        guard try await clusterRuns(id: id, namespace: namespace, status: &status, cluster: cluster) else {
            return .requeueAfter(.seconds(1))
        }
        var ready = true
        for vm in [Lab.controlPlaneVM(id), Lab.workerVM(id)] {
            let name = Lab.snapshotName(ofVM: vm)
            guard let snapshot = snapshots.get(namespace: namespace, name: name) else {
                _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                    try await api.create(.virtualMachineSnapshots, namespace: namespace,
                                         object: ClusterTemplate.snapshot(of: vm, namespace: namespace))
                }
                ready = false
                continue
            }
            if snapshot[path: ["status", "readyToUse"]]?.boolValue != true { ready = false }
        }
        guard ready else {
            status["message"] = "Taking the baseline snapshots"
            try await write(cluster, status)
            return .requeueAfter(.seconds(1))
        }
        status["phase"] = .string(Phase.available.rawValue)
        status["snapshots"] = .array([Lab.controlPlaneVM(id), Lab.workerVM(id)].map { .string(Lab.snapshotName(ofVM: $0)) })
        status["message"] = "Ready for a session"
        status["lastReset"] = .string(Timestamp.microString(Date()))
        try await write(cluster, status)
        logger.info("lab cluster available", metadata: ["cluster": "\(id)"])
        return .done
    }

    /// Both VMs Running and the nested cluster answering; otherwise says what it waits for.
    private func clusterRuns(id: String, namespace: String, status: inout JSONValue, cluster: JSONValue) async throws -> Bool {
        let waiting = [Lab.controlPlaneVM(id), Lab.workerVM(id)].filter {
            vms.get(namespace: namespace, name: $0)?[path: ["status", "printableStatus"]]?.stringValue != "Running"
        }
        if !waiting.isEmpty {
            let states = waiting.map { name in
                "\(name) (\(vms.get(namespace: namespace, name: name)?[path: ["status", "printableStatus"]]?.stringValue ?? "Provisioning"))"
            }
            status["message"] = .string("Waiting for \(states.joined(separator: " and ")) to run")
            try await write(cluster, status)
            return false
        }
        guard await probe.answers(clusterID: id) else {
            status["message"] = "Waiting for the cluster in the VMs to answer"
            try await write(cluster, status)
            return false
        }
        return true
    }

    // MARK: - Resetting

    private func reset(_ cluster: JSONValue, pool: JSONValue) async throws -> ReconcileResult {
        let id = cluster.name ?? ""
        let namespace = cluster.namespace ?? id
        var status = cluster["status"] ?? [:]
        let machines = [Lab.controlPlaneVM(id), Lab.workerVM(id)]
        guard var progress = status["reset"], let started = progress["started"]?.stringValue.flatMap(Timestamp.date) else {
            let count = (status["resetCount"]?.intValue ?? 0) + 1
            status["resetCount"] = .int(count)
            status["reset"] = ["step": "Stopping", "started": .string(Timestamp.now()),
                               "attempt": .int(cluster[path: ["status", "reset", "attempt"]]?.intValue ?? 0)]
            status["message"] = "Resetting: stopping the VMs"
            try await write(cluster, status)
            return .done
        }
        let attempt = Int(progress["attempt"]?.intValue ?? 0)
        if Date().timeIntervalSince(started) > resetTimeout(pool).timeInterval {
            guard attempt + 1 < Self.maxResetAttempts else {
                return try await fail(cluster, status, "reset did not finish after \(Self.maxResetAttempts) attempts")
            }
            status["resetCount"] = .int((status["resetCount"]?.intValue ?? 0) + 1)
            status["reset"] = ["step": "Stopping", "started": .string(Timestamp.now()), "attempt": .int(Int64(attempt + 1))]
            status["message"] = .string("Reset attempt \(attempt + 1) timed out; starting over")
            try await write(cluster, status)
            return .requeueAfter(.seconds(Int64(5 << min(attempt, 4))))
        }
        let restoreName = { (vm: String) in "\(vm)-reset-\(status["resetCount"]?.intValue ?? 1)" }
        switch progress["step"]?.stringValue ?? "Stopping" {
        case "Stopping":
            for vm in machines { try await setRunStrategy(vm, namespace: namespace, "Halted") }
            let stopped = machines.allSatisfy {
                vms.get(namespace: namespace, name: $0)?[path: ["status", "printableStatus"]]?.stringValue == "Stopped"
            }
            guard stopped else { return .requeueAfter(.milliseconds(500)) }
            progress["step"] = "Restoring"
            status["message"] = "Resetting: restoring the VMs from the baseline snapshots"
        case "Restoring":
            var complete = true
            for vm in machines {
                let name = restoreName(vm)
                guard let restore = restores.get(namespace: namespace, name: name) else {
                    _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                        try await api.create(.virtualMachineRestores, namespace: namespace,
                                             object: ClusterTemplate.restore(name, of: vm, namespace: namespace))
                    }
                    complete = false
                    continue
                }
                if restore[path: ["status", "complete"]]?.boolValue != true { complete = false }
            }
            guard complete else { return .requeueAfter(.milliseconds(500)) }
            progress["step"] = "Starting"
            status["message"] = "Resetting: starting the VMs"
        default:
            for vm in machines { try await setRunStrategy(vm, namespace: namespace, "Always") }
            guard try await clusterRuns(id: id, namespace: namespace, status: &status, cluster: cluster) else {
                return .requeueAfter(.milliseconds(500))
            }
            status["phase"] = .string(Phase.available.rawValue)
            status["reset"] = nil
            status["assignedSession"] = nil
            status["lockTime"] = nil
            status["lastReset"] = .string(Timestamp.microString(Date()))
            status["message"] = "Ready for a session"
            try await write(cluster, status)
            try await deleteOldRestores(namespace: namespace, keeping: machines.map(restoreName))
            logger.info("lab cluster reset", metadata: ["cluster": "\(id)",
                                                        "seconds": "\(Int(Date().timeIntervalSince(started)))"])
            return .done
        }
        status["reset"] = progress
        try await write(cluster, status)
        return .done
    }

    private func setRunStrategy(_ vm: String, namespace: String, _ strategy: String) async throws {
        guard let current = vms.get(namespace: namespace, name: vm),
              current[path: ["spec", "runStrategy"]]?.stringValue != strategy else { return }
        _ = try await api.patch(.virtualMachines, namespace: namespace, name: vm,
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

    private func resetTimeout(_ pool: JSONValue) -> Duration {
        pool[path: ["spec", "resetTimeout"]]?.stringValue.flatMap { try? GoDuration.parse($0) } ?? Self.defaultResetTimeout
    }

    private func fail(_ cluster: JSONValue, _ status: JSONValue, _ message: String) async throws -> ReconcileResult {
        var status = status
        status["phase"] = .string(Phase.error.rawValue)
        status["message"] = .string(message)
        status["errorTime"] = .string(Timestamp.now())
        status["reset"] = nil
        try await write(cluster, status)
        logger.warning("lab cluster in error", metadata: ["cluster": "\(cluster.name ?? "")", "error": "\(message)"])
        return .requeueAfter(Self.errorRetry)
    }

    private func write(_ cluster: JSONValue, _ status: JSONValue) async throws {
        guard status != cluster["status"] else { return }
        var updated = cluster
        updated["status"] = status
        _ = try await api.updateStatus(.labClusters, namespace: cluster.namespace, object: updated)
    }
}
