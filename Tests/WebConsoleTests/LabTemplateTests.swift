import Foundation
import KubeModel
import Testing

@testable import WebConsole

/// The Labs templates rendered with the bundled renderer: live regions carry the ids the
/// SSE bridge replaces, hostile names stay text, and no CSRF token reaches a live fragment.
@Suite struct LabTemplateTests {
    static let hostile = "<script>alert(1)</script>\"'"

    @Test func indexPageHasItsRegionsAndEscapesNames() async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let model: [String: Any] = [
            "pool": LabIndexModels.pool(LabViewModelTests.pool),
            "sessions": LabIndexModels.sessions([["id": "s1", "status": "pending", "queuePosition": 1, "userId": .string(Self.hostile)]]),
            "start": LabIndexModels.startForm(
                scenarios: [["id": "pods", "title": .string(Self.hostile)]], pools: ["default"], form: .init(), csrf: "csrf-1"),
        ]
        let html = renderer.html(ConsoleView(template: "labs/index", title: "Labs", model: model))
        #expect(html.contains("id=\"live-pool\""))
        #expect(html.contains("id=\"live-sessions\""))
        #expect(html.contains("<label for=\"start-scenario\">Scenario</label>"))
        #expect(html.contains(">Start lab</button>"))
        #expect(html.contains("aria-label=\"Reset cluster1\""))
        #expect(html.contains("hx-post=\"/ui/labs/release-all\""))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(!html.contains("style="))
        #expect(html.components(separatedBy: "<th scope=\"col\">").count - 1 == 11)
    }

    @Test func emptyStatesSayWhatToDo() async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let model: [String: Any] = [
            "pool": LabIndexModels.pool(["clusters": []]),
            "sessions": LabIndexModels.sessions([]),
            "start": LabIndexModels.startForm(scenarios: [], pools: [], form: .init(), csrf: "c"),
        ]
        let html = renderer.html(ConsoleView(template: "labs/index", title: "Labs", model: model))
        #expect(html.contains("No lab clusters yet"))
        #expect(html.contains("No lab sessions. Start one above"))
        #expect(html.contains("There is no lab pool yet"))
        #expect(html.contains("No scenarios are loaded"))
        #expect(!html.contains("<table>"))
    }

    @Test func liveFragmentsAreTheRegionAloneWithoutTheCSRFToken() async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let pool = renderer.html(ConsoleView(template: "labs/pool", title: "", model: LabIndexModels.pool(LabViewModelTests.pool)))
        #expect(pool.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("<div id=\"live-pool\">"))
        let status = renderer.html(
            ConsoleView(
                template: "labs/session-status", title: "",
                model: LabSessionModels.status(["id": "s1", "status": "running", "expirationTime": "2026-12-05T11:00:00Z"])))
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("<section id=\"live-session-s1\""))
        #expect(status.contains("<time data-countdown datetime=\"2026-12-05T11:00:00Z\">"))
        #expect(status.contains(">Extend</button>"))
        #expect(status.contains(">End session</button>"))
        #expect(status.contains("href=\"/ui/labs/sessions/s1/kubeconfig\""))
        #expect(!status.contains("_csrf"))
        #expect(!pool.contains("_csrf"))
    }

    @Test func sessionPageHasTasksWithCheckAndTheTerminalPanel() async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let session: JSONValue = [
            "id": "s1", "status": "pending", "queuePosition": 2, "scenarioId": "pods",
            "tasks": [["id": "01", "title": "One", "status": "pending"]],
        ]
        let scenario: JSONValue = [
            "id": "pods", "title": "Pods", "description": "Run <b>this</b> [x](javascript:alert(1))",
            "tasks": [["id": "01", "title": .string(Self.hostile), "description": "do it"], ["id": "02", "title": "Two"]],
        ]
        let model = LabSessionModels.page(session: session, scenario: scenario, csrf: "csrf-2", isAdmin: true, terminalsEnabled: false)
        let html = renderer.html(ConsoleView(template: "labs/session", title: "Pods", model: model))
        #expect(html.components(separatedBy: ">Check</button>").count - 1 == 2)
        #expect(html.contains("name=\"task\" value=\"01\""))
        #expect(html.contains("name=\"_csrf\" value=\"csrf-2\""))
        #expect(html.contains("id=\"task-result-1\""))
        #expect(html.contains("Not checked yet"))
        #expect(html.contains("Number 2 in the queue"))
        #expect(!html.contains(">Extend</button>"))
        #expect(html.contains("Browser terminals are off"))
        #expect(!html.contains("<b>this</b>"))
        #expect(!html.contains("javascript:alert(1)\""))
        #expect(!html.contains("<script>"))
        #expect(!html.contains("style="))
    }

    @Test func checkResultFragmentShowsEachRule() async throws {
        let renderer = try await ConsoleRenderer.bundled()
        let model = LabSessionModels.checkResult([
            "passed": false, "message": "One or more validations failed",
            "checks": [["description": "ConfigMap x exists", "passed": false, "message": "not found"]],
        ])
        let html = renderer.html(ConsoleView(template: "labs/task-result", title: "", model: model))
        #expect(html.contains("<span class=\"badge bad\">Failed</span> One or more validations failed"))
        #expect(html.contains("<span class=\"badge bad\">failed</span> ConfigMap x exists: not found"))
    }
}
