import Foundation
import KubeClient
import KubeModel

/// Removing a node the way `kubectl drain` then `kubectl delete node` would, without holding
/// a worker: each pass cordons and evicts again (``ProvisionedClusterAccess/drainNode``) and
/// the node is deleted once no pod is left, or once the drain has taken longer than the
/// operation's `drainTimeout` — the removal then goes on and the operation records it (a
/// `DrainTimedOut` condition), rather than waiting forever.
extension ClusterDefinitionReconciler {
    /// How long a drain may take when the request names no `drainTimeout` (an upgrade, a
    /// scale down made with kubectl).
    static let defaultDrainTimeout: Duration = .seconds(300)

    /// The VM annotation recording when its node's drain began: the timeout counts from it,
    /// across passes and restarts.
    static let drainStartedAnnotation = "virtyard.io/drain-started"

    /// What a removal pass did.
    enum NodeRemoval: Equatable {
        /// Node, VM and user data Secret deleted (or being deleted).
        case removed
        /// Pods are still leaving: nothing deleted yet.
        case draining(podsLeft: [String])
        /// The drain took too long: removed anyway, leaving these pods behind.
        case removedAfterDrainTimeout(podsLeft: [String])
    }

    /// Drains `vm`'s node, then removes it: the cluster forgets the Node first, then its VM and
    /// user data Secret go. Without access to the cluster (GENERIC, none) there is nothing to
    /// drain.
    func removeNode(
        namespace: String, cluster: String, vm: JSONValue, useAccess: (any ProvisionedClusterAccess)?, drainTimeout: Duration,
        now: Date = Date()
    ) async throws -> NodeRemoval {
        let name = vm.name ?? ""
        var leftBehind: [String] = []
        if let useAccess {
            let left: [String]
            do {
                left = try await useAccess.drainNode(namespace: namespace, cluster: cluster, node: name)
            } catch {
                // The cluster's API does not answer: not drained, and counted against the timeout
                // like pods that do not leave, so an unreachable cluster cannot block forever.
                left = ["(the cluster's API did not answer)"]
            }
            if !left.isEmpty {
                var started = vm.annotations[Self.drainStartedAnnotation].flatMap(Timestamp.date)
                if started == nil {
                    _ = try await api.patch(
                        .virtualMachines, namespace: namespace, name: name,
                        patch: ["metadata": ["annotations": [Self.drainStartedAnnotation: .string(Timestamp.string(now))]]])
                    started = now
                }
                if let started, now.timeIntervalSince(started) < Self.seconds(drainTimeout) {
                    return .draining(podsLeft: left)
                }
                logger.warning(
                    "drain timed out; removing the node anyway",
                    metadata: ["vm": "\(namespace)/\(name)", "podsLeft": "\(left.count)", "timeout": "\(drainTimeout)"])
                leftBehind = left
            }
            do {
                try await useAccess.removeNode(namespace: namespace, cluster: cluster, node: name)
            } catch  where !leftBehind.isEmpty {
                // Past the timeout the VM goes even when its cluster cannot be told.
                logger.warning("could not delete the Node; removing its VM anyway", metadata: ["vm": "\(namespace)/\(name)"])
            }
        }
        try await deleteIfPresent(.virtualMachines, namespace: namespace, name: name)
        try await deleteOwnedSecret(namespace: namespace, name: "\(name)-userdata", cluster: cluster)
        return leftBehind.isEmpty ? .removed : .removedAfterDrainTimeout(podsLeft: leftBehind)
    }

    /// The operation's `drainTimeout` (a scale request's), else ``defaultDrainTimeout``.
    static func drainTimeout(of operation: ClusterOperationObject) -> Duration {
        guard let text = operation.object[path: ["spec", "request", "drainTimeout"]]?.stringValue,
            let duration = try? GoDuration.parse(text), duration >= .zero
        else { return defaultDrainTimeout }
        return duration
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// Notes `removal` of `node` in the pass: what is still draining shows in
    /// `currentOperation`, a drain that timed out becomes the operation's `DrainTimedOut`
    /// condition.
    static func note(_ removal: NodeRemoval, of node: String, drainTimeout: Duration, in pass: inout ConvergencePass) {
        switch removal {
        case .removed: break
        case .draining(let left): pass.draining.append((node, left.count))
        case .removedAfterDrainTimeout(let left):
            pass.drainTimeouts.append(
                "\(node): \(left.count) pod\(left.count == 1 ? "" : "s") still there after \(drainTimeout) "
                    + "(\(ConvergencePass.list(left))); removed anyway")
        }
    }
}
