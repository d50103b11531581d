import Hummingbird
import KubeModel
import LabPool
import PlatformHTTP

/// A lab session's page (`/ui/labs/sessions/:name`), for the admin or for a browser signed
/// in with that session's own token: the scenario's instructions, its tasks with Check, the
/// time left with Extend, End session, the kubeconfig and the terminal. The status region is
/// live (`session:<name>`), so "pending → running" arrives without a reload.
///
/// Another session's token gets the 404 of a session that does not exist, as the API answers.
struct LabSessionPages {
    /// The session named in the path, and who may act on it.
    static let ownSession: ConsolePageRouter.AccessRule = { _, context in
        .adminOrSession(context.parameters.get("name") ?? "")
    }

    func register(on router: ConsolePageRouter) {
        let services = router.services
        let own = Self.ownSession

        router.page("/labs/sessions/:name", access: own) { _, context in
            let lab = try LabPages.lab(services)
            let name = context.parameters.get("name") ?? ""
            let session = try lab.console.session(name)
            // A scenario removed since the session started: the page still works, without text.
            let scenario = session["scenarioId"]?.stringValue.flatMap { try? lab.console.scenario($0) }
            let isAdmin = context.session?.isAdmin ?? false
            let model = LabSessionModels.page(
                session: session, scenario: scenario, csrf: context.session?.csrfToken ?? "", isAdmin: isAdmin,
                terminalsEnabled: services.terminals != nil)
            return ConsoleView(
                template: "labs/session", title: LabSessionModels.title(session: session, scenario: scenario),
                section: isAdmin ? .labs : nil, model: model, liveTopics: ["session:\(name)"])
        }

        router.live("session", resources: [.labSessions], access: { argument in .adminOrSession(argument ?? "") }) { _, argument in
            let session = try LabPages.lab(services).console.session(argument ?? "")
            return ConsoleView(template: "labs/session-status", title: "Status", model: LabSessionModels.status(session))
        }

        // Check: the task's rules run against the session's cluster; the outcome, with each
        // rule's message, replaces the task's result line.
        router.action("/labs/sessions/:name/check", access: own) { _, context in
            let lab = try LabPages.lab(services)
            let name = context.parameters.get("name") ?? ""
            guard let task = context.form["task"], !task.isEmpty, task.utf8.count <= 253 else {
                throw ConsoleError(.badRequest, "Say which task to check (the form's task field is missing).")
            }
            let answer = try await lab.console.validate(name, task: task)
            return .fragment(ConsoleView(template: "labs/task-result", title: "", model: LabSessionModels.checkResult(answer)))
        }

        router.action("/labs/sessions/:name/extend", access: own) { _, context in
            let lab = try LabPages.lab(services)
            let name = context.parameters.get("name") ?? ""
            let extended = try await lab.console.extendSession(name, minutes: LabSessionModels.extendMinutes)
            return .fragment(ConsoleView(template: "labs/session-status", title: "", model: LabSessionModels.status(extended)))
        }

        // End: the admin stays on the (now ended) page; the session's own browser is signed
        // out, since its token stopped working.
        let browsers = router.sessions
        router.action("/labs/sessions/:name/end", access: own) { _, context in
            let lab = try LabPages.lab(services)
            let name = context.parameters.get("name") ?? ""
            _ = try await lab.console.endSession(name)
            browsers.signOut(labSession: name)
            if context.session?.labSession != nil { return .redirect("/ui/login") }
            return .redirect(LabPaths.session(name))
        }

        // A plain link (GET: it changes nothing), so it downloads without script.
        router.action("/labs/sessions/:name/kubeconfig", method: .get, access: own) { _, context in
            let lab = try LabPages.lab(services)
            let name = context.parameters.get("name") ?? ""
            return .download(filename: "\(name)-kubeconfig.yaml", contentType: "application/yaml", body: try lab.console.kubeconfig(name))
        }
    }
}
