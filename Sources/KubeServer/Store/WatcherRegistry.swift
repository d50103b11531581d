import KubeModel

extension ObjectStore {
    /// The open watches, found by the resource they watch: a write visits the watchers of its
    /// own resource and those of every resource, not all of them (a `serve` holds about 45,
    /// one or two per resource its controllers follow).
    struct WatcherRegistry {
        private var byID: [Int: Watcher] = [:]
        /// Keyed by the watched resource; nil is every resource.
        private var idsByResource: [GroupResource?: Set<Int>] = [:]

        var count: Int { byID.count }

        subscript(id: Int) -> Watcher? { byID[id] }

        mutating func insert(_ watcher: Watcher, id: Int) {
            byID[id] = watcher
            idsByResource[watcher.filter.resource, default: []].insert(id)
        }

        @discardableResult
        mutating func remove(_ id: Int) -> Watcher? {
            guard let watcher = byID.removeValue(forKey: id) else { return nil }
            let resource = watcher.filter.resource
            idsByResource[resource]?.remove(id)
            if idsByResource[resource]?.isEmpty == true { idsByResource[resource] = nil }
            return watcher
        }

        mutating func removeAll() -> [Watcher] {
            defer {
                byID.removeAll()
                idsByResource.removeAll()
            }
            return Array(byID.values)
        }

        /// Calls `body` with each watcher that may want a write to `resource`.
        func forEach(watching resource: GroupResource, _ body: (Int, Watcher) -> Void) {
            // Two lookups, not a loop over `[resource, nil]`: that array was made on every write.
            for id in idsByResource[resource] ?? [] { body(id, byID[id]!) }
            for id in idsByResource[nil] ?? [] { body(id, byID[id]!) }
        }
    }
}
