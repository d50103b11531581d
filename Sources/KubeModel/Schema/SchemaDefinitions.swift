import Foundation

/// The named schemas `$ref`s point at (`#/components/schemas/io.k8s.api.core.v1.PodSpec`),
/// turned into schema nodes one at a time, the first time a value meets them.
///
/// Building lazily is what makes recursive definitions safe: `JSONSchemaProps` refers to
/// itself through `properties`, and building it eagerly would never end. A walk over a value
/// only follows a reference when it also descends into the value, so its depth is bounded by
/// the value's (the API server bounds objects to ``JSONValue/maximumNestingDepth``). The one
/// way a reference could loop without descending — a definition that reaches itself through
/// `$ref`, `allOf`, `anyOf`, `oneOf` or `not` alone — is found before the definition is used,
/// and such a definition accepts any value (JSON Schema gives it no meaning).
///
/// Safe to share between threads: the JSON is immutable and the cache is behind a lock.
public final class SchemaDefinitions: @unchecked Sendable {
    /// The definitions as given, by name.
    public let json: [String: JSONValue]

    /// A definition once looked up: its node, or that it accepts anything (see ``target(of:)``).
    private enum Entry {
        case node(SchemaNode)
        case anything
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init(_ definitions: [String: JSONValue]) {
        self.json = definitions
    }

    /// The schema of one definition, or nil if there is none by that name.
    public func schema(named name: String) -> OpenAPISchema? {
        guard json[name] != nil else { return nil }
        return OpenAPISchema(.object(["$ref": .string(Self.referencePrefixes[0] + name)]), definitions: self)
    }

    /// The definitions `name` refers to directly, wherever in its schema (sorted).
    public func references(of name: String) -> [String] {
        guard let definition = json[name] else { return [] }
        var found = Set<String>()
        Self.collectReferences(in: definition, into: &found)
        return found.sorted()
    }

    /// `name` and every definition it reaches through references, sorted.
    public func closure(of names: [String]) -> [String] {
        var seen = Set<String>()
        var pending = names.filter { json[$0] != nil }
        while let name = pending.popLast() {
            guard seen.insert(name).inserted else { continue }
            pending.append(contentsOf: references(of: name).filter { json[$0] != nil && !seen.contains($0) })
        }
        return seen.sorted()
    }

    // MARK: Reference syntax

    /// The prefixes a local reference may have: OpenAPI 3, Swagger 2 and JSON Schema 2020-12.
    static let referencePrefixes = ["#/components/schemas/", "#/definitions/", "#/$defs/"]

    /// `io.k8s.api.core.v1.PodSpec` for `#/components/schemas/io.k8s.api.core.v1.PodSpec`;
    /// nil for a reference of another shape (remote, or into the middle of a schema).
    static func definitionName(fromReference reference: String) -> String? {
        for prefix in referencePrefixes where reference.hasPrefix(prefix) {
            let name = String(reference.dropFirst(prefix.count))
            return name.isEmpty || name.contains("/") ? nil : name
        }
        return nil
    }

    // MARK: Resolution

    /// The node a reference to `name` stands for: the definition's own schema, following a
    /// chain of bare references to its end. Nil when there is no such definition or it only
    /// reaches itself (see the type's documentation); callers then accept any value.
    func target(of name: String) -> SchemaNode? {
        switch lock.withLock({ entries[name] }) {
        case .node(let node)?: return node
        case .anything?: return nil
        case nil: break
        }
        // Built outside the lock (building never calls back here): two threads may build the
        // same definition once each, and the first one stored wins.
        var node: SchemaNode? = nil
        if let definition = json[name], !reachesItselfWithoutDescending(name) {
            // A definition that is itself a bare `$ref` is its target; the chain cannot loop,
            // which was checked just above, and has at most one hop per definition.
            var current = SchemaNode(definition, definitions: self)
            var hops = 0
            while current.isReference, hops <= json.count,
                let next = current.referenceName, let nextJSON = json[next]
            {
                current = SchemaNode(nextJSON, definitions: self)
                hops += 1
            }
            node = current.isReference ? nil : current
        }
        return lock.withLock {
            if entries[name] == nil { entries[name] = node.map(Entry.node) ?? .anything }
            if case .node(let stored)? = entries[name] { return stored }
            return nil
        }
    }

    /// Whether `name` reaches itself through `$ref`, `allOf`, `anyOf`, `oneOf` or `not`
    /// alone, that is without descending into `properties`, `items` or
    /// `additionalProperties`. Iterative, and each definition is entered once, so it ends on
    /// any input.
    public func reachesItselfWithoutDescending(_ name: String) -> Bool {
        guard let start = json[name] else { return false }
        var entered: Set<String> = []
        var pending: [JSONValue] = [start]
        while let schema = pending.popLast() {
            guard let fields = schema.objectValue else { continue }
            if let reference = fields["$ref"]?.stringValue, let target = Self.definitionName(fromReference: reference) {
                if target == name { return true }
                if entered.insert(target).inserted, let definition = json[target] { pending.append(definition) }
            }
            for keyword in ["allOf", "anyOf", "oneOf"] {
                pending.append(contentsOf: fields[keyword]?.arrayValue ?? [])
            }
            if let not = fields["not"] { pending.append(not) }
        }
        return false
    }

    /// Every reference anywhere under `schema`, walking the schema keywords that hold schemas
    /// (never the names in `properties`, which may themselves be `$ref`).
    private static func collectReferences(in schema: JSONValue, into found: inout Set<String>) {
        var pending: [JSONValue] = [schema]
        while let current = pending.popLast() {
            guard let fields = current.objectValue else { continue }
            if let reference = fields["$ref"]?.stringValue, let name = definitionName(fromReference: reference) {
                found.insert(name)
            }
            if let properties = fields["properties"]?.objectValue { pending.append(contentsOf: properties.values) }
            for keyword in ["items", "additionalProperties", "not"] {
                if let child = fields[keyword] { pending.append(child) }
            }
            for keyword in ["allOf", "anyOf", "oneOf"] {
                pending.append(contentsOf: fields[keyword]?.arrayValue ?? [])
            }
        }
    }
}
