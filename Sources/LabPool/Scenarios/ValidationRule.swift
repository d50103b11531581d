import Foundation
import KubeModel

/// One check of a task, in cks-backend's validation format (`validation/NN-validation.yaml`):
///
/// ```yaml
/// - id: no-privilege-escalation
///   type: resource_property
///   resource: {kind: Pod, name: secure-pod, namespace: default,
///              property: .spec.containers[0].securityContext.allowPrivilegeEscalation}
///   condition: equals
///   value: "false"
///   errorMessage: "Privilege escalation is not disabled"
/// ```
///
/// Resource rules run against the session's cluster. Command, script and file rules need a
/// shell on the lab's machines (the lab terminal's sandbox): they are kept, shown, and
/// answered as not runnable — failed, never passed. Virtyard's own `checks` become rules of
/// the same kinds (``Scenario``).
struct ValidationRule: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case resourceExists = "resource_exists"
        case resourceProperty = "resource_property"
        case command
        case script
        case fileExists = "file_exists"
        case fileContent = "file_content"

        /// The conditions a rule of the kind may name; the first is the default.
        var conditions: [Condition] {
            switch self {
            case .resourceExists, .fileExists: []
            case .resourceProperty:
                [.equals, .contains, .exists, .notExists, .greaterThan, .lessThan, .matchesRegex]
            case .command: [.success, .outputEquals, .contains]
            case .script: []
            case .fileContent: [.contains, .equals, .matchesRegex]
            }
        }

        /// Whether Virtyard can run it: against the cluster, yes; in a machine, not here.
        var runsAgainstTheCluster: Bool { self == .resourceExists || self == .resourceProperty }
    }

    enum Condition: String, Sendable, CaseIterable {
        case equals, contains, exists
        case notExists = "not_exists"
        case greaterThan = "greater_than"
        case lessThan = "less_than"
        case matchesRegex = "matches_regex"
        case success
        case outputEquals = "output_equals"
    }

    /// The object a resource rule reads.
    struct Resource: Sendable, Equatable {
        /// Optional in cks-backend's files (built-in kinds are known by kind); needed for
        /// other kinds.
        var apiVersion: String?
        var kind: String
        var name: String
        /// Empty or absent: `default` for a namespaced kind.
        var namespace: String?
        var property: PropertyPath?
    }

    /// A command, a script or a file on one of the lab's machines.
    struct MachineTarget: Sendable, Equatable {
        /// The command, the script, or the file's path.
        var text: String
        /// `control-plane` (the default) or `worker`.
        var target: String
        /// A script's wanted exit code.
        var successCode: Int64?
    }

    var id: String
    var kind: Kind
    var description: String?
    var resource: Resource?
    var machine: MachineTarget?
    var condition: Condition?
    var value: JSONValue?
    var errorMessage: String?

    /// The rule as stored and shown, in cks-backend's field names.
    var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id), "type": .string(kind.rawValue)]
        if let description { fields["description"] = .string(description) }
        if let resource {
            var target: [String: JSONValue] = ["kind": .string(resource.kind), "name": .string(resource.name)]
            if let apiVersion = resource.apiVersion { target["apiVersion"] = .string(apiVersion) }
            if let namespace = resource.namespace { target["namespace"] = .string(namespace) }
            if let property = resource.property { target["property"] = .string(property.description) }
            fields["resource"] = .object(target)
        }
        if let machine {
            switch kind {
            case .command: fields["command"] = ["command": .string(machine.text), "target": .string(machine.target)]
            case .script:
                var script: [String: JSONValue] = ["script": .string(machine.text), "target": .string(machine.target)]
                if let code = machine.successCode { script["successCode"] = .int(code) }
                fields["script"] = .object(script)
            default: fields["file"] = ["path": .string(machine.text), "target": .string(machine.target)]
            }
        }
        if let condition { fields["condition"] = .string(condition.rawValue) }
        if let value { fields["value"] = value }
        if let errorMessage { fields["errorMessage"] = .string(errorMessage) }
        return .object(fields)
    }
}

// MARK: - Reading a rule

extension ValidationRule {
    /// The keys a rule may have; another key is refused, so that a misspelt `conditon` is
    /// an error at start-up rather than a check that silently tests something else.
    static let keys: Set<String> = [
        "id", "type", "description", "resource", "command", "script", "file", "condition", "value", "errorMessage",
    ]

    /// Reads one rule; errors name the file and the field (`validation[2].resource.kind`).
    init(_ json: JSONValue, position: Int, file: String, field: String) throws(ScenarioFileError) {
        let fields = try Fields(json, file: file, prefix: field)
        try fields.onlyKeys(Self.keys)
        id = try fields.text("id", required: false) ?? "rule-\(position + 1)"
        let typeName = try fields.text("type", required: true) ?? ""
        guard let kind = Kind(rawValue: typeName) else {
            throw fields.error(
                "type", "\"\(typeName)\" is not a rule type (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self.kind = kind
        description = try fields.text("description", required: false)
        errorMessage = try fields.text("errorMessage", required: false)
        let conditionName = try fields.text("condition", required: false)
        if let conditionName, !conditionName.isEmpty {
            guard let condition = Condition(rawValue: conditionName), kind.conditions.contains(condition) else {
                let allowed = kind.conditions.map(\.rawValue)
                throw fields.error(
                    "condition",
                    "\"\(conditionName)\" is not a condition of a \(kind.rawValue) rule"
                        + (allowed.isEmpty ? " (it takes none)" : " (\(allowed.joined(separator: ", ")))"))
            }
            self.condition = condition
        } else {
            condition = kind.conditions.first
        }
        value = try fields.scalar("value")
        switch kind {
        case .resourceExists, .resourceProperty:
            let target = try fields.nested("resource")
            try target.onlyKeys(["apiVersion", "kind", "name", "namespace", "property"])
            var property: PropertyPath?
            if let text = try target.text("property", required: kind == .resourceProperty) {
                do {
                    property = try PropertyPath(parsing: text)
                } catch {
                    throw target.error("property", error.problem)
                }
            }
            resource = Resource(
                apiVersion: try target.text("apiVersion", required: false),
                kind: try target.text("kind", required: true) ?? "",
                name: try target.text("name", required: true) ?? "",
                namespace: try target.text("namespace", required: false, allowEmpty: true),
                property: property)
            if kind == .resourceProperty, value == nil, ![.exists, .notExists].contains(condition) {
                throw fields.error("value", "is required for the condition \(condition?.rawValue ?? "")")
            }
        case .command:
            let target = try fields.nested("command")
            try target.onlyKeys(["command", "target"])
            machine = MachineTarget(
                text: try target.text("command", required: true) ?? "",
                target: try target.text("target", required: false) ?? "control-plane")
        case .script:
            let target = try fields.nested("script")
            try target.onlyKeys(["script", "target", "successCode"])
            machine = MachineTarget(
                text: try target.text("script", required: true) ?? "",
                target: try target.text("target", required: false) ?? "control-plane",
                successCode: try target.integer("successCode"))
        case .fileExists, .fileContent:
            let target = try fields.nested("file")
            try target.onlyKeys(["path", "target"])
            machine = MachineTarget(
                text: try target.text("path", required: true) ?? "",
                target: try target.text("target", required: false) ?? "control-plane")
        }
        if condition == .matchesRegex, let pattern = value.map(Self.text) {
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw fields.error("value", "\"\(pattern)\" is not a regular expression")
            }
        }
    }

    /// A scalar as text: `1000`, `true` and `"1000"` alike.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .null: ""
        case .array, .object: value.serializedString()
        }
    }
}
