import Foundation
import KubeModel
import Testing

@testable import WebConsole

/// The Labs pages' view models, from the lab API's JSON shapes (as `GET /api/v1/pool`,
/// `/api/v1/sessions`, `/api/v1/scenarios` and a task's validation answer).
@Suite struct LabViewModelTests {
    static let pool: JSONValue = [
        "clusters": [
            [
                "clusterId": "cluster1", "status": "locked", "assignedSession": "session-abc",
                "lockTime": "2026-12-05T10:31:02.123456Z", "lastReset": "2026-12-05T09:00:00Z",
            ],
            ["clusterId": "cluster2", "status": "available", "assignedSession": nil, "lockTime": nil, "lastReset": nil],
            ["clusterId": "cluster3", "status": "resetting", "assignedSession": nil, "lockTime": nil, "lastReset": "not a time"],
            ["clusterId": "cluster4", "status": "error", "assignedSession": nil],
        ]
    ]

    @Test func poolRowsCarryStatusWordsSessionsAndTimes() throws {
        let model = LabIndexModels.pool(Self.pool)
        #expect(model["hasClusters"] as? Bool == true)
        #expect(model["summary"] as? String == "4 clusters: 1 available, 1 locked, 1 resetting, 1 error")
        let rows = try #require(model["clusters"] as? [[String: Any]])
        #expect(rows.map { $0["clusterID"] as? String } == ["cluster1", "cluster2", "cluster3", "cluster4"])
        #expect(rows.map { $0["badge"] as? String } == ["warn", "ok", "warn", "bad"])
        #expect(rows[0]["sessionHref"] as? String == "/ui/labs/sessions/session-abc")
        #expect(rows[0]["hasSession"] as? Bool == true)
        #expect(rows[1]["hasSession"] == nil)
        let lock = try #require(rows[0]["lockTime"] as? [String: Any])
        #expect(lock["iso"] as? String == "2026-12-05T10:31:02.123456Z")
        #expect(lock["text"] as? String == "2026-12-05 10:31:02 UTC")
        // Text that is not a timestamp never reaches a datetime attribute.
        #expect(rows[2]["lastReset"] == nil)
        // A reset under way cannot be asked for again.
        #expect(rows.map { $0["canReset"] as? Bool } == [true, true, false, true])
    }

    @Test func anEmptyPoolSaysSo() {
        let model = LabIndexModels.pool(["clusters": []])
        #expect(model["hasClusters"] as? Bool == false)
        #expect((model["clusters"] as? [[String: Any]])?.isEmpty == true)
    }

    @Test func sessionsListRunningThenTheQueueInOrderThenEnded() throws {
        let sessions: [JSONValue] = [
            ["id": "ended", "status": "completed", "expirationTime": "2026-12-05T11:00:00Z"],
            ["id": "second", "status": "pending", "queuePosition": 2, "scenarioId": "pods"],
            ["id": "running", "status": "running", "expirationTime": "2026-12-05T11:00:00Z", "userId": "ada"],
            ["id": "first", "status": "pending", "queuePosition": 1],
        ]
        let model = LabIndexModels.sessions(sessions)
        let rows = try #require(model["sessions"] as? [[String: Any]])
        #expect(rows.map { $0["sessionID"] as? String } == ["running", "first", "second", "ended"])
        #expect(rows[1]["queuePosition"] as? String == "1")
        #expect(rows[0]["queuePosition"] == nil)
        #expect(rows[0]["user"] as? String == "ada")
        #expect(rows[2]["scenario"] as? String == "pods")
        #expect(rows[1]["scenario"] as? String == "none")
        #expect((rows[0]["expires"] as? [String: Any])?["iso"] as? String == "2026-12-05T11:00:00Z")
        // An ended session's expiry means nothing any more.
        #expect(rows[3]["expires"] == nil)
        #expect(model["liveCount"] as? Int == 3)
    }

    @Test func startFormOffersScenariosAndKeepsTheChoice() throws {
        let scenarios: JSONValue = [["id": "pods", "title": "Harden a Pod"], ["id": "plain", "title": "plain"]]
        var form = LabIndexModels.StartForm(scenario: "pods")
        let model = LabIndexModels.startForm(scenarios: scenarios, pools: ["default"], form: form, csrf: "t")
        let options = try #require(model["scenarioOptions"] as? [[String: Any]])
        #expect(options.map { $0["label"] as? String } == ["Harden a Pod (pods)", "plain"])
        #expect(options.map { $0["selected"] as? Bool } == [true, false])
        #expect(model["noScenarioSelected"] as? Bool == false)
        #expect(model["choosePool"] as? Bool == false)
        #expect(model["hasPool"] as? Bool == true)
        #expect(model["scenarioError"] == nil)

        LabIndexModels.place(error: "field \"scenarioId\": no scenario \"pods\"", in: &form, poolChoice: false)
        #expect(form.scenarioError?.contains("pods") == true)
        var noPool = LabIndexModels.StartForm()
        LabIndexModels.place(error: "field \"pool\": no lab pool \"default\"", in: &noPool, poolChoice: false)
        #expect(noPool.formError?.contains("bootstrap-pool") == true)
        var choice = LabIndexModels.StartForm(pool: "gone")
        LabIndexModels.place(error: "field \"pool\": no lab pool \"gone\"", in: &choice, poolChoice: true)
        #expect(choice.poolError?.contains("gone") == true)
    }

