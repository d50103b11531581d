import Testing

@testable import WebConsole

/// The session page's terminal panel (`terminal/panel`, model key `terminal`).
@Suite struct TerminalPanelTests {
    func render(enabled: Bool) async throws -> String {
        let renderer = try await ConsoleRenderer.bundled()
        return renderer.html(
            ConsoleView(template: "terminal/panel", title: "", model: ["terminal": ["enabled": enabled, "session": "session-ab<c"]]))
    }

    @Test func onItHoldsTheTerminalAndLoadsItsScripts() async throws {
        let html = try await render(enabled: true)
        #expect(html.contains(#"id="terminal""#))
        #expect(html.contains(#"data-socket="/ui/labs/sessions/session-ab&lt;c/terminal""#))
        #expect(html.contains("/console/terminal.js"))
        #expect(html.contains("/xterm/xterm.min.js") && html.contains("/xterm/xterm-addon-fit.min.js"))
        #expect(html.contains(#"role="status""#))
        #expect(!html.contains("<script>"), "no inline script (CSP)")
    }

    @Test func offItSaysSoAndLoadsNothing() async throws {
        let html = try await render(enabled: false)
        #expect(html.contains("Browser terminals are off"))
        #expect(!html.contains(#"id="terminal""#) && !html.contains("<script"))
    }
}
