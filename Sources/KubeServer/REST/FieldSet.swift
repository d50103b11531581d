import KubeModel

/// A set of fields of an object, as server-side apply records who owns what
/// (`metadata.managedFields[].fieldsV1`, structured-merge-diff's `fieldpath.Set`).
///
/// Each member is a path of elements: `f:<name>` (a field of an object or a key of a map),
/// `k:<json>` (the element of a keyed list whose merge key has that value), `v:<json>` (an
/// element of a set of scalars), and `.` (the list element itself, beside its fields).
/// As `FieldsV1` the set is a trie of JSON objects whose empty objects are the members.
struct FieldSet: Equatable, Sendable {
    typealias Path = [String]

    private(set) var members: Set<Path>

    init(_ members: Set<Path> = []) { self.members = members }

    var isEmpty: Bool { members.isEmpty }

    func union(_ other: FieldSet) -> FieldSet { FieldSet(members.union(other.members)) }
    func subtracting(_ other: FieldSet) -> FieldSet { FieldSet(members.subtracting(other.members)) }
    func intersection(_ other: FieldSet) -> FieldSet { FieldSet(members.intersection(other.members)) }
    mutating func remove(_ path: Path) { members.remove(path) }

    // MARK: FieldsV1

    /// Reads `fieldsV1`. Anything that is not an object of objects is no member (a
    /// hand-written entry cannot make the server fail).
    init(fieldsV1: JSONValue?) {
        var members: Set<Path> = []
        func walk(_ node: JSONValue, _ path: Path) {
            guard let children = node.objectValue, path.count <= JSONValue.maximumNestingDepth else { return }
            if children.isEmpty {
                if !path.isEmpty { members.insert(path) }
                return
            }
            for (element, child) in children { walk(child, path + [element]) }
        }
        if let fieldsV1 { walk(fieldsV1, []) }
        self.members = members
    }

    /// The set as `fieldsV1`.
    var fieldsV1: JSONValue {
        var root: JSONValue = [:]
        for path in members {
            root[path: path] = root[path: path] ?? [:]
        }
        return root
    }

    // MARK: The fields of an applied configuration

