import Foundation
import KubeModel

/// What a lab session's page (`/ui/labs/sessions/:name`) shows, built from the lab API's
/// JSON (`GET /api/v1/sessions/{id}`, `GET /api/v1/scenarios/{id}`, a task's validation):
/// plain strings and flags for the templates, scenario text through ``ConsoleMarkdown``.
enum LabSessionModels {
    /// How much one press of Extend adds (cks-backend's default extension).
    static let extendMinutes = 30

    /// The whole page.
    static func page(
        session: JSONValue, scenario: JSONValue?, csrf: String, isAdmin: Bool, terminalsEnabled: Bool
    ) -> [String: Any] {
        let name = session["id"]?.stringValue ?? ""
        let scenarioID = session["scenarioId"]?.stringValue
        let description = scenario?["description"]?.stringValue ?? ""
        let stored = Dictionary(
            (session["tasks"]?.arrayValue ?? []).compactMap { task in task["id"]?.stringValue.map { ($0, task) } },
            uniquingKeysWith: { first, _ in first })
        // The scenario's own tasks carry the instructions; the session's carry how each went.
        let taskSource = scenario?["tasks"]?.arrayValue ?? session["tasks"]?.arrayValue ?? []
        let tasks = taskSource.enumerated().map { offset, task in
            self.task(task, index: offset + 1, stored: task["id"]?.stringValue.flatMap { stored[$0] })
        }
        var model: [String: Any] = [
            "name": name,
            "sessionPath": LabPaths.session(name),
            "hasScenario": scenarioID != nil,
            "scenarioID": scenarioID ?? "",
            "hasDescription": !description.isEmpty,
            "descriptionHTML": ConsoleMarkdown.html(description),
            "tasks": tasks,
            "hasTasks": !tasks.isEmpty,
            "status": status(session),
            "csrf": csrf,
            "isAdmin": isAdmin,
            "terminal": ["enabled": terminalsEnabled, "session": name] as [String: Any],
        ]
        if let user = session["userId"]?.stringValue, !user.isEmpty { model["user"] = user }
        return model
    }

    /// The page's title: the scenario's, or a plain one for a session without a scenario.
    static func title(session: JSONValue, scenario: JSONValue?) -> String {
        if let title = scenario?["title"]?.stringValue, !title.isEmpty { return title }
        if let id = session["scenarioId"]?.stringValue { return id }
        return "Lab session"
    }

    /// One task: its text as Markdown (description, objective, steps), its hints, and the
    /// outcome of its last check.
    static func task(_ task: JSONValue, index: Int, stored: JSONValue?) -> [String: Any] {
        let id = task["id"]?.stringValue ?? "\(index)"
        var text: [String] = []
        if let description = task["description"]?.stringValue, !description.isEmpty { text.append(description) }
        if let objective = task["objective"]?.stringValue, !objective.isEmpty { text.append("**Objective:** " + objective) }
        let steps = (task["steps"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !steps.isEmpty { text.append(steps.joined(separator: "\n")) }
        let hints = (task["hints"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !$0.isEmpty }
        return [
            "index": index,
            "taskID": id,
            "taskTitle": task["title"]?.stringValue ?? id,
            "hasText": !text.isEmpty,
            "taskHTML": ConsoleMarkdown.html(text.joined(separator: "\n\n")),
            "hints": hints.enumerated().map { ["hintNumber": $0.offset + 1, "hintHTML": ConsoleMarkdown.html($0.element)] },
            "result": storedResult(stored),
        ]
    }

    /// The outcome of the task's last check as the session records it (no messages: those
    /// come with a check).
    static func storedResult(_ task: JSONValue?) -> [String: Any] {
        switch task?["status"]?.stringValue {
        case "completed": ["label": "Passed", "badge": "ok", "summary": "Passed when last checked."]
        case "failed": ["label": "Failed", "badge": "bad", "summary": "Not passed when last checked."]
        default: ["label": "Not checked yet", "badge": "muted"]
        }
    }

    /// A task's check as the lab API answers it: passed or failed, the message, and each
    /// rule with its own message.
    static func checkResult(_ answer: JSONValue) -> [String: Any] {
        let passed = answer["passed"]?.boolValue ?? answer["success"]?.boolValue ?? false
        let checks = (answer["checks"]?.arrayValue ?? []).map { check -> [String: Any] in
            let ok = check["passed"]?.boolValue ?? false
            var row: [String: Any] = [
                "checkText": check["description"]?.stringValue ?? "",
                "checkLabel": ok ? "passed" : "failed",
                "checkBadge": ok ? "ok" : "bad",
            ]
            if let message = check["message"]?.stringValue, !message.isEmpty { row["checkMessage"] = message }
            return row
        }
        var model: [String: Any] = [
            "label": passed ? "Passed" : "Failed",
            "badge": passed ? "ok" : "bad",
            "checks": checks,
            "hasChecks": !checks.isEmpty,
        ]
        if let summary = answer["message"]?.stringValue, !summary.isEmpty { model["summary"] = summary }
        if let at = LabTime.display(answer["timestamp"]) { model["checkedAt"] = at }
        return model
    }

    /// The `labs/session-status` region (live: `session:<name>`): where the session stands,
    /// the time left, and what can be done now.
    static func status(_ session: JSONValue) -> [String: Any] {
        let name = session["id"]?.stringValue ?? ""
        let status = session["status"]?.stringValue ?? "pending"
        let over = LabIndexModels.isOver(status)
        var model: [String: Any] = [
            "name": name,
            "sessionPath": LabPaths.session(name),
            "liveID": "live-session-" + name,
            "statusLabel": status,
            "badge": LabIndexModels.sessionBadge(status),
            "isPending": status == "pending" || status == "provisioning",
            "isRunning": status == "running",
            "isOver": over,
            "canExtend": status == "running",
            "canEnd": !over,
            "extendMinutes": extendMinutes,
            "explanation": explanation(status: status, queuePosition: session["queuePosition"]?.intValue),
        ]
        if let message = session["message"]?.stringValue, !message.isEmpty { model["message"] = message }
        if let cluster = session["assignedCluster"]?.stringValue, !cluster.isEmpty { model["cluster"] = cluster }
        if !over, let expiry = LabTime.model(session["expirationTime"]) { model["expires"] = expiry }
        if let ended = LabTime.model(session["endTime"]), over { model["ended"] = ended }
        return model
    }

    /// One sentence on what the status means for the person waiting or working.
    static func explanation(status: String, queuePosition: Int64?) -> String {
        switch status {
        case "pending":
            if let position = queuePosition {
                return position == 1
                    ? "Next in the queue: a cluster is assigned as soon as one is free."
                    : "Number \(position) in the queue: a cluster is assigned when one is free."
            }
            return "Waiting for a cluster."
        case "provisioning": return "A cluster is assigned and being prepared for the scenario."
        case "running": return "The cluster is yours: use the terminal, or download the kubeconfig and use kubectl."
        case "completed": return "The session has ended; its cluster is being reset."
        case "expired": return "The session ran out of time; its cluster is being reset."
        case "failed": return "The session failed; start a new one."
        default: return ""
        }
    }
}
