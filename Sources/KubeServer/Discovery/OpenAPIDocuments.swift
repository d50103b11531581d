import Foundation
import KubeModel

/// `/openapi/v3`: an index of group versions and one OpenAPI 3 document per group version.
///
/// Built-in kinds carry Kubernetes 1.32's own schemas (``BuiltinSchemas``) under their
/// Kubernetes names, with every definition they refer to, so `kubectl explain pods.spec`
/// reads real descriptions; custom resources carry their CRD's schema.
///
/// kubectl reads these to decide whether the server validates fields itself: each PATCH
/// operation carries `x-kubernetes-group-version-kind`, `x-kubernetes-action` and the
/// `fieldValidation` parameter, so kubectl sends `fieldValidation=Strict` and leaves the
/// checking to us. The PATCH request bodies deliberately omit the strategic-merge media
/// type: kubectl then computes strategic patches from its compiled-in types, whose merge
/// keys are exact, rather than from these loose schemas.
struct OpenAPIDocuments: Sendable {
    let registry: ResourceRegistry

    func index() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (group, versions) in registry.groups() {
            for version in versions {
                let path = group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
                let hash = Self.hash(document(for: path)?.serialized() ?? [])
                paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
            }
        }
        return ["paths": .object(paths)]
    }

    func document(for path: String) -> JSONValue? {
        let segments = path.split(separator: "/").map(String.init)
        let group: String
        let version: String
        switch (segments.first, segments.count) {
        case ("api", 2): (group, version) = ("", segments[1])
        case ("apis", 3): (group, version) = (segments[1], segments[2])
        default: return nil
        }
        let apiVersion = group.isEmpty ? version : "\(group)/\(version)"
        let resources = registry.resources(apiVersion: apiVersion)
        guard !resources.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        var builtinKinds: [String] = []
        for resource in resources {
            let gvk: JSONValue = ["group": .string(group), "version": .string(version), "kind": .string(resource.kind)]
            let schemaName: String
            var schema: JSONValue
            if let definition = BuiltinSchemas.shared.definitionName(for: resource),
                let served = Self.builtinDefinitions[definition]
            {
                // Kubernetes' own schema, under Kubernetes' own name, with what it refers to.
                schemaName = definition
                schema = served
                builtinKinds.append(definition)
            } else {
                schemaName = Self.schemaName(resource)
                schema = resource.schema ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
            }
            let reference: JSONValue = ["$ref": .string("#/components/schemas/\(schemaName)")]
            schema["x-kubernetes-group-version-kind"] = [gvk]
            schemas[schemaName] = schema
            let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
            let collection =
                resource.namespaced
                ? "\(prefix)/namespaces/{namespace}/\(resource.resource)" : "\(prefix)/\(resource.resource)"
            let item = "\(collection)/{name}"
            let jsonBody: JSONValue = ["content": ["application/json": ["schema": reference]]]
            let patchBody: JSONValue = [
                "content": [
                    "application/json-patch+json": ["schema": ["type": "object"]],
                    "application/merge-patch+json": ["schema": ["type": "object"]],
                    "application/apply-patch+yaml": ["schema": ["type": "object"]],
                ]
            ]
            let responses: JSONValue = ["200": ["description": "OK", "content": ["application/json": ["schema": reference]]]]
            func operation(_ action: String, _ id: String, body: JSONValue? = nil, validation: Bool = false) -> JSONValue {
                var parameters: [JSONValue] = [["name": "dryRun", "in": "query", "schema": ["type": "string"]]]
                if validation {
                    parameters.append(["name": "fieldValidation", "in": "query", "schema": ["type": "string"]])
                    parameters.append(["name": "fieldManager", "in": "query", "schema": ["type": "string"]])
                }
                var op: JSONValue = [
                    "operationId": .string("\(id)\(resource.kind)"), "x-kubernetes-action": .string(action),
                    "x-kubernetes-group-version-kind": gvk, "parameters": .array(parameters), "responses": responses,
                ]
                if let body { op["requestBody"] = body }
                return op
            }
            paths[collection] = [
                "get": operation("list", "list"),
                "post": operation("post", "create", body: jsonBody, validation: true),
                "delete": operation("deletecollection", "deleteCollection"),
            ]
            paths[item] = [
                "get": operation("get", "read"),
                "put": operation("put", "replace", body: jsonBody, validation: true),
                "patch": operation("patch", "patch", body: patchBody, validation: true),
                "delete": operation("delete", "delete"),
            ]
        }
        for name in BuiltinSchemas.shared.definitions.closure(of: builtinKinds) where schemas[name] == nil {
            schemas[name] = Self.builtinDefinitions[name]
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes (Virtyard embedded)", "version": .string(Discovery.kubernetesVersion.git)],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    /// The built-in definitions as kube-apiserver publishes them: a property of a named
    /// type is `allOf: [{$ref}]` beside its own `description`, so `kubectl explain` prints
    /// both the field's text and the type's, as it does against a real cluster.
    static let builtinDefinitions: [String: JSONValue] =
        BuiltinSchemas.shared.definitions.json.mapValues(wrappingReferences)

    static func wrappingReferences(_ schema: JSONValue) -> JSONValue {
        guard var fields = schema.objectValue else { return schema }
        if let reference = fields.removeValue(forKey: "$ref") {
            fields["allOf"] = [["$ref": reference]]
            return .object(fields)
        }
        if let properties = fields["properties"]?.objectValue {
            fields["properties"] = .object(properties.mapValues(wrappingReferences))
        }
        for keyword in ["items", "additionalProperties", "not"] {
            if let child = fields[keyword], child.objectValue != nil { fields[keyword] = wrappingReferences(child) }
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            if let children = fields[keyword]?.arrayValue { fields[keyword] = .array(children.map(wrappingReferences)) }
        }
        return .object(fields)
    }

    private static func schemaName(_ resource: APIResource) -> String {
        if resource.group.isEmpty { return "io.k8s.api.core.\(resource.version).\(resource.kind)" }
        let reversed = resource.group.split(separator: ".").reversed().joined(separator: ".")
        return "\(reversed).\(resource.version).\(resource.kind)"
    }

    private static func hash(_ bytes: [UInt8]) -> String {
        // FNV-1a: the hash only has to change when the document does (clients cache by URL).
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
        return String(value, radix: 16, uppercase: true)
    }
}
