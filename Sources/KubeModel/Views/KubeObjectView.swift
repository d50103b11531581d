import Foundation

/// A typed view of one Kubernetes object held as ``JSONValue``: named, typed accessors for
/// the fields a controller uses, over the object's own JSON.
///
/// A view keeps the whole object, not a decoded copy, so the fields it does not know (added
/// by a newer CRD, another controller or a user) survive a read-modify-write: read with
/// `Kind(json)`, change what you mean to, write `view.object` back. ``ObjectMeta+JSON`` does
/// the same for `metadata`; views forward to it.
///
/// Every view lists the paths it reads or writes in ``fieldPaths``, one place a test can hold
/// against the kind's CRD schema.
public protocol KubeObjectView: Sendable, Hashable {
    /// The wrapped object, with every field the view does not know.
    var object: JSONValue { get set }

    /// Wraps `object` as it is; nothing is validated or dropped.
    init(_ object: JSONValue)

    /// The `spec`/`status` paths the view reads or writes (metadata goes through
    /// ``ObjectMeta+JSON``; it is the same for every kind).
    static var fieldPaths: [FieldPath] { get }
}

extension KubeObjectView {
    public var name: String { object.name ?? "" }
    /// The namespace, `default` when the object names none (the API server's default).
    public var namespace: String { object.namespace ?? "default" }
    public var uid: String? { object.uid }
    public var resourceVersion: ResourceVersion? { object.resourceVersion.map { ResourceVersion($0) } }
    public var generation: Int64? { object.generation }
    public var isDeleting: Bool { object.deletionTimestamp != nil }
    public var creationDate: Date? { object[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(Timestamp.date) }

    public var labels: [String: String] {
        get { object.labels }
        set { object.labels = newValue }
    }

    public var annotations: [String: String] {
        get { object.annotations }
        set { object.annotations = newValue }
    }

    public var finalizers: [String] {
        get { object.finalizers }
        set { object.finalizers = newValue }
    }

    /// Whether an owner reference with `controller: true` names `uid`.
    public func isControlled(byUID uid: String?) -> Bool {
        guard let uid else { return false }
        return object.ownerReferences.contains { $0.uid == uid && $0.controller == true }
    }
}

/// A path of object keys from the root of an object (`status.phase`); `[]` steps into the
/// items of an array (`status.conditions[].type`), for declarations only.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The marker for "each item of the array here".
    public static let items = "[]"

    public var keys: [String]

    public init(_ keys: [String]) { self.keys = keys }

    /// Dotted text, `[]` after a key for array items: `"status.conditions[].type"`.
    public init(stringLiteral text: String) {
        keys = text.split(separator: ".").flatMap { part -> [String] in
            guard part.hasSuffix(Self.items) else { return [String(part)] }
            return part == Self.items ? [Self.items] : [String(part.dropLast(2)), Self.items]
        }
    }

    public func appending(_ more: FieldPath) -> FieldPath { FieldPath(keys + more.keys) }

    public var description: String {
        keys.reduce(into: "") { text, key in
            if key == Self.items { text += Self.items } else { text += text.isEmpty ? key : "." + key }
        }
    }
}

extension JSONValue {
    /// The value at `path` (no `[]` steps).
    public subscript(field path: FieldPath) -> JSONValue? {
        get { self[path: path.keys] }
        set {
            // Removing a field that is not there must not create its parents (`status: {}`):
            // a view that clears a field leaves an object without it unchanged.
            if newValue == nil, self[path: path.keys] == nil { return }
            self[path: path.keys] = newValue
        }
    }
}

extension FieldPath {
    /// The path as a JSON pointer (RFC 6901) for JSON patches: `/status/phase`.
    public var jsonPointer: String {
        keys.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
    }
}
