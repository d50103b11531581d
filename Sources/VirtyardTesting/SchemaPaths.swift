import Foundation
import KubeModel
import Yams

/// Holds a typed view's declared field paths against the schema of its kind, so a test fails
/// when a view names a field the CRD does not define (a typo would otherwise read nil in
/// production, and a write would be pruned by the API server).
public enum SchemaPaths {
    /// The CRDs the server installs: `Sources/VirtyardServer/CRDs`, found from this file.
    public static let crdDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VirtyardServer/CRDs")

    /// A CRD file without a schema for the version asked for.
    public struct SchemaMissing: Error, CustomStringConvertible {
        public var file: String
        public var version: String
        public var description: String { "no openAPIV3Schema for version \(version) in \(file)" }
    }

    /// `openAPIV3Schema` of `version` in the CRD file `file` of ``crdDirectory``.
    public static func crdSchema(file: String, version: String) throws -> [String: Any] {
        let text = try String(contentsOf: crdDirectory.appendingPathComponent(file), encoding: .utf8)
        for document in try Yams.load_all(yaml: text) {
            guard let crd = document as? [String: Any], crd["kind"] as? String == "CustomResourceDefinition",
                  let versions = (crd["spec"] as? [String: Any])?["versions"] as? [[String: Any]] else { continue }
            for entry in versions where entry["name"] as? String == version {
                if let schema = (entry["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any] { return schema }
            }
        }
        throw SchemaMissing(file: file, version: version)
    }

    /// The paths of `paths` that lead nowhere in `schema`.
    public static func missing(_ paths: [FieldPath], in schema: [String: Any]) -> [FieldPath] {
        paths.filter { !has(schema, $0) }
    }

    /// Whether `path` leads somewhere in `schema`: each key a named property, an item of an
    /// array (`[]`), or a key of a map (`additionalProperties`). Nothing else is accepted — in
    /// particular not `x-kubernetes-preserve-unknown-fields`, which would let any typo through.
    public static func has(_ schema: [String: Any], _ path: FieldPath) -> Bool {
        has(schema, path.keys[...])
    }

    private static func has(_ schema: [String: Any], _ keys: ArraySlice<String>) -> Bool {
        guard let key = keys.first else { return true }
        let rest = keys.dropFirst()
        if key == FieldPath.items {
            guard let items = schema["items"] as? [String: Any] else { return false }
            return has(items, rest)
        }
        if let property = (schema["properties"] as? [String: Any])?[key] as? [String: Any] {
            return has(property, rest)
        }
        if let values = schema["additionalProperties"] as? [String: Any] {
            return has(values, rest)
        }
        return false
    }
}
