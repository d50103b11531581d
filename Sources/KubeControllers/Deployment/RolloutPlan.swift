/// How many replicas each of a Deployment's ReplicaSets should have next: the arithmetic of
/// the Deployment controller's rolling update (`reconcileNewReplicaSet`,
/// `cleanupUnhealthyReplicas`, `scaleDownOldReplicaSetsForRollingUpdate`) and of Recreate,
/// as a pure function of counts, tested without an API.
///
/// One step at a time: when the new ReplicaSet grows, old ones wait for the next pass, which
/// comes with the status changes the growth causes — level-triggered, like the original.
enum RolloutPlan {
    /// One ReplicaSet as the plan sees it.
    struct Counts: Sendable, Equatable {
        var name: String
        /// `spec.replicas`.
        var replicas: Int
        /// `status.replicas`: pods that still exist.
        var current: Int = 0
        /// `status.availableReplicas`.
        var available: Int = 0
    }

    /// Target `spec.replicas` per ReplicaSet name (only those that change).
    typealias Targets = [String: Int]

    /// The next step of a rolling update. `old` is ordered oldest revision first, so the oldest
    /// shrink first.
    static func rollingUpdate(
        desired: Int, maxSurge: Int, maxUnavailable: Int, new: Counts,
        old: [Counts]
    ) -> Targets {
        let newTarget = newReplicaSetTarget(desired: desired, maxSurge: maxSurge, new: new, old: old)
        if newTarget != new.replicas { return [new.name: newTarget] }
        return scaleDownOld(desired: desired, maxUnavailable: maxUnavailable, new: new, old: old)
    }

    /// The new ReplicaSet grows while the total stays within `desired + maxSurge`, and
    /// shrinks at once to `desired` when it has more.
    static func newReplicaSetTarget(desired: Int, maxSurge: Int, new: Counts, old: [Counts]) -> Int {
        if new.replicas >= desired { return desired }
        let total = new.replicas + old.reduce(0) { $0 + $1.replicas }
        let room = desired + maxSurge - total
        guard room > 0 else { return new.replicas }
        return new.replicas + min(room, desired - new.replicas)
    }

    /// Old ReplicaSets shrink while at least `desired - maxUnavailable` pods stay available:
    /// first the replicas that are not available anyway, then available ones.
    static func scaleDownOld(desired: Int, maxUnavailable: Int, new: Counts, old: [Counts]) -> Targets {
        var targets = Dictionary(uniqueKeysWithValues: old.map { ($0.name, $0.replicas) })
        let total = new.replicas + old.reduce(0) { $0 + $1.replicas }
        let minAvailable = desired - maxUnavailable
        let newUnavailable = max(0, new.replicas - new.available)
        let budget = total - minAvailable - newUnavailable
        guard budget > 0 else { return [:] }

        var cleaned = 0
        for replicaSet in old where cleaned < budget {
            let unhealthy = max(0, replicaSet.replicas - replicaSet.available)
            guard unhealthy > 0 else { continue }
            let step = min(budget - cleaned, unhealthy)
            targets[replicaSet.name, default: 0] -= step
            cleaned += step
        }

        let available = new.available + old.reduce(0) { $0 + $1.available }
        var toScale = available - minAvailable
        for replicaSet in old where toScale > 0 {
            let replicas = targets[replicaSet.name] ?? 0
            let step = min(replicas, toScale)
            targets[replicaSet.name] = replicas - step
            toScale -= step
        }
        return targets.filter { name, target in old.first { $0.name == name }?.replicas != target }
    }

    /// Recreate: every old ReplicaSet to zero; the new one grows only once no old pod exists.
    static func recreate(desired: Int, new: Counts, old: [Counts]) -> Targets {
        let shrinking = old.filter { $0.replicas > 0 }
        if !shrinking.isEmpty { return Dictionary(uniqueKeysWithValues: shrinking.map { ($0.name, 0) }) }
        if old.contains(where: { $0.current > 0 }) { return [:] }
        return new.replicas == desired ? [:] : [new.name: desired]
    }
}
