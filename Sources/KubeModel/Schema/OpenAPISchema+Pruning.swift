import Foundation

extension OpenAPISchema {
    /// Drops every field the schema does not declare, as the apiextensions server does before
    /// storing a custom resource, and says which paths went (`spec.foo`,
    /// `spec.items[0].bar`) so the server can refuse them under `fieldValidation=Strict`
    /// (`unknown field "spec.foo"`) or warn about them otherwise.
    ///
    /// Kept regardless of the schema: `apiVersion`, `kind` and `metadata` at the root and in
    /// objects marked `x-kubernetes-embedded-resource`; everything unknown below
    /// `x-kubernetes-preserve-unknown-fields: true`. `metadata` is kept whole, because the
    /// server checks object metadata itself.
    public func prune(_ value: JSONValue) -> (pruned: JSONValue, removedPaths: [String]) {
        var removed: [String] = []
        let pruned = root.prune(value, path: "", isResourceRoot: true, removed: &removed)
        return (pruned, removed)
    }

    /// Fills in `default` values for missing properties, recursively, but only inside objects
    /// that exist — a default never creates its parent. As in Kubernetes, a `null` for a
    /// property that is not `nullable` counts as missing: it takes the default, or is
    /// dropped when there is none.
    public func applyDefaults(_ value: JSONValue) -> JSONValue {
        root.applyDefaults(value)
    }
}

extension SchemaNode {
    private static let resourceKeys: Set<String> = ["apiVersion", "kind", "metadata"]

    func prune(_ value: JSONValue, path: String, isResourceRoot: Bool, removed: inout [String]) -> JSONValue {
        if isReference { return resolved.prune(value, path: path, isResourceRoot: isResourceRoot, removed: &removed) }
        switch value {
        case .object(let fields):
            let keepsResourceKeys = isResourceRoot || embeddedResource
            var result: [String: JSONValue] = [:]
            for key in fields.keys.sorted() {
                guard let child = fields[key] else { continue }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if keepsResourceKeys && Self.resourceKeys.contains(key) {
                    if key != "metadata", let schema = properties[key] {
                        result[key] = schema.prune(child, path: childPath, isResourceRoot: false, removed: &removed)
                    } else {
                        result[key] = child
                    }
                    continue
                }
                if let schema = properties[key] {
                    result[key] = schema.prune(child, path: childPath, isResourceRoot: false, removed: &removed)
                    continue
                }
                switch additionalProperties {
                case .schema(let schema):
                    result[key] = schema.prune(child, path: childPath, isResourceRoot: false, removed: &removed)
                    continue
                case .allowed(true):
                    result[key] = child
                    continue
                case .allowed(false), .unspecified:
                    break
                }
                if preserveUnknownFields {
                    result[key] = child
                } else {
                    removed.append(childPath)
                }
            }
            return .object(result)
        case .array(let elements):
            guard let schema = items else { return value }
            var result: [JSONValue] = []
            result.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                result.append(schema.prune(element, path: "\(path)[\(index)]", isResourceRoot: false, removed: &removed))
            }
            return .array(result)
        default:
            return value
        }
    }

    func applyDefaults(_ value: JSONValue) -> JSONValue {
        if isReference { return resolved.applyDefaults(value) }
        switch value {
        case .object(var fields):
            for name in propertyNames {
                guard let schema = properties[name] else { continue }
                let current = fields[name]
                let missing = current == nil || (current?.isNull == true && !schema.nullable)
                guard missing else { continue }
                if let defaultValue = schema.effectiveDefault {
                    fields[name] = defaultValue
                } else if current != nil {
                    fields.removeValue(forKey: name)
                }
            }
            for key in Array(fields.keys) {
                guard let child = fields[key] else { continue }
                if let schema = properties[key] {
                    fields[key] = schema.applyDefaults(child)
                } else if case .schema(let schema) = additionalProperties {
                    fields[key] = schema.applyDefaults(child)
                }
            }
            return .object(fields)
        case .array(let elements):
            guard let schema = items else { return value }
            return .array(elements.map { schema.applyDefaults($0) })
        default:
            return value
        }
    }
}
