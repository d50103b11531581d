import Foundation
import KubeModel
import Yams

/// Holds a typed view's declared field paths against the schema of its kind, so a test fails
/// when a view names a field the schema does not define (a typo would otherwise read nil in
/// production, and a write would be pruned by the API server).
///
/// One walker for every schema source: a CRD's `openAPIV3Schema` (``crdSchema(file:version:)``),
/// the embedded server's built-in kinds (``builtinSchema(_:)``, nested behind `$ref`s), and the
/// real projects' documents in the shared directory (``SharedSchemas``).
public enum SchemaPaths {
    /// One schema to walk, with the definitions its `$ref`s point into (empty for a CRD, whose
    /// schema is self-contained).
    ///
    /// Holds what `JSONSerialization` and Yams produce (`[String: Any]`), hence not Sendable:
    /// load it inside the test that walks it.
    public struct Schema {
        public var root: [String: Any]
        public var definitions: [String: Any]

        public init(root: [String: Any], definitions: [String: Any] = [:]) {
            self.root = root
            self.definitions = definitions
        }
    }

    /// A schema that cannot be loaded: no file, no such version or definition.
    public struct SchemaMissing: Error, CustomStringConvertible {
        public var description: String
    }

    /// The package's `Sources` folder, found from this file.
    public static let sourcesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// Every folder the product installs CRDs from: `Sources/<Module>/CRDs`, beside the module
    /// that owns the kind (wherever the files live now, the search finds them).
    public static func crdDirectories() throws -> [URL] {
        let modules = try FileManager.default.contentsOfDirectory(at: sourcesDirectory, includingPropertiesForKeys: nil)
        return modules.map { $0.appendingPathComponent("CRDs") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
            .sorted { $0.path < $1.path }
    }

    /// The CRD file `file` (`kubevirt.io_virtualmachines.yaml`) in whichever module's `CRDs`
    /// folder holds it; more than one is an error (two definitions of a kind).
    public static func crdFile(_ file: String) throws -> URL {
        let found = try crdDirectories().map { $0.appendingPathComponent(file) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        guard found.count == 1, let url = found.first else {
            throw SchemaMissing(
                description: found.isEmpty
                    ? "no CRD file \(file) in Sources/*/CRDs"
                    : "CRD file \(file) in several places: \(found.map(\.path))")
        }
        return url
    }

    /// `openAPIV3Schema` of `version` in the product's CRD file `file` (``crdFile(_:)``).
    public static func crdSchema(file: String, version: String) throws -> Schema {
        try crdSchema(at: crdFile(file), version: version)
    }

    /// `openAPIV3Schema` of `version` in the CRD manifest at `url`.
    public static func crdSchema(at url: URL, version: String) throws -> Schema {
        let text = try String(contentsOf: url, encoding: .utf8)
        for document in try Yams.load_all(yaml: text) {
            guard let crd = document as? [String: Any], crd["kind"] as? String == "CustomResourceDefinition",
                let versions = (crd["spec"] as? [String: Any])?["versions"] as? [[String: Any]]
            else { continue }
            for entry in versions where entry["name"] as? String == version {
                if let schema = (entry["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any] {
                    return Schema(root: schema)
                }
            }
        }
        throw SchemaMissing(description: "no openAPIV3Schema for version \(version) in \(url.path)")
    }

    /// The embedded server's schema of a built-in kind (`io.k8s.api.core.v1.Pod`), from
    /// `Sources/KubeServer/Schemas/builtin-1.32.json`.
    public static func builtinSchema(_ definition: String) throws -> Schema {
        let file = sourcesDirectory.appendingPathComponent("KubeServer/Schemas/builtin-1.32.json")
        return try definitionSchema(definition, inSwagger: file)
    }

    /// Definition `definition` of an OpenAPI v2 (swagger) document, or a document with a
    /// top-level `definitions` object, with the rest of its definitions for `$ref`s.
    public static func definitionSchema(_ definition: String, inSwagger file: URL) throws -> Schema {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        guard let definitions = document?["definitions"] as? [String: Any],
            let root = definitions[definition] as? [String: Any]
        else {
            throw SchemaMissing(description: "no definition \(definition) in \(file.path)")
        }
        return Schema(root: root, definitions: definitions)
    }

    /// The paths of `paths` that lead nowhere in `schema`.
    public static func missing(_ paths: [FieldPath], in schema: Schema) -> [FieldPath] {
        paths.filter { !has(schema, $0) }
    }

    /// Whether `path` leads somewhere in `schema`: each key a named property, an item of an
    /// array (`[]`), or a key of a map (`additionalProperties`), following `$ref`s (to
    /// `#/definitions/<name>` or `#/components/schemas/<name>`) and `allOf`/`anyOf`/`oneOf`
    /// branches.
    ///
    /// A path may end at an `x-kubernetes-preserve-unknown-fields` object but not go past it
    /// (unless the object also names properties): that marker accepts any key, so accepting
    /// keys under it would let every typo through. Declare the unschematized object itself.
    public static func has(_ schema: Schema, _ path: FieldPath) -> Bool {
        has(schema.root, path.keys[...], definitions: schema.definitions, depth: 0)
    }

    /// `$ref` chains deeper than this are taken as a cycle.
    private static let maximumDepth = 64

    private static func has(
        _ node: [String: Any], _ keys: ArraySlice<String>, definitions: [String: Any],
        depth: Int
    ) -> Bool {
        guard depth < maximumDepth else { return false }
        if let reference = node["$ref"] as? String {
            guard let name = reference.split(separator: "/").last,
                let target = definitions[String(name)] as? [String: Any]
            else { return false }
            // A `$ref` beside other keywords (`description`, `default`): the target is the schema.
            return has(target, keys, definitions: definitions, depth: depth + 1)
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if let branches = node[combinator] as? [[String: Any]],
                branches.contains(where: { has($0, keys, definitions: definitions, depth: depth + 1) })
            {
                return true
            }
        }
        guard let key = keys.first else { return true }
        let rest = keys.dropFirst()
        if key == FieldPath.items {
            guard let items = node["items"] as? [String: Any] else { return false }
            return has(items, rest, definitions: definitions, depth: depth + 1)
        }
        if let property = (node["properties"] as? [String: Any])?[key] as? [String: Any] {
            return has(property, rest, definitions: definitions, depth: depth + 1)
        }
        if let values = node["additionalProperties"] as? [String: Any] {
            return has(values, rest, definitions: definitions, depth: depth + 1)
        }
        // `additionalProperties: true`: any key, of a value nothing is known about.
        if node["additionalProperties"] as? Bool == true { return rest.isEmpty }
        return false
    }
}
