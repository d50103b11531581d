import Foundation
import KubeModel

/// The OpenAPI schemas of the built-in kinds, Kubernetes 1.32's own, read once from
/// `Schemas/builtin-1.32.json` (written by `scripts/generate-builtin-schemas.py` from the
/// PyPI package kubernetes-validate). Admission decodes built-in objects with them as Go
/// would (``OpenAPISchema/decodeTyped(_:typeName:)``), and `/openapi/v3` serves them, so
/// `kubectl explain pods.spec` has real answers.
struct BuiltinSchemas: Sendable {
    /// A kind's place in the file.
    struct KindKey: Hashable, Sendable {
        var group: String
        var version: String
        var kind: String
    }

    let definitions: SchemaDefinitions
    /// The definition of each kind (`io.k8s.api.core.v1.Pod`).
    let kindDefinitions: [KindKey: String]
    private let schemas: [KindKey: OpenAPISchema]

    /// Loaded on first use. The file is part of the build: if it cannot be read the binary
    /// is broken, and saying so at once beats serving built-in kinds unchecked.
    static let shared: BuiltinSchemas = {
        do {
            return try BuiltinSchemas(contentsOf: resourceURL())
        } catch {
            fatalError("the built-in kinds' schemas (Schemas/builtin-1.32.json) cannot be read: \(error)")
        }
    }()

    static func resourceURL() throws(BuiltinSchemasError) -> URL {
        guard let url = Bundle.module.url(forResource: "builtin-1.32", withExtension: "json") else {
            throw BuiltinSchemasError(problem: "builtin-1.32.json is not in KubeServer's resource bundle")
        }
        return url
    }

    init(contentsOf url: URL) throws(BuiltinSchemasError) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw BuiltinSchemasError(problem: "\(url.path): \(error)")
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes, maximumDepth: JSONValue.maximumReadDepth)
        } catch {
            throw BuiltinSchemasError(problem: "\(url.path) is not JSON: \(error)")
        }
        try self.init(document: document)
    }

    init(document: JSONValue) throws(BuiltinSchemasError) {
        guard let definitions = document["definitions"]?.objectValue, let kinds = document["kinds"]?.arrayValue else {
            throw BuiltinSchemasError(problem: "expected {\"kinds\": [...], \"definitions\": {...}}")
        }
        self.definitions = SchemaDefinitions(definitions)
        var kindDefinitions: [KindKey: String] = [:]
        var schemas: [KindKey: OpenAPISchema] = [:]
        for entry in kinds {
            guard let version = entry["version"]?.stringValue, let kind = entry["kind"]?.stringValue,
                let name = entry["definition"]?.stringValue, let schema = self.definitions.schema(named: name)
            else {
                throw BuiltinSchemasError(problem: "kind entry \(entry.serializedString()) names no definition in the file")
            }
            let key = KindKey(group: entry["group"]?.stringValue ?? "", version: version, kind: kind)
            kindDefinitions[key] = name
            schemas[key] = schema
        }
        self.kindDefinitions = kindDefinitions
        self.schemas = schemas
    }

    /// The schema of a built-in resource's kind, or nil for kinds the file does not hold
    /// (and for custom resources, which carry their own).
    func schema(for resource: APIResource) -> OpenAPISchema? {
        guard resource.schema == nil else { return nil }
        return schemas[KindKey(group: resource.group, version: resource.version, kind: resource.kind)]
    }

    func definitionName(for resource: APIResource) -> String? {
        guard resource.schema == nil else { return nil }
        return kindDefinitions[KindKey(group: resource.group, version: resource.version, kind: resource.kind)]
    }
}

/// The schema file is missing or malformed (a broken build, never a client's doing).
struct BuiltinSchemasError: Error, CustomStringConvertible {
    var problem: String
    var description: String { problem }
}
