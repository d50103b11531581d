import Foundation
import KubeClient
import KubeModel
import PlatformHTTP

/// Scenarios and their tasks on the lab API, in cks-backend's shapes: a scenario as its
/// `Scenario` (metadata, tasks with their validation rules), the categories as id → name,
/// and a task's validation as its `ValidationResponse` (`success`, `message`, `results`,
/// `timestamp`) with Virtyard's own fields (`taskId`, `passed`, `status`, `checks`) kept.
extension LabService {
    /// Every scenario that reads, by id.
    func scenarioList() throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        let scenarios = cluster.scenarios.list().compactMap { try? Scenario($0) }.sorted { $0.id < $1.id }
        return .array(scenarios.map(\.json))
    }

    func scenarioDetail(_ id: String) throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        guard let object = cluster.scenarios.get(namespace: nil, name: id) else {
            throw LabAPIError(.notFound, "scenario \(id) not found")
        }
        do {
            return try Scenario(object).json
        } catch {
            // Made through the API with rules this version cannot read.
            throw LabAPIError(.conflict, "scenario \(id) cannot be read: \(error)")
        }
    }

    /// The categories the scenarios carry (`spec.categories`, from the directory's
    /// `categories.yaml`), cks-backend's defaults when none does. Kept on the scenarios, in
    /// the cluster, so that every replica and every restart answers the same.
    func categories() throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        var merged: [String: ScenarioCategories.Category] = [:]
        for object in cluster.scenarios.list().sorted(by: { ($0.name ?? "") < ($1.name ?? "") }) {
            for (id, category) in ScenarioCategories(stored: object[path: ["spec", "categories"]]).categories where merged[id] == nil {
                merged[id] = category
            }
        }
        return (merged.isEmpty ? ScenarioCategories.defaults : ScenarioCategories(categories: merged)).json
    }

    func scenario(of session: JSONValue) -> Scenario? {
        guard let id = LabSessionObject(session).scenario,
            let object = connected?.scenarios.get(namespace: nil, name: id)
        else { return nil }
        return try? Scenario(object)
    }

    /// The scenario's tasks with how their last validation went (`pending` before any).
    func tasks(of session: JSONValue) -> [JSONValue] {
        let results = LabSessionObject(session).taskResults
        return scenario(of: session)?.tasks.map { task in
            var json: JSONValue = [
                "id": .string(task.id), "title": .string(task.title), "description": .string(task.description),
                "status": "pending",
            ]
            if let result = results[task.id] {
                json["status"] = result.passed ? "completed" : "failed"
                json["validatedAt"] = result.validatedAt ?? .null
            }
            return json
        } ?? []
    }

    func tasks(_ id: String) throws(LabAPIError) -> JSONValue {
        .array(tasks(of: try session(id)))
    }

    /// Runs the task's rules against the session's cluster and records the outcome. Rules
    /// that need the lab terminal's sandbox (commands, scripts, files) are answered as not
    /// runnable and fail the task: a task is never passed on checks that did not run.
    func validate(_ id: String, task taskID: String) async throws(LabAPIError) -> JSONValue {
        let cluster = try attachment.connected()
        let current = try session(id)
        guard let scenarioID = LabSessionObject(current).scenario else {
            throw LabAPIError(.notFound, "task \(taskID) not found: the session has no scenario")
        }
        guard let object = cluster.scenarios.get(namespace: nil, name: scenarioID) else {
            throw LabAPIError(.notFound, "task \(taskID) not found: the session's scenario \(scenarioID) is gone")
        }
        let scenario: Scenario
        do {
            scenario = try Scenario(object)
        } catch {
            // Written through the API with rules this version cannot read.
            throw LabAPIError(.conflict, "the session's scenario \(scenarioID) cannot be read: \(error)")
        }
        guard let task = scenario.tasks.first(where: { $0.id == taskID }) else {
            throw LabAPIError(.notFound, "task \(taskID) not found in the session's scenario")
        }
        let view = LabSessionObject(current)
        guard view.phase == .running, let clusterID = view.cluster, let token = token(of: current) else {
            throw LabAPIError(.conflict, "the session is not running")
        }
        let results: [RuleResult]
        if task.rules.isEmpty {
            results = []
        } else {
            let client: HTTPKubernetesClient?
            do {
                client = try access.client(clusterID: clusterID, token: token)
            } catch {
                throw LabAPIError(.failed, "cannot reach the session's cluster: \(error)")
            }
            guard let client else { throw LabAPIError(.failed, "the session's cluster cannot be reached from here") }
            results = await Scenario.run(task, against: client)
            try? await client.shutdown()
        }
        let passed = results.allSatisfy(\.passed)
        _ = try? await cluster.api.patch(
            .labSessions, namespace: configuration.namespace, name: id,
            patch: ["status": ["tasks": .object([taskID: LabSessionObject.TaskResult(passed: passed).json])]],
            type: .merge, subresource: "status", options: .default)
        return Self.validationAnswer(taskID: taskID, task: task, results: results, at: Date())
    }

    /// cks-backend's `ValidationResponse` and Virtyard's fields, in one object.
    static func validationAnswer(taskID: String, task: Scenario.Task, results: [RuleResult], at time: Date) -> JSONValue {
        let passed = results.allSatisfy(\.passed)
        let notRunnable = results.filter { !$0.runnable }.count
        var message =
            results.isEmpty
            ? "No validation rules defined for this task" : passed ? "All validations passed" : "One or more validations failed"
        if notRunnable > 0 {
            message += " (\(notRunnable) of \(results.count) need the lab terminal's sandbox and could not run here)"
        }
        return [
            "success": .bool(passed), "message": .string(message),
            "results": .array(results.map(\.json)), "timestamp": .string(Timestamp.string(time)),
            "taskId": .string(taskID), "passed": .bool(passed), "status": .string(passed ? "completed" : "failed"),
            "checks": .array(
                zip(task.rules, results).map { rule, result in
                    [
                        "description": .string(rule.description ?? rule.id), "passed": .bool(result.passed),
                        "message": .string(result.message),
                    ]
                }),
        ]
    }
}
