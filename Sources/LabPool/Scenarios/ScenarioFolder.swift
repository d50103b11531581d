import Foundation
import KubeModel

/// A scenario folder in cks-backend's format, read unchanged and turned into a
/// `LabScenario`:
///
/// ```
/// basic-pod-security/
///   metadata.yaml              id, title, description, difficulty, timeEstimate, topics, …
///   tasks/01-task.md           one task per file (``TaskMarkdown``), id "01"
///   validation/01-validation.yaml   the task's rules (``ValidationRule``)
///   setup/init.yaml            setup steps (optional)
/// ```
///
/// Setup steps of type `resource` (a manifest) are applied to the session's cluster like a
/// LabScenario's `setup`; `command` and `script` steps need a shell on the lab's machines and
/// are kept and shown, not run. Anything malformed is an error naming the file and field.
struct ScenarioFolder {
    static let metadataFile = "metadata.yaml"
    static let difficulties = ["beginner", "intermediate", "advanced"]
    /// The keys of `metadata.yaml` (cks-backend's Scenario); others are refused.
    static let metadataKeys: Set<String> = [
        "id", "title", "description", "version", "difficulty", "timeEstimate", "topics", "requirements", "author",
        "initScript", "tasks", "setupSteps",
    ]

    /// `folder`: its name within the scenario directory; `path`: where it is.
    static func scenario(folder: String, path: String, limits: ScenarioLimits) throws(ScenarioFileError) -> JSONValue {
        let metadataName = "\(folder)/\(metadataFile)"
        let metadata = try Fields(
            .object(try ScenarioYAML.mapping(file: metadataName, path: "\(path)/\(metadataFile)", limits: limits)),
            file: metadataName)
        try metadata.onlyKeys(metadataKeys)
        let id = try metadata.text("id", required: false) ?? folder
        guard isObjectName(id) else {
            throw metadata.error(
                "id", "\"\(id)\" is not a valid scenario name (lower-case letters, digits, '-' and '.', at most 253)")
        }
        var spec: [String: JSONValue] = [
            "title": .string(try metadata.text("title", required: true) ?? ""),
            "description": .string(try metadata.text("description", required: true) ?? ""),
        ]
        let difficulty = try metadata.text("difficulty", required: true) ?? ""
        guard difficulties.contains(difficulty) else {
            throw metadata.error("difficulty", "\"\(difficulty)\" is not one of \(difficulties.joined(separator: ", "))")
        }
        spec["difficulty"] = .string(difficulty)
        for key in ["version", "timeEstimate", "author"] {
            if let text = try metadata.text(key, required: false) { spec[key] = .string(text) }
        }
        if let topics = try metadata.strings("topics") { spec["topics"] = .array(topics.map(JSONValue.string)) }
        if let requirements = metadata.fields["requirements"], requirements != .null {
            guard requirements.objectValue != nil else {
                throw metadata.error("requirements", "must be a mapping, not a \(requirements.typeName)")
            }
            spec["requirements"] = requirements
        }
        spec["tasks"] = .array(try tasks(folder: folder, path: path, limits: limits))
        let (manifests, steps) = try setup(folder: folder, path: path, limits: limits)
        if !manifests.isEmpty { spec["setup"] = .array(manifests) }
        if !steps.isEmpty { spec["setupSteps"] = .array(steps) }
        return [
            "apiVersion": .string(Lab.apiVersion), "kind": "LabScenario",
            "metadata": ["name": .string(id), "annotations": .object([ScenarioFiles.sourceAnnotation: .string("\(folder)/")])],
            "spec": .object(spec),
        ]
    }