    @Test func hostileStartFormValuesAreRefusedBeforeTheService() {
        let long = LabIndexModels.readStartForm(scenario: String(repeating: "a", count: 300), pool: nil)
        #expect(long.scenarioError != nil)
        #expect(long.scenario.isEmpty)
        let newline = LabIndexModels.readStartForm(scenario: nil, pool: "a\nb")
        #expect(newline.poolError != nil)
        #expect(!LabIndexModels.readStartForm(scenario: "pods", pool: "").hasErrors)
    }

    @Test func sessionStatusForPendingRunningAndEnded() {
        let pending = LabSessionModels.status(["id": "s1", "status": "pending", "queuePosition": 3])
        #expect(pending["isPending"] as? Bool == true)
        #expect(pending["canExtend"] as? Bool == false)
        #expect(pending["canEnd"] as? Bool == true)
        #expect(pending["liveID"] as? String == "live-session-s1")
        #expect((pending["explanation"] as? String)?.contains("Number 3 in the queue") == true)

        let running = LabSessionModels.status([
            "id": "s1", "status": "running", "expirationTime": "2026-12-05T11:00:00.000001Z", "assignedCluster": "cluster1",
            "message": "Running on cluster1",
        ])
        #expect(running["isRunning"] as? Bool == true)
        #expect(running["canExtend"] as? Bool == true)
        #expect((running["expires"] as? [String: Any])?["iso"] as? String == "2026-12-05T11:00:00.000001Z")
        #expect(running["cluster"] as? String == "cluster1")

        let ended = LabSessionModels.status([
            "id": "s1", "status": "completed", "expirationTime": "2026-12-05T11:00:00Z", "endTime": "2026-12-05T10:40:00Z",
        ])
        #expect(ended["canEnd"] as? Bool == false)
        #expect(ended["canExtend"] as? Bool == false)
        #expect(ended["expires"] == nil)
        #expect((ended["ended"] as? [String: Any])?["text"] as? String == "2026-12-05 10:40:00 UTC")
    }

    @Test func sessionPageJoinsScenarioTextWithTaskOutcomes() throws {
        let session: JSONValue = [
            "id": "s1", "status": "running", "scenarioId": "pods",
            "tasks": [["id": "01", "title": "One", "status": "completed"], ["id": "02", "title": "Two", "status": "failed"]],
        ]
        let scenario: JSONValue = [
            "id": "pods", "title": "Harden a Pod", "description": "Read <this> **first**",
            "tasks": [
                ["id": "01", "title": "One", "description": "Make `a<b`", "objective": "be safe", "hints": ["try kubectl"]],
                ["id": "02", "title": "Two", "steps": ["1. first", "2. second"]],
                ["id": "03", "title": "Three"],
            ],
        ]
        let model = LabSessionModels.page(session: session, scenario: scenario, csrf: "c", isAdmin: false, terminalsEnabled: false)
        #expect(LabSessionModels.title(session: session, scenario: scenario) == "Harden a Pod")
        #expect(LabSessionModels.title(session: ["id": "s2"], scenario: nil) == "Lab session")
        let description = try #require(model["descriptionHTML"] as? String)
        #expect(description.contains("&lt;this"), "\(description)")
        #expect(description.contains("<strong>first</strong>"), "\(description)")
        let tasks = try #require(model["tasks"] as? [[String: Any]])
        #expect(tasks.map { $0["taskID"] as? String } == ["01", "02", "03"])
        #expect(tasks.map { ($0["result"] as? [String: Any])?["label"] as? String } == ["Passed", "Failed", "Not checked yet"])
        #expect((tasks[0]["taskHTML"] as? String)?.contains("<code>a&lt;b</code>") == true)
        #expect((tasks[0]["taskHTML"] as? String)?.contains("<strong>Objective:</strong> be safe") == true)
        #expect((tasks[0]["hints"] as? [[String: Any]])?.count == 1)
        #expect((tasks[1]["taskHTML"] as? String)?.contains("<li>second</li>") == true)
        #expect(tasks[2]["hasText"] as? Bool == false)
        let terminal = try #require(model["terminal"] as? [String: Any])
        #expect(terminal["enabled"] as? Bool == false)
        #expect(terminal["session"] as? String == "s1")
    }

    @Test func checkResultListsEachRuleWithItsMessage() throws {
        let answer: JSONValue = [
            "success": false, "passed": false, "message": "One or more validations failed",
            "timestamp": "2026-12-05T10:45:00Z",
            "checks": [
                ["description": "ConfigMap default/x exists", "passed": false, "message": "configmaps \"x\" not found"],
                ["description": "Namespace has label", "passed": true, "message": ""],
            ],
        ]
        let model = LabSessionModels.checkResult(answer)
        #expect(model["label"] as? String == "Failed")
        #expect(model["badge"] as? String == "bad")
        #expect(model["summary"] as? String == "One or more validations failed")
        #expect(model["checkedAt"] as? String == "2026-12-05 10:45:00 UTC")
        let checks = try #require(model["checks"] as? [[String: Any]])
        #expect(checks.map { $0["checkLabel"] as? String } == ["failed", "passed"])
        #expect(checks[0]["checkMessage"] as? String == "configmaps \"x\" not found")
        // An empty message is left out, so the template shows none.
        #expect(checks[1]["checkMessage"] == nil)

        let passed = LabSessionModels.checkResult(["passed": true, "message": "All validations passed", "checks": []])
        #expect(passed["label"] as? String == "Passed")
        #expect(passed["hasChecks"] as? Bool == false)
    }

    @Test func sessionPathsAreEncoded() {
        #expect(LabPaths.session("session-abc") == "/ui/labs/sessions/session-abc")
        #expect(LabPaths.session("a/b?c") == "/ui/labs/sessions/a%2Fb%3Fc")
    }
}
