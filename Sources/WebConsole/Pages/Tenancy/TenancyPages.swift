import Hummingbird
import Logging
import Tenancy

/// The Tenancy section (`/ui/tenancy`): organisations, their VDCs with quota use, and vApps
/// with power on, power off and delete — done through the VCD API's own code
/// (``TenancyConsole``), so the console and the API share one set of rules and tasks.
struct TenancyPages: ConsolePageModule {
    static let topic = "tenancy"

    func register(on router: ConsolePageRouter) {
        let services = router.services
        router.page("/tenancy") { _, _ in
            ConsoleView(
                template: "tenancy/index", title: "Tenancy", section: .tenancy, model: try await Self.model(services),
                liveTopics: [Self.topic])
        }
        router.live(Self.topic, resources: TenancyObjects.resources, access: { _ in .admin }) { _, _ in
            try await Self.region(services)
        }
        router.action("/tenancy/vapps/:id/power-on") { _, context in
            try await Self.act(services, context) { (tenancy, id) async throws(VCDError) in try await tenancy.power(vAppID: id, on: true) }
        }
        router.action("/tenancy/vapps/:id/power-off") { _, context in
            try await Self.act(services, context) { (tenancy, id) async throws(VCDError) in try await tenancy.power(vAppID: id, on: false) }
        }
        router.action("/tenancy/vapps/:id/delete") { _, context in
            try await Self.act(services, context) { (tenancy, id) async throws(VCDError) in try await tenancy.delete(vAppID: id) }
        }
    }

    static func model(_ services: ConsoleServices) async throws -> [String: Any] {
        TenancyViewModel.build(try await TenancyObjects.read(try services.connection.connected()))
    }

    /// The live region alone: what SSE sends and what an action answers.
    static func region(_ services: ConsoleServices) async throws -> ConsoleView {
        ConsoleView(template: "tenancy/live", title: "Tenancy", section: .tenancy, model: try await model(services))
    }

    /// Runs a vApp action and answers the region as it now stands (the status then follows
    /// over SSE as KubeVirt reports it).
    static func act(
        _ services: ConsoleServices, _ context: ConsoleRequestContext,
        _ action: @Sendable (TenancyConsole, String) async throws(VCDError) -> Void
    ) async throws -> ConsoleActionResult {
        let id = context.parameters.get("id") ?? ""
        guard TenancyNames.isUUID(id) else { throw ConsoleError(.notFound, "There is no vApp \(id.prefix(80)).") }
        let tenancy = TenancyConsole(api: try services.connection.connected().api)
        do {
            try await action(tenancy, id)
        } catch {
            throw ConsoleError(error.status, error.message)
        }
        return .fragment(try await region(services))
    }
}
