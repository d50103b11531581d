import KubeModel

/// The top-level and metadata fields of the built-in kinds, so unknown ones are refused
/// under `fieldValidation=Strict` and dropped otherwise, as Go decoding drops them. Nested
/// fields of built-in kinds are not checked (Virtyard carries no full schemas for them).
enum BuiltinFields {
    static let metadataFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ]

    private static let common: Set<String> = ["apiVersion", "kind", "metadata"]

    static func topLevelFields(for resource: APIResource) -> Set<String>? {
        let specific: Set<String>
        switch (resource.group, resource.resource) {
        case ("", "configmaps"): specific = ["data", "binaryData", "immutable"]
        case ("", "secrets"): specific = ["data", "stringData", "type", "immutable"]
        case ("", "serviceaccounts"): specific = ["secrets", "imagePullSecrets", "automountServiceAccountToken"]
        case ("", "endpoints"): specific = ["subsets"]
        case ("", "events"):
            specific = ["involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count",
                        "type", "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"]
        case ("coordination.k8s.io", "leases"), ("", "namespaces"), ("", "nodes"), ("", "pods"), ("", "services"),
             ("", "persistentvolumeclaims"), ("", "persistentvolumes"), ("", "resourcequotas"):
            specific = ["spec", "status"]
        case ("storage.k8s.io", "storageclasses"):
            specific = ["provisioner", "parameters", "reclaimPolicy", "mountOptions", "allowVolumeExpansion",
                        "volumeBindingMode", "allowedTopologies"]
        case ("apiextensions.k8s.io", "customresourcedefinitions"): specific = ["spec", "status"]
        default: return nil
        }
        return common.union(specific)
    }

    /// Removes unknown fields and returns their paths.
    static func prune(_ object: inout JSONValue, resource: APIResource) -> [String] {
        guard let allowed = topLevelFields(for: resource), var fields = object.objectValue else { return [] }
        var removed: [String] = []
        for key in fields.keys.sorted() where !allowed.contains(key) {
            fields[key] = nil
            removed.append(key)
        }
        if var metadata = fields["metadata"]?.objectValue {
            for key in metadata.keys.sorted() where !metadataFields.contains(key) {
                metadata[key] = nil
                removed.append("metadata.\(key)")
            }
            fields["metadata"] = .object(metadata)
        }
        object = .object(fields)
        return removed
    }

    /// Shapes Go would refuse to decode: answered with 400, as kube-apiserver does.
    static func checkMetadataShape(_ object: JSONValue, kind: String) throws(APIError) {
        func refuse(_ field: String, _ expected: String) -> APIError {
            APIError.badRequest("\(kind) in version \"v1\" cannot be handled as a \(kind): json: cannot unmarshal into field \(field) of type \(expected)")
        }
        guard let metadata = object["metadata"] else { return }
        guard let fields = metadata.objectValue else { throw refuse("metadata", "ObjectMeta") }
        for key in ["name", "generateName", "namespace", "uid", "resourceVersion"] {
            if let value = fields[key], value.stringValue == nil, !value.isNull { throw refuse("metadata.\(key)", "string") }
        }
        for key in ["labels", "annotations"] {
            guard let value = fields[key], !value.isNull else { continue }
            guard let map = value.objectValue, map.values.allSatisfy({ $0.stringValue != nil }) else {
                throw refuse("metadata.\(key)", "map[string]string")
            }
        }
        if let value = fields["finalizers"], !value.isNull,
           value.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            throw refuse("metadata.finalizers", "[]string")
        }
        if let value = fields["ownerReferences"], !value.isNull,
           value.arrayValue?.allSatisfy({ $0.objectValue != nil }) != true {
            throw refuse("metadata.ownerReferences", "[]OwnerReference")
        }
    }
}