    /// A Kubernetes object name (DNS subdomain), which the scenario becomes.
    static func isObjectName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253, let first = text.first, let last = text.last,
            first.isLowercaseAlphanumeric, last.isLowercaseAlphanumeric
        else { return false }
        return text.allSatisfy { $0.isLowercaseAlphanumeric || $0 == "-" || $0 == "." }
    }

    // MARK: - Tasks and their rules

    /// `tasks/NN-task.md` in the order of NN, each with `validation/NN-validation.yaml`.
    private static func tasks(folder: String, path: String, limits: ScenarioLimits) throws(ScenarioFileError) -> [JSONValue] {
        let taskFiles = try numbered(folder: folder, path: path, directory: "tasks", suffix: "-task.md", limits: limits)
        let ruleFiles = try numbered(folder: folder, path: path, directory: "validation", suffix: "-validation.yaml", limits: limits)
        guard taskFiles.count <= limits.tasks else {
            throw ScenarioFileError(file: "\(folder)/tasks", "holds \(taskFiles.count) tasks; a scenario may have at most \(limits.tasks)")
        }
        if let orphan = ruleFiles.keys.sorted().first(where: { taskFiles[$0] == nil }) {
            throw ScenarioFileError(file: "\(folder)/validation/\(orphan)-validation.yaml", "has no task (tasks/\(orphan)-task.md)")
        }
        var tasks: [JSONValue] = []
        for id in taskFiles.keys.sorted(by: { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }) {
            let taskName = "\(folder)/tasks/\(id)-task.md"
            let markdown = TaskMarkdown(try ScenarioYAML.read(file: taskName, path: taskFiles[id] ?? "", limits: limits))
            var task: [String: JSONValue] = [
                "id": .string(id), "title": .string(markdown.title ?? "Task \(id)"),
                "description": .string(markdown.description),
            ]
            if !markdown.objective.isEmpty { task["objective"] = .string(markdown.objective) }
            if !markdown.steps.isEmpty { task["steps"] = .array(markdown.steps.map(JSONValue.string)) }
            if !markdown.hints.isEmpty { task["hints"] = .array(markdown.hints.map(JSONValue.string)) }
            if let rulePath = ruleFiles[id] {
                let ruleName = "\(folder)/validation/\(id)-validation.yaml"
                task["validation"] = .array(try rules(file: ruleName, path: rulePath, limits: limits).map(\.json))
            }
            tasks.append(.object(task))
        }
        return tasks
    }

    /// A validation file's rules (`validation:` list).
    static func rules(file: String, path: String, limits: ScenarioLimits) throws(ScenarioFileError) -> [ValidationRule] {
        let document = try ScenarioYAML.mapping(file: file, path: path, limits: limits)
        try Fields(.object(document), file: file).onlyKeys(["validation"])
        guard let listed = document["validation"], listed != .null else { return [] }
        guard let items = listed.arrayValue else {
            throw ScenarioFileError(file: file, field: "validation", "must be a list of rules, not a \(listed.typeName)")
        }
        guard items.count <= limits.rules else {
            throw ScenarioFileError(file: file, field: "validation", "has \(items.count) rules; a task may have at most \(limits.rules)")
        }
        var rules: [ValidationRule] = []
        for (index, item) in items.enumerated() {
            let rule = try ValidationRule(item, position: index, file: file, field: "validation[\(index)]")
            if rules.contains(where: { $0.id == rule.id }) {
                throw ScenarioFileError(file: file, field: "validation[\(index)].id", "\"\(rule.id)\" is the id of an earlier rule too")
            }
            rules.append(rule)
        }
        return rules
    }

    /// The files `NN<suffix>` of a subfolder by NN (a missing subfolder has none).
    private static func numbered(
        folder: String, path: String, directory: String, suffix: String, limits: ScenarioLimits
    ) throws(ScenarioFileError) -> [String: String] {
        let entries = try ScenarioDirectory.entries(
            of: "\(path)/\(directory)", named: "\(folder)/\(directory)", limits: limits, optional: true)
        var files: [String: String] = [:]
        for entry in entries where entry.hasSuffix(suffix) {
            let number = String(entry.dropLast(suffix.count))
            guard !number.isEmpty, number.allSatisfy(\.isASCIIDigit) else { continue }
            files[number] = "\(path)/\(directory)/\(entry)"
        }
        return files
    }

    // MARK: - Setup

    /// `setup/init.yaml`: the manifests of `resource` steps, and every step as written.
    private static func setup(folder: String, path: String, limits: ScenarioLimits) throws(ScenarioFileError) -> ([JSONValue], [JSONValue])
    {
        let file = "\(folder)/setup/init.yaml"
        let location = "\(path)/setup/init.yaml"
        guard FileManager.default.fileExists(atPath: location) else { return ([], []) }
        let document = try ScenarioYAML.mapping(file: file, path: location, limits: limits)
        try Fields(.object(document), file: file).onlyKeys(["steps"])
        guard let listed = document["steps"], listed != .null else { return ([], []) }
        guard let items = listed.arrayValue else {
            throw ScenarioFileError(file: file, field: "steps", "must be a list of steps, not a \(listed.typeName)")
        }
        guard items.count <= limits.rules else {
            throw ScenarioFileError(file: file, field: "steps", "has \(items.count) steps; at most \(limits.rules)")
        }
        var manifests: [JSONValue] = []
        var steps: [JSONValue] = []
        for (index, item) in items.enumerated() {
            let field = "steps[\(index)]"
            let step = try Fields(item, file: file, prefix: field)
            try step.onlyKeys([
                "id", "type", "target", "description", "command", "script", "resource", "timeout", "retryCount", "conditions",
            ])
            let type = try step.text("type", required: true) ?? ""
            guard ["command", "script", "resource", "wait"].contains(type) else {
                throw step.error("type", "\"\(type)\" is not a setup step type (command, script, resource, wait)")
            }
            var shown = item
            if type == "resource" {
                let text = try step.text("resource", required: true, maximum: limits.fileBytes) ?? ""
                let parsed: [JSONValue]
                do {
                    parsed = try ScenarioYAML.documents(text: text, file: file, limits: limits)
                } catch {
                    throw ScenarioFileError(file: file, field: "\(field).resource", error.problem)
                }
                for manifest in parsed {
                    guard manifest.kind != nil, manifest.name != nil else {
                        throw ScenarioFileError(file: file, field: "\(field).resource", "each manifest needs kind and metadata.name")
                    }
                    manifests.append(manifest)
                }
                shown["runnable"] = true
            } else {
                // Run by cks-backend over SSH in the lab's machines; not here.
                shown["runnable"] = false
            }
            steps.append(shown)
        }
        return (manifests, steps)
    }
}

extension Character {
    fileprivate var isLowercaseAlphanumeric: Bool { ("a"..."z").contains(self) || isASCIIDigit }
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
