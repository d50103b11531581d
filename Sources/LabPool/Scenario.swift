import Foundation
import KubeClient
import KubeModel

extension ResourceType {
    /// A lab scenario (cluster-scoped): setup manifests and checkable tasks.
    public static let labScenarios = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "labscenarios",
        kind: "LabScenario", namespaced: false)
}

/// A `LabScenario`: manifests applied to a session's cluster once it is assigned, and tasks
/// whose checks run against that cluster — an object exists, a field has a value, a label is
/// set.
struct Scenario: Sendable {
    struct Check: Sendable {
        enum Kind: String, Sendable { case exists, field, label }
        var kind: Kind
        var apiVersion: String
        var objectKind: String
        var namespace: String?
        var name: String
        /// `field`: a dotted path (`spec.replicas`); `label`: the label key.
        var path: String?
        /// The wanted value (any value when absent, for `label`).
        var value: String?

        var description: String {
            let object = "\(objectKind) \(namespace.map { "\($0)/" } ?? "")\(name)"
            switch kind {
            case .exists: return "\(object) exists"
            case .field: return "\(object) has \(path ?? "") = \(value ?? "")"
            case .label: return "\(object) has label \(path ?? "")" + (value.map { "=\($0)" } ?? "")
            }
        }
    }

    struct Task: Sendable {
        var id: String
        var title: String
        var description: String
        var checks: [Check]
    }

    var id: String
    var title: String
    var description: String
    var setup: [JSONValue]
    var tasks: [Task]

    init(_ object: JSONValue) throws(LabAPIError) {
        let stored = LabScenarioObject(object)
        id = stored.name
        title = stored.title ?? id
        description = stored.description ?? ""
        setup = stored.setup
        tasks = try stored.tasks.enumerated().map { (index, task) throws(LabAPIError) -> Task in
            let taskID = task["id"]?.stringValue ?? String(index + 1)
            let checks = try (task["checks"]?.arrayValue ?? []).map { (check) throws(LabAPIError) -> Check in
                guard let kind = check["type"]?.stringValue.flatMap(Check.Kind.init(rawValue:)),
                    let objectKind = check["kind"]?.stringValue, let name = check["name"]?.stringValue
                else {
                    throw LabAPIError(.badRequest, "scenario \(object.name ?? ""), task \(taskID): a check needs type, kind and name")
                }
                return Check(
                    kind: kind, apiVersion: check["apiVersion"]?.stringValue ?? "v1", objectKind: objectKind,
                    namespace: check["namespace"]?.stringValue, name: name, path: check["path"]?.stringValue,
                    value: check["value"]?.stringValue)
            }
            return Task(
                id: taskID, title: task["title"]?.stringValue ?? taskID,
                description: task["description"]?.stringValue ?? "", checks: checks)
        }
    }

    var json: JSONValue {
        [
            "id": .string(id), "title": .string(title), "description": .string(description),
            "tasks": .array(tasks.map { ["id": .string($0.id), "title": .string($0.title), "description": .string($0.description)] }),
        ]
    }

    // MARK: - Against the session's cluster

    /// Creates the setup objects (those already there are left alone).
    func applySetup(to api: any KubernetesAPI) async throws {
        for manifest in setup {
            let resource = Self.resource(apiVersion: manifest.apiVersion ?? "v1", kind: manifest.kind ?? "")
            let namespace = resource.namespaced ? (manifest.namespace ?? "default") : nil
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(resource, namespace: namespace, object: manifest)
            }
        }
    }

    /// Each check of the task with whether it holds and why not.
    static func run(_ task: Task, against api: any KubernetesAPI) async -> [(check: Check, passed: Bool, message: String)] {
        var results: [(Check, Bool, String)] = []
        for check in task.checks {
            let resource = resource(apiVersion: check.apiVersion, kind: check.objectKind)
            let object: JSONValue?
            do {
                object = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                    try await api.get(
                        resource, namespace: resource.namespaced ? (check.namespace ?? "default") : nil,
                        name: check.name)
                }
            } catch {
                results.append((check, false, "could not read the cluster: \(error)"))
                continue
            }
            guard let object else {
                results.append((check, false, "\(check.objectKind) \(check.name) not found"))
                continue
            }
            switch check.kind {
            case .exists:
                results.append((check, true, "found"))
            case .field:
                let path = (check.path ?? "").split(separator: ".").map(String.init)
                let actual = object[path: path]
                let text = actual?.stringValue ?? actual.map { $0.serializedString() }
                let passed = text != nil && (check.value == nil || text == check.value)
                results.append(
                    (
                        check, passed,
                        passed
                            ? "\(check.path ?? "") = \(text ?? "")"
                            : "\(check.path ?? "") is \(text ?? "not set")"
                    ))
            case .label:
                let actual = object.labels[check.path ?? ""]
                let passed = actual != nil && (check.value == nil || actual == check.value)
                results.append((check, passed, passed ? "label set" : "label \(check.path ?? "") is \(actual ?? "not set")"))
            }
        }
        return results
    }

    /// The resource of a kind, by Kubernetes' naming rule (the lower-case plural) — enough
    /// for the built-in kinds a scenario uses; cluster-scoped kinds are known by name.
    static func resource(apiVersion: String, kind: String) -> ResourceType {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "v1")
        let lower = kind.lowercased()
        let plural: String
        if lower.hasSuffix("y"), !["ay", "ey", "oy", "uy"].contains(where: lower.hasSuffix) {
            plural = String(lower.dropLast()) + "ies"
        } else if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("ch") {
            plural = lower + "es"
        } else {
            plural = lower + "s"
        }
        let clusterScoped: Set<String> = [
            "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
            "StorageClass", "CustomResourceDefinition", "PriorityClass", "IngressClass",
        ]
        return ResourceType(group: group, version: version, resource: plural, kind: kind, namespaced: !clusterScoped.contains(kind))
    }
}
