import KubeModel
import Synchronization

/// The pods an owner has created or deleted that its informer has not shown yet:
/// kube-controller-manager's `ControllerExpectations`, by name rather than by count.
///
/// A ReplicaSet that creates three pods is reconciled again as soon as the first pod's event
/// arrives, while the cache still lacks the other two; counting only the cache would create
/// them again. Each write is remembered until the cache shows it (a created pod appears, a
/// deleted one disappears or gets its `deletionTimestamp`) or until ``lifetime`` passes, so a
/// lost event cannot freeze an owner for ever.
final class PodExpectations: Sendable {
    private struct Pending {
        var created: [String: ContinuousClock.Instant] = [:]
        var deleted: [String: ContinuousClock.Instant] = [:]
    }

    private let pending = Mutex<[ObjectKey: Pending]>([:])
    private let lifetime: Duration

    init(lifetime: Duration = .seconds(60)) {
        self.lifetime = lifetime
    }

    func created(_ name: String, by owner: ObjectKey) {
        pending.withLock { $0[owner, default: Pending()].created[name] = .now }
    }

    func deleted(_ name: String, by owner: ObjectKey) {
        pending.withLock { $0[owner, default: Pending()].deleted[name] = .now }
    }

    /// Lays the pending writes over the owner's pods as the cache has them (its active ones):
    /// returns the names the owner should consider alive — cached ones minus pending deletions,
    /// plus pending creations the cache lacks. Writes the cache now shows are forgotten.
    func alive(_ cachedActive: Set<String>, allCached: Set<String>, owner: ObjectKey) -> Set<String> {
        let now = ContinuousClock.now
        return pending.withLock { pending in
            guard var entry = pending[owner] else { return cachedActive }
            entry.created = entry.created.filter { name, at in !allCached.contains(name) && now - at < lifetime }
            entry.deleted = entry.deleted.filter { name, at in cachedActive.contains(name) && now - at < lifetime }
            pending[owner] = entry.created.isEmpty && entry.deleted.isEmpty ? nil : entry
            return cachedActive.subtracting(entry.deleted.keys).union(entry.created.keys)
        }
    }

    /// Forgets an owner that is gone.
    func forget(_ owner: ObjectKey) {
        _ = pending.withLock { $0.removeValue(forKey: owner) }
    }
}
