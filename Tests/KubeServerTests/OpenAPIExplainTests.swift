import KubeModel
import Testing

@testable import KubeServer

/// `kubectl explain` reads `/openapi/v3`: every built-in kind must be there with its
/// description and fields, and everything its schema refers to must be in the same document.
@Suite struct OpenAPIExplainTests {
    @Test func everyBuiltinKindHasADescribedSchemaWhoseReferencesResolve() throws {
        let registry = ResourceRegistry()
        let documents = OpenAPIDocuments(registry: registry)
        var checked = 0
        for (group, versions) in registry.groups() {
            for version in versions {
                let path = group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
                let document = try #require(documents.document(for: path), "\(path)")
                let schemas = try #require(document[path: ["components", "schemas"]]?.objectValue)
                for resource in registry.resources(apiVersion: group.isEmpty ? version : "\(group)/\(version)")
                where resource.schema == nil {
                    let kindSchema = schemas.values.first { schema in
                        schema["x-kubernetes-group-version-kind"]?.arrayValue?.contains {
                            $0["kind"]?.stringValue == resource.kind && $0["group"]?.stringValue == group
                        } ?? false
                    }
                    let schema = try #require(kindSchema, "\(resource.kind) in \(path)")
                    #expect(schema["description"]?.stringValue?.isEmpty == false, "\(resource.kind) has no description")
                    #expect(schema["properties"]?.objectValue?.isEmpty == false, "\(resource.kind) has no fields")
                    checked += 1
                }
                for reference in Self.references(in: document) {
                    #expect(schemas[String(reference.dropFirst("#/components/schemas/".count))] != nil, "\(path): \(reference)")
                }
            }
        }
        // Kubernetes 1.32 stores more than fifty built-in kinds.
        #expect(checked > 50)
    }

    private static func references(in value: JSONValue) -> Set<String> {
        switch value {
        case .object(let fields):
            var found = fields.values.reduce(into: Set<String>()) { $0.formUnion(references(in: $1)) }
            if let reference = fields["$ref"]?.stringValue { found.insert(reference) }
            return found
        case .array(let items): return items.reduce(into: Set<String>()) { $0.formUnion(references(in: $1)) }
        default: return []
        }
    }
}
