import Foundation
import KubeModel

/// What `/ui/labs` shows, built from the lab API's JSON (the shapes `GET /api/v1/pool`,
/// `GET /api/v1/sessions` and `GET /api/v1/scenarios` answer with): plain strings and flags
/// for the templates, without I/O, so that each can be tested alone.
enum LabIndexModels {
    // MARK: - The pool

    /// The `labs/pool` region: one row per cluster and a summary by status.
    static func pool(_ pool: JSONValue) -> [String: Any] {
        let clusters = pool["clusters"]?.arrayValue ?? []
        let rows = clusters.map(clusterRow)
        var counts: [String: Int] = [:]
        for row in rows { counts[row["statusLabel"] as? String ?? "", default: 0] += 1 }
        let order = ["available", "locked", "resetting", "creating", "error"]
        let known = order.filter { counts[$0] != nil }
        let others = counts.keys.filter { !order.contains($0) }.sorted()
        let parts = (known + others).map { "\(counts[$0] ?? 0) \($0)" }
        let noun = rows.count == 1 ? "cluster" : "clusters"
        return [
            "clusters": rows,
            "hasClusters": !rows.isEmpty,
            "summary": rows.isEmpty ? "" : "\(rows.count) \(noun): " + parts.joined(separator: ", "),
        ]
    }

    /// One cluster: its status as a word and a badge colour (never colour alone), the session
    /// holding it, and when it was locked and last reset.
    static func clusterRow(_ cluster: JSONValue) -> [String: Any] {
        let id = cluster["clusterId"]?.stringValue ?? ""
        let status = cluster["status"]?.stringValue ?? "creating"
        var row: [String: Any] = [
            "clusterID": id,
            "statusLabel": status,
            "badge": clusterBadge(status),
            // A reset under way, or a cluster still being made, has nothing to reset yet.
            "canReset": !id.isEmpty && status != "resetting" && status != "creating",
        ]
        if let session = cluster["assignedSession"]?.stringValue, !session.isEmpty {
            row["hasSession"] = true
            row["sessionID"] = session
            row["sessionHref"] = LabPaths.session(session)
        }
        if let lock = LabTime.model(cluster["lockTime"]) { row["lockTime"] = lock }
        if let reset = LabTime.model(cluster["lastReset"]) { row["lastReset"] = reset }
        return row
    }

    static func clusterBadge(_ status: String) -> String {
        switch status {
        case "available": "ok"
        case "locked", "resetting": "warn"
        case "error": "bad"
        default: "muted"
        }
    }

    // MARK: - Sessions

    /// The `labs/sessions` region: running and waiting sessions first (the queue in order),
    /// then ended ones, which the API keeps for the pool's retention.
    static func sessions(_ sessions: [JSONValue]) -> [String: Any] {
        let rows = sessions.enumerated()
            .sorted { left, right in
                let (l, r) = (rank(left.element), rank(right.element))
                return l != r ? l < r : left.offset < right.offset
            }
            .map { sessionRow($0.element) }
        let live = rows.filter { ($0["isOver"] as? Bool) != true }.count
        return ["sessions": rows, "hasSessions": !rows.isEmpty, "liveCount": live]
    }

    /// Running, then pending by queue position, then the rest.
    private static func rank(_ session: JSONValue) -> (Int, Int64) {
        switch session["status"]?.stringValue ?? "pending" {
        case "running": (0, 0)
        case "provisioning": (1, 0)
        case "pending": (2, session["queuePosition"]?.intValue ?? Int64.max)
        default: (3, 0)
        }
    }

    static func sessionRow(_ session: JSONValue) -> [String: Any] {
        let id = session["id"]?.stringValue ?? ""
        let status = session["status"]?.stringValue ?? "pending"
        var row: [String: Any] = [
            "sessionID": id,
            "sessionHref": LabPaths.session(id),
            "statusLabel": status,
            "badge": sessionBadge(status),
            "isOver": isOver(status),
            "scenario": session["scenarioId"]?.stringValue ?? "none",
        ]
        if let user = session["userId"]?.stringValue, !user.isEmpty { row["user"] = user }
        if status == "pending", let position = session["queuePosition"]?.intValue {
            row["queuePosition"] = "\(position)"
        }
        if !isOver(status), let expiry = LabTime.model(session["expirationTime"]) { row["expires"] = expiry }
        return row
    }

