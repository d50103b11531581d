import Foundation

/// Typed access to the `metadata` of an object held as a ``JSONValue``.
///
/// The server handles every kind as JSON; these accessors keep the field names in one place.
extension JSONValue {
    public var apiVersion: String? {
        get { self["apiVersion"]?.stringValue }
        set { self["apiVersion"] = newValue.map(JSONValue.string) }
    }

    public var kind: String? {
        get { self["kind"]?.stringValue }
        set { self["kind"] = newValue.map(JSONValue.string) }
    }

    public var metadata: JSONValue {
        get { self["metadata"] ?? .object([:]) }
        set { self["metadata"] = newValue }
    }

    public var name: String? {
        get { self[path: ["metadata", "name"]]?.stringValue }
        set { self[path: ["metadata", "name"]] = newValue.map(JSONValue.string) }
    }

    public var namespace: String? {
        get { self[path: ["metadata", "namespace"]]?.stringValue }
        set { self[path: ["metadata", "namespace"]] = newValue.map(JSONValue.string) }
    }

    public var uid: String? {
        get { self[path: ["metadata", "uid"]]?.stringValue }
        set { self[path: ["metadata", "uid"]] = newValue.map(JSONValue.string) }
    }

    public var resourceVersion: String? {
        get { self[path: ["metadata", "resourceVersion"]]?.stringValue }
        set { self[path: ["metadata", "resourceVersion"]] = newValue.map(JSONValue.string) }
    }

    public var generation: Int64? {
        get { self[path: ["metadata", "generation"]]?.intValue }
        set { self[path: ["metadata", "generation"]] = newValue.map(JSONValue.int) }
    }

    public var deletionTimestamp: String? {
        get { self[path: ["metadata", "deletionTimestamp"]]?.stringValue }
        set { self[path: ["metadata", "deletionTimestamp"]] = newValue.map(JSONValue.string) }
    }

    public var labels: [String: String] {
        get { Self.stringMap(self[path: ["metadata", "labels"]]) }
        set { self[path: ["metadata", "labels"]] = newValue.isEmpty ? nil : .object(newValue.mapValues(JSONValue.string)) }
    }

    public var annotations: [String: String] {
        get { Self.stringMap(self[path: ["metadata", "annotations"]]) }
        set {
            self[path: ["metadata", "annotations"]] =
                newValue.isEmpty ? nil : .object(newValue.mapValues(JSONValue.string))
        }
    }

    public var finalizers: [String] {
        get { self[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        set { self[path: ["metadata", "finalizers"]] = newValue.isEmpty ? nil : .array(newValue.map(JSONValue.string)) }
    }

    public var ownerReferences: [OwnerReference] {
        get { self[path: ["metadata", "ownerReferences"]]?.arrayValue?.compactMap(OwnerReference.init(json:)) ?? [] }
        set {
            self[path: ["metadata", "ownerReferences"]] = newValue.isEmpty ? nil : .array(newValue.map(\.json))
        }
    }

    /// A JSON object of strings as a dictionary (labels, annotations, `nodeSelector`); other
    /// values are dropped.
    public static func stringMap(_ value: JSONValue?) -> [String: String] {
        guard let fields = value?.objectValue else { return [:] }
        return fields.compactMapValues(\.stringValue)
    }
}

/// A `metadata.ownerReferences` entry.
public struct OwnerReference: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(
        apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    public init?(json: JSONValue) {
        guard let uid = json["uid"]?.stringValue else { return nil }
        self.uid = uid
        apiVersion = json["apiVersion"]?.stringValue ?? ""
        kind = json["kind"]?.stringValue ?? ""
        name = json["name"]?.stringValue ?? ""
        controller = json["controller"]?.boolValue
        blockOwnerDeletion = json["blockOwnerDeletion"]?.boolValue
    }

    public var json: JSONValue {
        var value: JSONValue = [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name),
            "uid": .string(uid),
        ]
        if let controller { value["controller"] = .bool(controller) }
        if let blockOwnerDeletion { value["blockOwnerDeletion"] = .bool(blockOwnerDeletion) }
        return value
    }
}