    /// Metadata the server owns, never part of what a manager applies (structured-merge-diff's
    /// strip set in kube-apiserver).
    static let serverOwnedMetadata: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "selfLink", "managedFields",
    ]

    /// The fields an applied configuration sets. Lists are read with the merge keys of
    /// ``StrategicMergeKeys``: keyed lists by element, sets of scalars by value, every other
    /// list as one (atomic) field. `apiVersion`, `kind`, `status` and the server's metadata
    /// are left out.
    init(applied configuration: JSONValue) {
        var members: Set<Path> = []
        for (key, value) in configuration.objectValue ?? [:] {
            switch key {
            case "apiVersion", "kind", "status": continue
            case "metadata":
                for (field, member) in value.objectValue ?? [:] where !Self.serverOwnedMetadata.contains(field) {
                    Self.collect(member, field: field, under: ["metadata"], prefix: ["f:metadata"], into: &members)
                }
            default:
                Self.collect(value, field: key, under: [], prefix: [], into: &members)
            }
        }
        self.members = members
    }

    /// Adds the members `value`, stored under `field`, contributes. `under` is the path of
    /// object keys that ``StrategicMergeKeys`` reads; `prefix` the set path so far.
    private static func collect(
        _ value: JSONValue, field: String, under: [String], prefix: Path, into members: inout Set<Path>
    ) {
        let path = prefix + ["f:\(field)"]
        guard path.count <= JSONValue.maximumNestingDepth else { return }
        switch value {
        case .null:
            return
        case .object(let fields) where !fields.isEmpty:
            for (key, child) in fields {
                collect(child, field: key, under: under + [field], prefix: path, into: &members)
            }
        case .array(let items) where !items.isEmpty:
            switch StrategicMergeKeys.strategy(forField: field, under: under) {
            case .merge(let key):
                for item in items {
                    guard let element = item.objectValue, let identity = element[key] else {
                        members.insert(path)
                        return
                    }
                    let elementPath = path + [keyElement(Self.identity(of: element, key: key, identity, field: field))]
                    members.insert(elementPath + ["."])
                    for (child, childValue) in element {
                        collect(childValue, field: child, under: under + [field], prefix: elementPath, into: &members)
                    }
                }
            case .mergePrimitives:
                for item in items { members.insert(path + ["v:" + GoJSON.string(item)]) }
            case .replace:
                members.insert(path)
            }
        default:
            members.insert(path)
        }
    }

    /// The key fields of a keyed list element: the merge key, and for ports the protocol
    /// too (defaulted to TCP), as kube-apiserver keys `ports` (`containerPort`+`protocol`,
    /// `port`+`protocol`).
    static func identity(of element: [String: JSONValue], key: String, _ value: JSONValue, field: String) -> JSONValue {
        var keys: [String: JSONValue] = [key: value]
        if field == "ports" { keys["protocol"] = element["protocol"] ?? "TCP" }
        return .object(keys)
    }

    static func keyElement(_ keys: JSONValue) -> String {
        "k:" + GoJSON.string(keys)
    }

    // MARK: Reading and removing a member in an object

    /// The value a member names in `object`, nil when it is not there. `.` names the list
    /// element it sits in.
    static func value(at path: Path, in object: JSONValue) -> JSONValue? {
        var current = object
        for element in path where element != "." {
            guard let next = child(element, of: current) else { return nil }
            current = next
        }
        return current
    }

    private static func child(_ element: String, of value: JSONValue) -> JSONValue? {
        if element.hasPrefix("f:") { return value[String(element.dropFirst(2))] }
        guard let items = value.arrayValue, let index = index(of: element, in: items) else { return nil }
        return items[index]
    }

    /// Where a `k:` or `v:` element sits in a list.
    private static func index(of element: String, in items: [JSONValue]) -> Int? {
        guard let identity = try? JSONValue(parsing: Array(element.utf8.dropFirst(2))) else { return nil }
        if element.hasPrefix("v:") { return items.firstIndex(of: identity) }
        guard element.hasPrefix("k:"), let keys = identity.objectValue else { return nil }
        // A port's protocol may be left out of the object; its key says TCP then.
        return items.firstIndex { item in
            keys.allSatisfy { key, value in (item[key] ?? (key == "protocol" ? "TCP" : nil)) == value }
        }
    }

    /// Removes what a member names from `object`: a field, a list element (`k:`/`v:`, or
    /// `.` for the element it sits in), or a whole atomic list.
    static func remove(_ path: Path, from object: inout JSONValue) {
        var path = path
        if path.last == "." { path.removeLast() }
        guard let last = path.last else { return }
        let parentPath = Array(path.dropLast())
        func edit(_ value: inout JSONValue, _ remaining: ArraySlice<String>) {
            guard let element = remaining.first else {
                if last.hasPrefix("f:"), case .object(var fields) = value {
                    fields[String(last.dropFirst(2))] = nil
                    value = .object(fields)
                } else if case .array(var items) = value, let index = index(of: last, in: items) {
                    items.remove(at: index)
                    value = .array(items)
                }
                return
            }
            if element.hasPrefix("f:") {
                let name = String(element.dropFirst(2))
                guard case .object(var fields) = value, var child = fields[name] else { return }
                fields[name] = nil // Edited in place, not copied.
                edit(&child, remaining.dropFirst())
                fields[name] = child
                value = .object(fields)
            } else if case .array(var items) = value, let index = index(of: element, in: items) {
                edit(&items[index], remaining.dropFirst())
                value = .array(items)
            }
        }
        edit(&object, parentPath[...])
    }

    // MARK: Printing

    /// A member as structured-merge-diff prints it in conflict messages:
    /// `.spec.template.spec.containers[name="nginx"].image`, `[=value]` for set elements.
    static func display(_ path: Path) -> String {
        var text = ""
        for element in path where element != "." {
            let body = String(element.dropFirst(2))
            if element.hasPrefix("f:") {
                text += "." + body
            } else if element.hasPrefix("v:") {
                text += "[=" + body + "]"
            } else if element.hasPrefix("k:"), let keys = (try? JSONValue(parsing: Array(body.utf8)))?.objectValue {
                text += "[" + keys.keys.sorted().map { "\($0)=\(GoJSON.string(keys[$0] ?? .null))" }.joined(separator: ",") + "]"
            } else {
                text += "[" + body + "]"
            }
        }
        return text
    }
}
