import Foundation

/// Everything the server needs to know to serve one kind: its names in the API, its scope,
/// its subresources and, for custom resources, the schema objects are validated against.
public struct APIResource: Sendable, Hashable {
    public var group: String
    public var version: String
    /// The plural, lower-case name used in URLs (`pods`).
    public var resource: String
    public var singular: String
    public var kind: String
    public var listKind: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var verbs: [String]
    public var hasStatus: Bool
    /// `openAPIV3Schema` of a custom resource version; nil for built-in kinds.
    public var schema: JSONValue?
    /// Extra `kubectl get` columns of a custom resource (`additionalPrinterColumns`).
    public var printerColumns: [JSONValue]

    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public init(
        group: String, version: String, resource: String, singular: String? = nil, kind: String,
        listKind: String? = nil, namespaced: Bool, shortNames: [String] = [], categories: [String] = [],
        verbs: [String] = APIResource.allVerbs, hasStatus: Bool = false, schema: JSONValue? = nil,
        printerColumns: [JSONValue] = []
    ) {
        self.group = group
        self.version = version
        self.resource = resource
        self.singular = singular ?? kind.lowercased()
        self.kind = kind
        self.listKind = listKind ?? kind + "List"
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.verbs = verbs
        self.hasStatus = hasStatus
        self.schema = schema
        self.printerColumns = printerColumns
    }

    /// `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The storage identity shared by all versions of a kind (`pods`, `widgets.example.com`).
    public var groupResource: GroupResource { GroupResource(group: group, resource: resource) }
}

/// A resource independent of version: objects are stored under it.
public struct GroupResource: Sendable, Hashable, CustomStringConvertible, Comparable {
    public var group: String
    public var resource: String

    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }

    public static func < (lhs: GroupResource, rhs: GroupResource) -> Bool { lhs.description < rhs.description }
}
