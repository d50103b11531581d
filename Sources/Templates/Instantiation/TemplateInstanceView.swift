import Foundation
import KubeModel

/// A typed view of a `TemplateInstance` held as JSON: the fields the controller reads.
struct TemplateInstanceView: Sendable {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    var name: String { object.name ?? "" }
    var namespace: String { object.namespace ?? "" }
    var uid: String { object.uid ?? "" }
    var isDeleting: Bool { object.deletionTimestamp != nil }
    var creationDate: Date? { object[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(Timestamp.date) }

    /// `spec.template`: the whole Template to instantiate.
    var template: JSONValue { object[path: ["spec", "template"]] ?? .object([:]) }
    /// How many objects the template has (`status.objects` reaches it once instantiated).
    var templateObjectCount: Int { template["objects"]?.arrayValue?.count ?? 0 }
    /// `spec.secret.name`: the Secret holding parameter values.
    var secretName: String? {
        guard let name = object[path: ["spec", "secret", "name"]]?.stringValue, !name.isEmpty else { return nil }
        return name
    }

    var conditions: [JSONValue] {
        get { object[path: ["status", "conditions"]]?.arrayValue ?? [] }
        set { object[path: ["status", "conditions"]] = .array(newValue) }
    }

    /// `status.objects[].ref`.
    var objectRefs: [ObjectRef] {
        get { (object[path: ["status", "objects"]]?.arrayValue ?? []).compactMap { ObjectRef(json: $0["ref"]) } }
        set { object[path: ["status", "objects"]] = newValue.isEmpty ? nil : .array(newValue.map { ["ref": $0.json] }) }
    }

    func hasCondition(_ type: String, status: Condition.Status) -> Bool {
        conditions.condition(type)?.status == status
    }
}

/// A `corev1.ObjectReference` to an object an instance created.
struct ObjectRef: Sendable, Hashable {
    var apiVersion: String
    var kind: String
    var namespace: String
    var name: String
    var uid: String

    init(apiVersion: String, kind: String, namespace: String, name: String, uid: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    init?(json: JSONValue?) {
        guard let json, let kind = json["kind"]?.stringValue, let name = json["name"]?.stringValue else { return nil }
        apiVersion = json["apiVersion"]?.stringValue ?? ""
        self.kind = kind
        namespace = json["namespace"]?.stringValue ?? ""
        self.name = name
        uid = json["uid"]?.stringValue ?? ""
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["kind": .string(kind), "name": .string(name), "apiVersion": .string(apiVersion)]
        if !namespace.isEmpty { fields["namespace"] = .string(namespace) }
        if !uid.isEmpty { fields["uid"] = .string(uid) }
        return .object(fields)
    }

    var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    var version: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return apiVersion }
        return String(apiVersion[apiVersion.index(after: slash)...])
    }
}
