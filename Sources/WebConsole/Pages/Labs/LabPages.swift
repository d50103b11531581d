import Hummingbird
import KubeModel
import LabPool
import PlatformHTTP

/// The Labs section (`/ui/labs`, the admin's): the pool's clusters with Reset and Release
/// all, the sessions with their places in the queue, and "Start lab" with a scenario picker.
/// Each session's own page is ``LabSessionPages``. Everything goes through the lab API's own
/// calls (``LabService``'s `console`), so the console and `/api/v1/…` follow one set of rules.
struct LabPages: ConsolePageModule {
    func register(on router: ConsolePageRouter) {
        let services = router.services

        router.page("/labs") { _, context in
            let lab = try Self.lab(services)
            let csrf = context.session?.csrfToken ?? ""
            let model: [String: Any] = [
                "pool": LabIndexModels.pool(try lab.console.pool()),
                "sessions": LabIndexModels.sessions(try lab.console.allSessions()),
                "start": Self.startForm(lab, form: LabIndexModels.StartForm(), csrf: csrf),
            ]
            return ConsoleView(
                template: "labs/index", title: "Labs", section: .labs, model: model, liveTopics: ["pool", "sessions"])
        }

        // "Start lab": a new session through the API's own call, then its page. Refusals the
        // person can fix come back as the form with the reason beside the field (422).
        router.action("/labs/sessions") { _, context in
            let lab = try Self.lab(services)
            var form = LabIndexModels.readStartForm(scenario: context.form["scenario"], pool: context.form["pool"])
            let pools = (try? lab.console.poolNames()) ?? []
            if !form.hasErrors {
                do {
                    let started = try await lab.console.startSession(
                        scenario: form.scenario.isEmpty ? nil : form.scenario, pool: form.pool.isEmpty ? nil : form.pool,
                        user: nil)
                    guard let id = started["sessionId"]?.stringValue ?? started["id"]?.stringValue else {
                        throw ConsoleError(.internalServerError, "The session was started but its name did not come back.")
                    }
                    return .redirect(LabPaths.session(id))
                } catch let error as PlatformError where error.kind == .badRequest {
                    LabIndexModels.place(error: error.message, in: &form, poolChoice: pools.count > 1)
                }
            }
            return .fragment(
                ConsoleView(
                    template: "labs/start-form", title: "",
                    model: Self.startForm(lab, form: form, csrf: context.session?.csrfToken ?? ""),
                    status: .unprocessableContent))
        }

        router.action("/labs/clusters/:id/reset") { _, context in
            let lab = try Self.lab(services)
            let id = context.parameters.get("id") ?? ""
            _ = try await lab.console.resetCluster(id)
            return Self.notice("\(id) is being reset; a session that held it has ended.")
        }

        router.action("/labs/release-all") { _, _ in
            let lab = try Self.lab(services)
            let released = try await lab.console.releaseAll()["released"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if released.isEmpty { return Self.notice("No cluster was locked: there was nothing to release.") }
            let noun = released.count == 1 ? "cluster" : "clusters"
            return Self.notice(
                "Released \(released.count) \(noun) (\(released.joined(separator: ", "))): their sessions have ended and they are being reset."
            )
        }

        // Live regions: their HTML is the whole element with its id, for the SSE bridge.
        router.live("pool", resources: [.labClusters, .labPools], access: { _ in .admin }) { _, _ in
            ConsoleView(template: "labs/pool", title: "Pool", model: LabIndexModels.pool(try Self.lab(services).console.pool()))
        }
        router.live("sessions", resources: [.labSessions], access: { _ in .admin }) { _, _ in
            ConsoleView(
                template: "labs/sessions", title: "Sessions",
                model: LabIndexModels.sessions(try Self.lab(services).console.allSessions()))
        }

        LabSessionPages().register(on: router)
    }

    /// The lab service, or a clear answer on a server that runs without one.
    static func lab(_ services: ConsoleServices) throws -> LabService {
        guard let lab = services.lab else { throw ConsoleError(.notFound, "This server runs without the lab pool.") }
        return lab
    }

    static func startForm(_ lab: LabService, form: LabIndexModels.StartForm, csrf: String) -> [String: Any] {
        LabIndexModels.startForm(
            scenarios: (try? lab.console.scenarioList()) ?? [], pools: (try? lab.console.poolNames()) ?? [], form: form,
            csrf: csrf)
    }

    /// A sentence for the page's status line (`#labs-notice`).
    static func notice(_ message: String) -> ConsoleActionResult {
        .fragment(ConsoleView(template: "labs/notice", title: "", model: ["message": message]))
    }
}
