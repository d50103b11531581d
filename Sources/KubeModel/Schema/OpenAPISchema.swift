import Foundation

/// A CRD version's `openAPIV3Schema`, or the schema of a built-in kind, read once and then
/// used to validate, prune and default every object of that version, as the apiextensions
/// server does.
///
/// Built from JSON without failing: unknown keywords are ignored and malformed ones are
/// treated as absent, because the CRD itself was checked when it was created; a pattern that
/// does not compile is reported when a value meets it. A `$ref` is looked up in
/// `definitions` when a value meets it (see ``SchemaDefinitions``).
public struct OpenAPISchema: Sendable {
    /// The schema as given.
    public let json: JSONValue
    /// Where `$ref`s point; nil when the schema has none (CRD schemas may not use `$ref`).
    public let definitions: SchemaDefinitions?
    let root: SchemaNode

    public init(_ json: JSONValue, definitions: SchemaDefinitions? = nil) {
        self.json = json
        self.definitions = definitions
        self.root = SchemaNode(json, definitions: definitions)
    }
}

/// One level of a schema. A class so that the tree can be recursive; immutable, so sharing
/// it between threads is safe.
final class SchemaNode: Sendable {
    enum AdditionalProperties: Sendable {
        case unspecified
        case allowed(Bool)
        case schema(SchemaNode)
    }

    let types: [String]
    let nullable: Bool
    let format: String?
    let enumValues: [JSONValue]?
    let pattern: String?
    let compiledPattern: CompiledPattern?
    let minimum: JSONValue?
    let maximum: JSONValue?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool
    let multipleOf: JSONValue?
    let minLength: Int?
    let maxLength: Int?
    let minItems: Int?
    let maxItems: Int?
    let uniqueItems: Bool
    let minProperties: Int?
    let maxProperties: Int?
    let required: [String]
    let properties: [String: SchemaNode]
    /// Property names sorted, so errors and removed paths come out in a stable order.
    let propertyNames: [String]
    let items: SchemaNode?
    let additionalProperties: AdditionalProperties
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let not: SchemaNode?
    let preserveUnknownFields: Bool
    let embeddedResource: Bool
    let intOrString: Bool
    let listType: String?
    let listMapKeys: [String]
    let defaultValue: JSONValue?
    /// The definition a `$ref` names (`io.k8s.api.core.v1.PodSpec`), resolved only when a
    /// value meets this node (``resolved``), so recursive definitions cost nothing to build.
    let referenceName: String?
    /// Whether the node is a `$ref`: its other keywords, but `description` and `default`, are
    /// ignored, as OpenAPI 3.0 says.
    let isReference: Bool
    /// Unowned: the table owns the nodes it builds, and an ``OpenAPISchema`` owns the table
    /// for as long as any of its nodes can be reached.
    unowned let definitions: SchemaDefinitions?

    init(_ json: JSONValue, definitions: SchemaDefinitions? = nil) {
        let fields = json.objectValue ?? [:]
        func integer(_ key: String) -> Int? { fields[key]?.intValue.map { Int(clamping: $0) } }
        func flag(_ key: String) -> Bool { fields[key]?.boolValue ?? false }
        func node(_ value: JSONValue) -> SchemaNode { SchemaNode(value, definitions: definitions) }
        func nodes(_ key: String) -> [SchemaNode] { fields[key]?.arrayValue?.map(node) ?? [] }

        self.definitions = definitions
        if let reference = fields["$ref"] {
            isReference = true
            referenceName = reference.stringValue.flatMap(SchemaDefinitions.definitionName(fromReference:))
        } else {
            isReference = false
            referenceName = nil
        }

        intOrString = flag("x-kubernetes-int-or-string")
        if intOrString {
            types = ["integer", "string"]
        } else if let type = fields["type"]?.stringValue, !type.isEmpty {
            types = [type]
        } else {
            types = []
        }
        nullable = flag("nullable")
        format = fields["format"]?.stringValue
        enumValues = fields["enum"]?.arrayValue
        pattern = fields["pattern"]?.stringValue
        compiledPattern = pattern.map { RegexCache.shared.compile($0) }
        minimum = fields["minimum"].flatMap { $0.doubleValue == nil ? nil : $0 }
        maximum = fields["maximum"].flatMap { $0.doubleValue == nil ? nil : $0 }
        exclusiveMinimum = flag("exclusiveMinimum")
        exclusiveMaximum = flag("exclusiveMaximum")
        multipleOf = fields["multipleOf"].flatMap { ($0.doubleValue ?? 0) > 0 ? $0 : nil }
        minLength = integer("minLength")
        maxLength = integer("maxLength")
        minItems = integer("minItems")
        maxItems = integer("maxItems")
        uniqueItems = flag("uniqueItems")
        minProperties = integer("minProperties")
        maxProperties = integer("maxProperties")
        required = fields["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let properties = (fields["properties"]?.objectValue ?? [:]).mapValues(node)
        self.properties = properties
        propertyNames = properties.keys.sorted()
        items = fields["items"].flatMap { $0.objectValue == nil ? nil : node($0) }
        switch fields["additionalProperties"] {
        case .bool(let allowed)?: additionalProperties = .allowed(allowed)
        case .object(let schema)?: additionalProperties = .schema(node(.object(schema)))
        default: additionalProperties = .unspecified
        }
        allOf = nodes("allOf")
        anyOf = nodes("anyOf")
        oneOf = nodes("oneOf")
        not = fields["not"].flatMap { $0.objectValue == nil ? nil : node($0) }
        preserveUnknownFields = flag("x-kubernetes-preserve-unknown-fields")
        embeddedResource = flag("x-kubernetes-embedded-resource")
        listType = fields["x-kubernetes-list-type"]?.stringValue
        listMapKeys = fields["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        defaultValue = fields["default"]
    }
}

/// A compiled `pattern`, or why it did not compile.
///
/// `NSRegularExpression` is immutable once made and documented as safe to use from several
/// threads at once, which is what the unchecked conformance records.
struct CompiledPattern: @unchecked Sendable {
    let expression: NSRegularExpression?
    let error: String?

    func matches(_ text: String) -> Bool {
        guard let expression else { return false }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// Process-wide cache of compiled patterns: CRDs repeat the same few patterns (names,
/// quantities, durations) and a schema may be rebuilt whenever its CRD changes.
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()

    private let lock = NSLock()
    private var entries: [String: CompiledPattern] = [:]
    private let capacity = 1024

    func compile(_ pattern: String) -> CompiledPattern {
        if let cached = lock.withLock({ entries[pattern] }) { return cached }
        // Compiled outside the lock: two threads may compile the same pattern once each,
        // which is cheaper than making every lookup wait for a compilation.
        let compiled: CompiledPattern
        do {
            compiled = CompiledPattern(expression: try NSRegularExpression(pattern: pattern), error: nil)
        } catch {
            compiled = CompiledPattern(expression: nil, error: "\(error)")
        }
        lock.withLock {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[pattern] = compiled
        }
        return compiled
    }
}
