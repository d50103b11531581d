import KubeModel

/// One change to the store, kept in the event history and fanned out to watchers.
public struct StoreEvent: Sendable {
    public enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    public var kind: Kind
    public var key: StorageKey
    /// The object after the change; for a deletion, its last state stamped with the
    /// deletion's resourceVersion (as Kubernetes sends it).
    public var object: StoredObject
    /// The object before the change, so a watch with a selector can tell an object that
    /// stopped matching (sent as DELETED) from one that started matching (sent as ADDED).
    public var previous: JSONValue?
    /// About how many bytes the event holds in the history (both versions' encodings).
    var footprint = 0

    public var resourceVersion: Int64 { object.resourceVersion }
}

/// The event a particular watcher receives after its filter is applied.
public struct WatchEvent: Sendable {
    public enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
    }

    public var kind: Kind
    public var key: StorageKey?
    public var object: StoredObject
}

/// Which events a watch wants: one resource or all, one namespace or all, and an optional
/// predicate on the object (label and field selectors).
public struct WatchFilter: Sendable {
    public var resource: GroupResource?
    public var namespace: String?
    public var predicate: (@Sendable (JSONValue) -> Bool)?

    public init(
        resource: GroupResource?, namespace: String? = nil,
        predicate: (@Sendable (JSONValue) -> Bool)? = nil
    ) {
        self.resource = resource
        self.namespace = namespace
        self.predicate = predicate
    }

    func admits(_ key: StorageKey) -> Bool {
        if let resource, resource != key.resource { return false }
        if let namespace, !namespace.isEmpty, namespace != key.namespace { return false }
        return true
    }

    /// Translates a store event into what this watcher sees, or nil when it sees nothing.
    func translate(_ event: StoreEvent) -> WatchEvent? {
        guard admits(event.key) else { return nil }
        guard let predicate else {
            return WatchEvent(kind: WatchEvent.Kind(rawValue: event.kind.rawValue)!, key: event.key, object: event.object)
        }
        let matchesNow = predicate(event.object.object)
        switch event.kind {
        case .added:
            return matchesNow ? WatchEvent(kind: .added, key: event.key, object: event.object) : nil
        case .deleted:
            return matchesNow ? WatchEvent(kind: .deleted, key: event.key, object: event.object) : nil
        case .modified:
            let matchedBefore = event.previous.map(predicate) ?? false
            switch (matchedBefore, matchesNow) {
            case (true, true): return WatchEvent(kind: .modified, key: event.key, object: event.object)
            case (false, true): return WatchEvent(kind: .added, key: event.key, object: event.object)
            case (true, false): return WatchEvent(kind: .deleted, key: event.key, object: event.object)
            case (false, false): return nil
            }
        }
    }
}
