import Capacity
import Foundation
import KubeModel

/// The "Load a scenario" form: node-classifier-sim scenario JSON pasted (or read from a file by
/// charts.js) into a text area, an optional name to choose one of several, and the answer —
/// the placement summary, or the problem beside the field it concerns.
struct ScenarioUpload {
    /// The console's own bound: a form body is percent-encoded (up to three bytes per JSON
    /// character) and the console reads at most 4 MiB. Larger scenarios go to the API.
    static let maximumBytes = 1 << 20
    static let maximumNameLength = 253

    var text: String
    var choose: String
    var errors: [String: String] = [:]
    var result: String?

    init(form: FormData) {
        text = form["scenario"] ?? ""
        choose = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
    }

    init() {
        text = ""
        choose = ""
    }

    /// The body to load, or nil with the errors set.
    mutating func parse() -> JSONValue? {
        if choose.utf8.count > Self.maximumNameLength {
            errors["name"] = "At most \(Self.maximumNameLength) characters."
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            errors["scenario"] = "Paste a scenario: {\"name\": …, \"nodes\": […]} or a scenario file."
            return nil
        }
        if trimmed.utf8.count > Self.maximumBytes {
            errors["scenario"] =
                "The scenario is \(trimmed.utf8.count) bytes; the console takes up to 1 MiB (POST /api/v1/capacity/scenario takes 3 MiB)."
            return nil
        }
        do throws(JSONParseError) {
            let body = try JSONValue(parsing: trimmed)
            guard body.objectValue != nil else {
                errors["scenario"] = "A scenario is a JSON object, not \(body.typeName)."
                return nil
            }
            return errors.isEmpty ? body : nil
        } catch {
            errors["scenario"] = "This is not JSON: \(error.description)."
            return nil
        }
    }

    /// Puts the capacity service's refusal beside the text area (a bad scenario names its
    /// path, such as `nodes[0].name`); a choice of scenario that does not exist goes beside the
    /// name.
    mutating func take(_ error: CapacityError) {
        switch error.kind {
        case .badRequest:
            if error.message.hasPrefix("no scenario named") {
                errors["name"] = error.message
            } else if error.message.contains("choose one with ?name=") {
                errors["name"] = error.message.replacingOccurrences(of: "choose one with ?name=", with: "name one here")
            } else {
                errors["scenario"] = error.message
            }
        case .unavailable:
            errors["scenario"] = "The capacity service is still connecting to the cluster; try again in a moment."
        case .notFound, .failed:
            errors["scenario"] = "The scenario could not be loaded: \(error.message)"
        }
    }

    /// The load's answer in words.
    static func summary(_ answer: JSONValue) -> String {
        let name = answer["scenario"]?.stringValue ?? "scenario"
        let nodes = answer["nodes_loaded"]?.intValue ?? 0
        let placed = answer["placed"]?.intValue ?? 0
        let total = answer["total_vms"]?.intValue ?? 0
        let unschedulable = answer["unschedulable"]?.intValue ?? 0
        let seconds = answer["seconds"]?.doubleValue ?? 0
        var text = "Loaded \(name): \(nodes) nodes, \(placed) of \(total) VMs placed"
        if unschedulable > 0 { text += ", \(unschedulable) found no room" }
        return text + String(format: " (%.1f s).", seconds)
    }

    func model(csrf: String?) -> [String: Any] {
        var model: [String: Any] = ["scenarioText": text, "scenarioName": choose]
        var scenarioDescribed = ["scenario-json-hint"]
        if let error = errors["scenario"] {
            model["scenarioError"] = error
            scenarioDescribed.append("scenario-json-error")
        }
        model["scenarioDescribedBy"] = scenarioDescribed.joined(separator: " ")
        if let error = errors["name"] { model["scenarioNameError"] = error }
        if let result { model["scenarioResult"] = result }
        if let csrf { model["csrf"] = csrf }
        return model
    }
}
