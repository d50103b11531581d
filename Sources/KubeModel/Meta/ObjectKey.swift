/// The identity of one object inside one resource: its namespace (nil for cluster-scoped
/// objects) and its name.
///
/// Work queues carry keys, not objects, because reconcilers are level-triggered: by the time a
/// key is processed the object may have changed again, so the reconciler reads the current
/// state from the cache instead of trusting a copy taken when the event fired. The text form
/// is client-go's `namespace/name` (just `name` when cluster-scoped), which is also how the
/// ``Indexer`` keys its objects.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The namespace; nil for cluster-scoped objects. An empty namespace is stored as nil so that
    /// the two spellings of "no namespace" compare equal.
    public var namespace: String?
    /// The object's `metadata.name`.
    public var name: String

    /// A key; an empty namespace means cluster-scoped, like nil.
    public init(namespace: String?, name: String) {
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.name = name
    }

    /// The key of an object, read from its `metadata`; nil when the object has no name.
    public init?(_ object: JSONValue) {
        guard let name = object.name, !name.isEmpty else { return nil }
        self.init(namespace: object.namespace, name: name)
    }

    /// Parses `namespace/name` or `name`; nil for text with more than one `/` or an empty part.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty:
            self.init(namespace: nil, name: String(parts[0]))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            self.init(namespace: String(parts[0]), name: String(parts[1]))
        default:
            return nil
        }
    }

    /// `namespace/name`, or `name` for a cluster-scoped object.
    public var description: String {
        if let namespace { return "\(namespace)/\(name)" }
        return name
    }

    /// Orders by namespace (cluster-scoped first), then name, so that listings are stable.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        if lhs.namespace != rhs.namespace { return (lhs.namespace ?? "") < (rhs.namespace ?? "") }
        return lhs.name < rhs.name
    }
}
