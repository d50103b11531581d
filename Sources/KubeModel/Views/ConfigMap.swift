/// A core/v1 ConfigMap, only its string `data`. Schema: `io.k8s.api.core.v1.ConfigMap` in
/// `Sources/KubeServer/Schemas/builtin-1.32.json`.
public struct ConfigMap: KubeObjectView {
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public enum Field {
        public static let data: FieldPath = "data"
    }

    public static let fieldPaths: [FieldPath] = [Field.data]

    /// `data`; entries that are not strings are left out.
    public var data: [String: String] { JSONValue.stringMap(object[field: Field.data]) }
}
