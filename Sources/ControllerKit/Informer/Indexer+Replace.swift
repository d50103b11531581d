import KubeModel

extension Indexer {
    /// Replaces the whole content with a fresh list and returns what changed, in an order that
    /// is the same every time: additions and updates in list order, then deletions by key.
    ///
    /// This is what an informer does after a re-list (first start, or a watch that fell so far
    /// behind that the server answered 410 Gone): the events it missed are gone for good, so
    /// the only way to tell handlers what happened is to compare the old cache with the new
    /// list. Objects that did not change produce no event; objects that vanished produce a
    /// deletion carrying their last known state.
    public mutating func replace(with items: [JSONValue], isInitialList: Bool) -> [InformerEvent] {
        var events: [InformerEvent] = []
        var seen = Set<ObjectKey>()
        for item in items {
            guard let key = ObjectKey(item), seen.insert(key).inserted else { continue }
            switch self[key] {
            case nil:
                upsert(item)
                events.append(.added(item, isInInitialList: isInitialList))
            case let old? where old != item:
                upsert(item)
                events.append(.updated(old: old, new: item))
            case _?:
                break
            }
        }
        for key in keys where !seen.contains(key) {
            if let old = remove(key) { events.append(.deleted(old, finalStateUnknown: true)) }
        }
        return events
    }
}