    static func sessionBadge(_ status: String) -> String {
        switch status {
        case "running": "ok"
        case "pending", "provisioning": "warn"
        case "failed", "expired": "bad"
        default: "muted"
        }
    }

    static func isOver(_ status: String) -> Bool {
        ["completed", "failed", "expired"].contains(status)
    }

    // MARK: - The start form

    /// What the start form was sent, and what went wrong with it, field by field.
    struct StartForm: Equatable {
        var scenario = ""
        var pool = ""
        var scenarioError: String?
        var poolError: String?
        var formError: String?

        var hasErrors: Bool { scenarioError != nil || poolError != nil || formError != nil }
    }

    /// The `labs/start-form` model: the scenario picker from `GET /api/v1/scenarios` (and "no
    /// scenario", an empty cluster), the pool picker when there is more than one pool.
    static func startForm(scenarios: JSONValue, pools: [String], form: StartForm, csrf: String) -> [String: Any] {
        let options = (scenarios.arrayValue ?? []).compactMap { scenario -> [String: Any]? in
            guard let id = scenario["id"]?.stringValue else { return nil }
            let title = scenario["title"]?.stringValue ?? id
            return ["value": id, "label": title == id ? id : "\(title) (\(id))", "selected": id == form.scenario]
        }
        var model: [String: Any] = [
            "scenarioOptions": options,
            "noScenarioSelected": form.scenario.isEmpty,
            "hasScenarios": !options.isEmpty,
            "hasPool": !pools.isEmpty,
            "choosePool": pools.count > 1,
            "poolOptions": pools.map { ["value": $0, "label": $0, "selected": $0 == form.pool] },
            "csrf": csrf,
        ]
        if let error = form.scenarioError { model["scenarioError"] = error }
        if let error = form.poolError { model["poolError"] = error }
        if let error = form.formError { model["formError"] = error }
        return model
    }

    /// The form's fields read and checked before the service sees them.
    static func readStartForm(scenario: String?, pool: String?) -> StartForm {
        var form = StartForm(scenario: scenario ?? "", pool: pool ?? "")
        if form.scenario.utf8.count > 253 || form.scenario.contains(where: { $0.isNewline }) {
            form.scenarioError = "That is not a scenario name; pick one from the list."
            form.scenario = ""
        }
        if form.pool.utf8.count > 253 || form.pool.contains(where: { $0.isNewline }) {
            form.poolError = "That is not a pool name; pick one from the list."
            form.pool = ""
        }
        return form
    }

    /// The lab API's refusal of a start, put beside the field it names (`field "scenarioId":
    /// …`, `field "pool": …`), or above the form.
    static func place(error message: String, in form: inout StartForm, poolChoice: Bool) {
        if message.hasPrefix("field \"scenarioId\"") {
            form.scenarioError = "There is no scenario \(quoted(form.scenario)) any more; pick one from the list."
        } else if message.hasPrefix("field \"pool\"") {
            if poolChoice {
                form.poolError = "There is no pool \(quoted(form.pool)); pick one from the list."
            } else {
                form.formError =
                    "There is no lab pool yet: start the server with --lab-pool-size, or create one with POST /api/v1/admin/bootstrap-pool."
            }
        } else {
            form.formError = message
        }
    }

    private static func quoted(_ text: String) -> String { "\u{201C}\(text.prefix(64))\u{201D}" }
}

/// The Labs section's paths, in one place.
enum LabPaths {
    static let index = "/ui/labs"

    static func session(_ id: String) -> String {
        "/ui/labs/sessions/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id)
    }
}
