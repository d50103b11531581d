import KubeModel

/// An in-memory copy of a set of objects, keyed by ``ObjectKey`` and indexed by any number of
/// index functions: client-go's `cache.Indexer` as a value type.
///
/// Reconcilers read from it instead of the API server. It is a value, so a snapshot taken from
/// an ``Informer`` is consistent (every index agrees with every object) and costs nothing until
/// the informer changes its copy. Two indexes are always present: ``namespaceIndex`` and
/// ``labelIndex``; ``addIndex(_:_:)`` adds custom ones (for example pods by `spec.nodeName`).
public struct Indexer: Sendable {
    /// Computes the values under which an object is indexed; an object may have several (every
    /// label) or none (a cluster-scoped object in the namespace index).
    public typealias IndexFunction = @Sendable (JSONValue) -> [String]

    /// Index of namespaced objects by namespace name.
    public static let namespaceIndex = "namespace"
    /// Index of objects by label, one value per label, written `key=value`.
    public static let labelIndex = "label"

    private var objects: [ObjectKey: JSONValue] = [:]
    private var functions: [String: IndexFunction] = [:]
    /// Index name → indexed value → keys of the objects with that value.
    private var indices: [String: [String: Set<ObjectKey>]] = [:]

    /// An empty indexer with the built-in namespace and label indexes.
    public init() {
        functions[Self.namespaceIndex] = { object in object.namespace.map { [$0] } ?? [] }
        functions[Self.labelIndex] = { object in object.labels.map { "\($0.key)=\($0.value)" } }
        indices = [Self.namespaceIndex: [:], Self.labelIndex: [:]]
    }

    /// Number of objects held.
    public var count: Int { objects.count }
    /// True when no object is held.
    public var isEmpty: Bool { objects.isEmpty }

    /// Every key, sorted.
    public var keys: [ObjectKey] { objects.keys.sorted() }

    /// The names of the indexes this indexer maintains.
    public var indexNames: [String] { functions.keys.sorted() }

    /// The object with this key, if held.
    public subscript(key: ObjectKey) -> JSONValue? { objects[key] }

    /// Every object, sorted by key so that listings are stable.
    public func list() -> [JSONValue] {
        objects.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Objects in one namespace (or every object for nil) that match a label selector.
    public func list(namespace: String?, matching selector: LabelSelector = .everything) -> [JSONValue] {
        let candidates = namespace.map { byIndex(Self.namespaceIndex, $0) } ?? list()
        guard !selector.isEmpty else { return candidates }
        return candidates.filter { selector.matches($0.labels) }
    }

    /// Objects whose index function returned `value` for the index `name`; empty for an
    /// unknown index.
    public func byIndex(_ name: String, _ value: String) -> [JSONValue] {
        keys(inIndex: name, value: value).compactMap { objects[$0] }
    }

    /// Keys of the objects whose index function returned `value` for the index `name`, sorted.
    public func keys(inIndex name: String, value: String) -> [ObjectKey] {
        (indices[name]?[value] ?? []).sorted()
    }

    /// The values present in an index, sorted.
    public func indexedValues(_ name: String) -> [String] {
        (indices[name] ?? [:]).keys.sorted()
    }

    /// Adds (or replaces) an index and computes it for the objects already held.
    public mutating func addIndex(_ name: String, _ function: @escaping IndexFunction) {
        functions[name] = function
        var index: [String: Set<ObjectKey>] = [:]
        for (key, object) in objects {
            for value in function(object) { index[value, default: []].insert(key) }
        }
        indices[name] = index
    }

    /// Stores an object (replacing the one with the same key); returns the object it replaced.
    /// Objects without a name are refused and nil is returned.
    @discardableResult
    public mutating func upsert(_ object: JSONValue) -> JSONValue? {
        guard let key = ObjectKey(object) else { return nil }
        let previous = objects.updateValue(object, forKey: key)
        if let previous { unindex(previous, key: key) }
        index(object, key: key)
        return previous
    }

    /// Removes the object with the key; returns it.
    @discardableResult
    public mutating func remove(_ key: ObjectKey) -> JSONValue? {
        guard let previous = objects.removeValue(forKey: key) else { return nil }
        unindex(previous, key: key)
        return previous
    }

    private mutating func index(_ object: JSONValue, key: ObjectKey) {
        for (name, function) in functions {
            for value in function(object) { indices[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private mutating func unindex(_ object: JSONValue, key: ObjectKey) {
        for (name, function) in functions {
            for value in function(object) {
                indices[name]?[value]?.remove(key)
                if indices[name]?[value]?.isEmpty == true { indices[name]?[value] = nil }
            }
        }
    }
}
