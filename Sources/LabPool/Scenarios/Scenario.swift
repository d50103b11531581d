import Foundation
import KubeClient
import KubeModel

extension ResourceType {
    /// A lab scenario (cluster-scoped): setup manifests and checkable tasks.
    public static let labScenarios = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "labscenarios",
        kind: "LabScenario", namespaced: false)
}

/// A `LabScenario` read and checked: manifests applied to a session's cluster once it is
/// assigned, and tasks whose rules run against that cluster. A task's rules come from
/// Virtyard's `checks` (an object exists, a field has a value, a label is set) and from
/// cks-backend's `validation` rules (``ValidationRule``), one model for both.
struct Scenario: Sendable {
    struct Task: Sendable {
        var id: String
        var title: String
        var description: String
        var objective: String?
        var steps: [String]
        var hints: [String]
        var rules: [ValidationRule]
    }

    var id: String
    var title: String
    var description: String
    /// cks-backend's metadata, shown as stored.
    var details: [String: JSONValue]
    var setup: [JSONValue]
    var tasks: [Task]

    /// The metadata fields passed on as they are stored.
    static let detailKeys = ["difficulty", "timeEstimate", "topics", "version", "requirements", "author", "setupSteps"]

    /// Reads the scenario; an error names the field (`spec.tasks[0].checks[1]`).
    init(_ object: JSONValue) throws(ScenarioFileError) {
        let stored = LabScenarioObject(object)
        id = stored.name
        title = stored.title ?? id
        description = stored.description ?? ""
        setup = stored.setup
        details = [:]
        for key in Self.detailKeys {
            if let value = stored.spec?[key], value != .null { details[key] = value }
        }
        var tasks: [Task] = []
        for (index, task) in stored.tasks.enumerated() {
            tasks.append(try Self.task(task, field: "spec.tasks[\(index)]", position: index))
        }
        if let duplicate = Dictionary(grouping: tasks, by: \.id).first(where: { $0.value.count > 1 })?.key {
            throw ScenarioFileError(file: "", field: "spec.tasks", "the task id \"\(duplicate)\" is given twice")
        }
        self.tasks = tasks
    }

    private static func task(_ task: JSONValue, field: String, position: Int) throws(ScenarioFileError) -> Task {
        let fields = try Fields(task, file: "", prefix: field)
        let id = try fields.text("id", required: false) ?? String(position + 1)
        var rules: [ValidationRule] = []
        for (index, check) in (task["checks"]?.arrayValue ?? []).enumerated() {
            rules.append(try Self.rule(fromCheck: check, field: "\(field).checks[\(index)]", position: index))
        }
        for (index, rule) in (task["validation"]?.arrayValue ?? []).enumerated() {
            rules.append(try ValidationRule(rule, position: index, file: "", field: "\(field).validation[\(index)]"))
        }
        return Task(
            id: id, title: try fields.text("title", required: false) ?? id,
            description: try fields.text("description", required: false) ?? "",
            objective: try fields.text("objective", required: false),
            steps: try fields.strings("steps") ?? [], hints: try fields.strings("hints") ?? [], rules: rules)
    }

    /// Virtyard's check as a rule: `exists` → resource_exists; `field` → resource_property
    /// on its path; `label` → resource_property on `metadata.labels[key]`. Without a value
    /// the field or label need only be set.
    private static func rule(fromCheck check: JSONValue, field: String, position: Int) throws(ScenarioFileError) -> ValidationRule {
        guard let type = check["type"]?.stringValue, ["exists", "field", "label"].contains(type),
            let kind = check["kind"]?.stringValue, let name = check["name"]?.stringValue
        else {
            throw ScenarioFileError(file: "", field: field, "a check needs type, kind and name")
        }
        let apiVersion = check["apiVersion"]?.stringValue ?? "v1"
        let namespace = check["namespace"]?.stringValue
        let path = check["path"]?.stringValue
        let value = check["value"]?.stringValue
        let object = "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)"
        var rule = ValidationRule(
            id: "check-\(position + 1)", kind: .resourceExists, description: "\(object) exists",
            resource: .init(apiVersion: apiVersion, kind: kind, name: name, namespace: namespace))
        switch type {
        case "field":
            guard let path else { throw ScenarioFileError(file: "", field: "\(field).path", "a field check needs a path") }
            do {
                rule.resource?.property = try PropertyPath(parsing: path)
            } catch {
                throw ScenarioFileError(file: "", field: "\(field).path", error.problem)
            }
            rule.description = "\(object) has \(path) = \(value ?? "")"
        case "label":
            guard let path else { throw ScenarioFileError(file: "", field: "\(field).path", "a label check needs the label key as path") }
            rule.resource?.property = PropertyPath(keys: ["metadata", "labels", path])
            rule.description = "\(object) has label \(path)" + (value.map { "=\($0)" } ?? "")
        default:
            return rule
        }
        rule.kind = .resourceProperty
        rule.condition = value == nil ? .exists : .equals
        rule.value = value.map(JSONValue.string)
        return rule
    }

    // MARK: - As the API shows it (cks-backend's Scenario)

    var json: JSONValue {
        var fields = details
        fields["id"] = .string(id)
        fields["title"] = .string(title)
        fields["description"] = .string(description)
        fields["tasks"] = .array(tasks.map(\.json))
        if fields["topics"] == nil { fields["topics"] = [] }
        return .object(fields)
    }

    // MARK: - Against the session's cluster

    /// Creates the setup objects (those already there are left alone).
    func applySetup(to api: any KubernetesAPI) async throws {
        for manifest in setup {
            let resource =
                BuiltinKinds.resource(apiVersion: manifest.apiVersion, kind: manifest.kind ?? "")
                ?? Self.resource(apiVersion: manifest.apiVersion ?? "v1", kind: manifest.kind ?? "")
            let namespace = resource.namespaced ? (manifest.namespace ?? "default") : nil
            _ = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(resource, namespace: namespace, object: manifest)
            }
        }
    }

    /// Each rule of the task with how it went, in order.
    static func run(_ task: Task, against api: any KubernetesAPI) async -> [RuleResult] {
        var results: [RuleResult] = []
        for rule in task.rules { results.append(await rule.run(against: api)) }
        return results
    }

    /// The resource of a kind, by Kubernetes' naming rule (the lower-case plural) — for kinds
    /// ``BuiltinKinds`` does not know; cluster-scoped kinds are known by name.
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

extension Scenario.Task {
    /// cks-backend's Task: its rules under `validation`.
    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "title": .string(title), "description": .string(description),
            "validation": .array(rules.map(\.json)),
        ]
        if let objective { fields["objective"] = .string(objective) }
        if !steps.isEmpty { fields["steps"] = .array(steps.map(JSONValue.string)) }
        if !hints.isEmpty { fields["hints"] = .array(hints.map(JSONValue.string)) }
        return .object(fields)
    }
}
