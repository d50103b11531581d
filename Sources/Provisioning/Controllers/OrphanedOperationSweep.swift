import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// Which ClusterOperations can never finish: a request that stopped (a crash, a lost leader)
/// between writing its operation and changing the cluster leaves one that no controller will
/// take up. PROVISION: the ClusterDefinition was never created. SCALE, UPGRADE,
/// DECOMMISSION: the cluster was never annotated with it (or has moved on to another one).
enum OrphanedOperations {
    /// How long an operation may wait to be taken up before it is given up.
    static let gracePeriod: TimeInterval = 60

    /// Why `operation` can never finish, or nil when it still may. `cluster` is its
    /// ClusterDefinition as stored now (nil: none). Only an operation no controller has taken up
    /// (no generation recorded), still PENDING ``gracePeriod`` after it started, qualifies.
    static func reason(_ operation: ClusterOperationObject, cluster: ClusterDefinitionObject?, now: Date) -> String? {
        guard !operation.isFinished, (operation.state ?? .pending) == .pending, operation.generation == nil,
            let started = startTime(operation), now.timeIntervalSince(started) >= gracePeriod
        else { return nil }
        let name = operation.clusterName ?? ""
        let grace = "\(Int(gracePeriod)) s after the operation started"
        guard let cluster else {
            if operation.type == .provision {
                return "the cluster was never created: ClusterDefinition \(name) does not exist \(grace) "
                    + "(the request stopped before writing it)"
            }
            return "the cluster does not exist: ClusterDefinition \(name) is gone \(grace), before the operation was taken up"
        }
        guard cluster.operationID != operation.name else { return nil }
        let named = cluster.operationID.map { "names \($0)" } ?? "names no operation"
        return "the operation was never taken up: ClusterDefinition \(name) \(named) \(grace) "
            + "(the request stopped before changing the cluster)"
    }

    static func startTime(_ operation: ClusterOperationObject) -> Date? {
        (operation.startTime ?? operation.object[path: ["metadata", "creationTimestamp"]]?.stringValue).flatMap(Timestamp.date)
    }

    /// `operation` FAILED with `reason`, as of `now`.
    static func failed(_ operation: ClusterOperationObject, reason: String, now: Date) -> ClusterOperationObject {
        var failed = operation
        failed.stampIdentity()
        failed.state = .failed
        failed.errorMessage = reason
        failed.currentOperation = "Failed"
        failed.endTime = Timestamp.string(now)
        if failed.startTime == nil, let started = startTime(operation) { failed.startTime = Timestamp.string(started) }
        return failed
    }
}

/// Marks orphaned ClusterOperations (``OrphanedOperations``) FAILED, every ``period``: the
/// controller's job, so that reading operations (REST, the console) never writes. Candidates
/// come from the informer; the cluster is read from the API before anything is written (a
/// cache a moment behind must not fail an operation whose cluster was just created), and the
/// write carries the operation's resourceVersion, so a controller taking it up meanwhile wins.
struct OrphanedOperationSweep: Service {
    let api: any KubernetesAPI
    let operations: Informer
    let period: Duration
    let logger: Logger

    func run() async throws {
        // Ends at graceful shutdown (or cancellation), even while the cache is still syncing.
        try? await cancelWhenGracefulShutdown {
            try await operations.waitForSync()
            while !Task.isCancelled {
                await sweep()
                try await Task.sleep(for: period)
            }
        }
    }

    /// One sweep; returns the operations marked FAILED (`namespace/name`).
    @discardableResult
    func sweep(now: Date = Date()) async -> [String] {
        var marked: [String] = []
        for stored in operations.list() {
            let operation = ClusterOperationObject(stored)
            // Without its cluster it would qualify: only such candidates cost a read.
            guard OrphanedOperations.reason(operation, cluster: nil, now: now) != nil, let namespace = stored.namespace else {
                continue
            }
            do {
                let cluster = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                    try await api.get(.clusterDefinitions, namespace: namespace, name: operation.clusterName ?? "")
                }
                guard let reason = OrphanedOperations.reason(operation, cluster: cluster.map(ClusterDefinitionObject.init), now: now)
                else { continue }
                let failed = OrphanedOperations.failed(operation, reason: reason, now: now)
                _ = try await api.updateStatus(.clusterOperations, namespace: namespace, object: failed.object)
                marked.append("\(namespace)/\(operation.name)")
                logger.notice(
                    "orphaned cluster operation marked FAILED",
                    metadata: ["operation": "\(namespace)/\(operation.name)", "reason": "\(reason)"])
            } catch {
                // Changed meanwhile (a conflict), or the API is away: the next sweep looks again.
                logger.debug("could not sweep an operation", metadata: ["operation": "\(operation.name)", "error": "\(error)"])
            }
        }
        return marked
    }
}
