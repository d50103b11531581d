import KubeModel
import Synchronization

/// The daemon pods a DaemonSet created that its pod cache does not show yet, by node: without
/// them a second pass soon after the first would find the node empty and create a second pod
/// there (the controller's expectations, kept by node because a daemon pod's identity is its
/// node). Forgotten once the cache shows the pod, or after ``lifetime``.
final class DaemonPodExpectations: Sendable {
    private let pending = Mutex<[ObjectKey: [String: (pod: String, at: ContinuousClock.Instant)]]>([:])
    private let lifetime: Duration

    init(lifetime: Duration = .seconds(60)) {
        self.lifetime = lifetime
    }

    func created(_ pod: String, on node: String, by owner: ObjectKey) {
        pending.withLock { $0[owner, default: [:]][node] = (pod, .now) }
    }

    /// The nodes with a created pod the cache (`cachedPods`, names) lacks.
    func nodesAwaitingPods(owner: ObjectKey, cachedPods: Set<String>) -> Set<String> {
        let now = ContinuousClock.now
        return pending.withLock { pending in
            guard let entry = pending[owner] else { return [] }
            let left = entry.filter { !cachedPods.contains($0.value.pod) && now - $0.value.at < lifetime }
            pending[owner] = left.isEmpty ? nil : left
            return Set(left.keys)
        }
    }

    func forget(_ owner: ObjectKey) {
        _ = pending.withLock { $0.removeValue(forKey: owner) }
    }
}
