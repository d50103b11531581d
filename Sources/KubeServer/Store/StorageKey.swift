import KubeModel

/// Where one object lives: its resource, namespace (empty for cluster-scoped kinds) and name.
public struct StorageKey: Sendable, Hashable, CustomStringConvertible {
    public var resource: GroupResource
    public var namespace: String
    public var name: String

    public init(_ resource: GroupResource, namespace: String = "", name: String) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    public var description: String {
        namespace.isEmpty ? "\(resource)/\(name)" : "\(resource)/\(namespace)/\(name)"
    }
}
