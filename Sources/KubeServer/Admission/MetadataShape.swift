import KubeModel

/// The shape of a custom resource's `metadata`, which its CRD's schema does not describe:
/// values Go would refuse to decode into `ObjectMeta` are answered with 400, as
/// kube-apiserver does. Built-in kinds are decoded whole by their schemas instead
/// (``BuiltinSchemas``), metadata included.
enum MetadataShape {
    static func check(_ object: JSONValue, kind: String) throws(APIError) {
        func refuse(_ field: String, _ expected: String) -> APIError {
            APIError.badRequest(
                "\(kind) in version \"v1\" cannot be handled as a \(kind): json: cannot unmarshal into field \(field) of type \(expected)")
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
            value.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true
        {
            throw refuse("metadata.finalizers", "[]string")
        }
        if let value = fields["ownerReferences"], !value.isNull,
            value.arrayValue?.allSatisfy({ $0.objectValue != nil }) != true
        {
            throw refuse("metadata.ownerReferences", "[]OwnerReference")
        }
    }
}
