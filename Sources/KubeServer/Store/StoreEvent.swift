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
    /// The object before the change, encoded, so a watch with a selector can tell an object
    /// that stopped matching (sent as DELETED) from one that started matching (sent as
    /// ADDED). Only its bytes: the history keeps 10,000 events, and every field counts.
    public var previous: [UInt8]?
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

/// Which events a watch wants: one resource or all, one namespace or all, one name or all,
/// and an optional predicate on the object (label and field selectors).
public struct WatchFilter: Sendable {
    public var resource: GroupResource?
    public var namespace: String?
    /// Only the object of this name (a controller that owns one object per namespace).
    public var name: String?
    public var predicate: (@Sendable (JSONValue) -> Bool)?
    /// What `predicate` reads of an object, when known: objects are then parsed along these
    /// paths only (stored objects are kept encoded, and a predicate may be asked of every
    /// object of a resource while the store is locked).
    public var predicatePaths: JSONPathSet?
    /// Which changes the watcher has any use for, asked of the stored event before anything
    /// is parsed; the others are not sent at all. Unlike `predicate`, it turns no change into
    /// ADDED or DELETED: it is for a watcher inside the process that acts on few of the
    /// store's writes (the garbage collector), so that the rest cost it no wake-up.
    public var wants: (@Sendable (StoreEvent) -> Bool)?

    public init(
        resource: GroupResource?, namespace: String? = nil, name: String? = nil,
        predicate: (@Sendable (JSONValue) -> Bool)? = nil, predicatePaths: JSONPathSet? = nil,
        wants: (@Sendable (StoreEvent) -> Bool)? = nil
    ) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.predicate = predicate
        self.predicatePaths = predicatePaths
        self.wants = wants
    }

    func admits(_ key: StorageKey) -> Bool {
        if let resource, resource != key.resource { return false }
        if let namespace, !namespace.isEmpty, namespace != key.namespace { return false }
        if let name, name != key.name { return false }
        return true
    }

    /// Whether a stored object passes the predicate, parsing no more of it than needed.
    func admits(_ stored: StoredObject) -> Bool {
        guard let predicate else { return true }
        return predicate(stored.object(along: predicatePaths))
    }

    /// Translates a store event into what this watcher sees, or nil when it sees nothing.
    func translate(_ event: StoreEvent) -> WatchEvent? {
        translate(event, trees: EventTrees(event))
    }

    /// As ``translate(_:)``, reading the event's objects from `trees`, which parses each at
    /// most once however many watchers' predicates ask.
    func translate(_ event: StoreEvent, trees: EventTrees) -> WatchEvent? {
        guard admits(event.key), wants?(event) ?? true else { return nil }
        guard let predicate else {
            return WatchEvent(kind: WatchEvent.Kind(rawValue: event.kind.rawValue)!, key: event.key, object: event.object)
        }
        let matchesNow = predicate(trees.object(along: predicatePaths))
        switch event.kind {
        case .added:
            return matchesNow ? WatchEvent(kind: .added, key: event.key, object: event.object) : nil
        case .deleted:
            return matchesNow ? WatchEvent(kind: .deleted, key: event.key, object: event.object) : nil
        case .modified:
            let matchedBefore = trees.previous(along: predicatePaths).map(predicate) ?? false
            switch (matchedBefore, matchesNow) {
            case (true, true): return WatchEvent(kind: .modified, key: event.key, object: event.object)
            case (false, true): return WatchEvent(kind: .added, key: event.key, object: event.object)
            case (true, false): return WatchEvent(kind: .deleted, key: event.key, object: event.object)
            case (false, false): return nil
            }
        }
    }
}

/// One event's objects, parsed on demand: stored objects keep only their encoding, and an
/// event fanned out to many watchers with selectors should not be parsed once per watcher.
/// A watcher whose predicate names its paths gets a scan along them; past a few of those,
/// the whole object is parsed once and shared.
final class EventTrees {
    private let event: StoreEvent
    private var object: JSONValue?
    private var previous: JSONValue??
    private var partialParses = 0
    private static let partialParsesBeforeWhole = 4

    /// `object` and `previous`, when given, are the event's objects already in hand (the
    /// writer's tree, and the one it started from).
    init(_ event: StoreEvent, object: JSONValue? = nil, previous: JSONValue? = nil) {
        self.event = event
        self.object = object
        if let previous { self.previous = .some(previous) }
    }

    func object(along paths: JSONPathSet?) -> JSONValue {
        if let object { return object }
        if let partial = partial(event.object.bytes, along: paths) { return partial }
        let parsed = event.object.object
        object = parsed
        return parsed
    }

    func previous(along paths: JSONPathSet?) -> JSONValue? {
        if let previous { return previous }
        guard let bytes = event.previous else {
            previous = .some(nil)
            return nil
        }
        if let partial = partial(bytes, along: paths) { return partial }
        let parsed = try? JSONValue(parsing: bytes)
        previous = .some(parsed)
        return parsed
    }

    private func partial(_ bytes: [UInt8], along paths: JSONPathSet?) -> JSONValue? {
        guard let paths, partialParses < Self.partialParsesBeforeWhole else { return nil }
        partialParses += 1
        return try? JSONValue(parsing: bytes, keeping: paths)
    }
}
