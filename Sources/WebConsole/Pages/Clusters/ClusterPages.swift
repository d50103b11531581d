import Hummingbird
import Provisioning

/// The Clusters section (`/ui/clusters`): provisioned clusters with their node groups, the
/// operations with their progress, and per cluster scale, validate and decommission — each
/// through ``ProvisioningService``'s own checks, so the page refuses what the REST API refuses.
struct ClusterPages: ConsolePageModule {
    static let topic = "clusters"
    /// Who the audit log names for what the console asks.
    static let auditUser = "admin (console)"

    func register(on router: ConsolePageRouter) {
        let services = router.services
        router.page("/clusters") { _, _ in
            ConsoleView(
                template: "clusters/index", title: "Clusters", section: .clusters, model: try await Self.model(services),
                liveTopics: services.provisioning == nil ? [] : [Self.topic])
        }
        router.live(Self.topic, resources: [.clusterDefinitions, .clusterOperations], access: { _ in .admin }) { _, _ in
            ConsoleView(template: "clusters/live", title: "Clusters", section: .clusters, model: try await Self.model(services))
        }
        router.action("/clusters/:name/scale") { _, context in
            let name = try Self.clusterName(context)
            let provisioning = try Self.service(services)
            let form = ScaleForm(cluster: name, form: context.form)
            let groups = try await Self.nodeGroups(of: name, provisioning)
            return .fragment(try await form.submit(provisioning, nodeGroups: groups, user: Self.auditUser))
        }
        router.action("/clusters/:name/validate") { _, context in
            let name = try Self.clusterName(context)
            let provisioning = try Self.service(services)
            let report = try await Self.call { () async throws(ProvisioningConsoleError) in try await provisioning.consoleValidate(name) }
            return .fragment(ConsoleView(template: "clusters/validate-report", title: "Validate", model: ClusterViewModel.report(report)))
        }
        router.action("/clusters/:name/decommission") { _, context in
            let name = try Self.clusterName(context)
            let provisioning = try Self.service(services)
            _ = try await Self.call { () async throws(ProvisioningConsoleError) in
                try await provisioning.consoleDecommission(name, user: Self.auditUser)
            }
            return .redirect("/ui/clusters")
        }
    }

    static func model(_ services: ConsoleServices) async throws -> [String: Any] {
        guard let provisioning = services.provisioning else {
            return ["disabled": true, "clusters": [Any](), "operations": [Any]()]
        }
        let clusters = try await call { () async throws(ProvisioningConsoleError) in try await provisioning.consoleClusters() }
        let operations = try await call { () async throws(ProvisioningConsoleError) in try await provisioning.consoleOperations() }
        return ClusterViewModel.build(clusters: clusters, operations: operations)
    }

    static func service(_ services: ConsoleServices) throws -> ProvisioningService {
        guard let provisioning = services.provisioning else {
            throw ConsoleError(.notFound, "Provisioning is not enabled on this server.")
        }
        return provisioning
    }

    /// The node groups the scale form offers, as the cluster's specification names them.
    static func nodeGroups(of name: String, _ provisioning: ProvisioningService) async throws -> [String] {
        let clusters = try await call { () async throws(ProvisioningConsoleError) in try await provisioning.consoleClusters() }
        guard let cluster = clusters.first(where: { $0["name"]?.stringValue == name }) else {
            throw ConsoleError(.notFound, "There is no cluster \(name).")
        }
        return (cluster["nodeGroups"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    /// A cluster name from the path: a DNS label, else no such cluster.
    static func clusterName(_ context: ConsoleRequestContext) throws -> String {
        let name = context.parameters.get("name") ?? ""
        guard name.utf8.count <= 63, !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        else { throw ConsoleError(.notFound, "There is no cluster \(name.prefix(64)).") }
        return name
    }

    /// A provisioning call, its refusal shown with the REST API's status and message.
    static func call<T>(_ body: () async throws(ProvisioningConsoleError) -> T) async throws(ConsoleError) -> T {
        do {
            return try await body()
        } catch {
            throw ConsoleError(error.status, error.message)
        }
    }
}
