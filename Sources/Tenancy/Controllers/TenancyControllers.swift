import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// The Cloud Director API's controllers (``VDCReconciler``, ``SessionSweepReconciler``), run
/// by ``TenancyServer`` beside its listener on informers of its own.
///
/// They run with the listener rather than in the leader's controller runtime because the
/// sessions they sweep live in this process: every replica that serves the API keeps its own.
/// The VDC controller writes only what differs from its VDC, so replicas agree rather than
/// fight.
struct TenancyControllers: Sendable {
    let directory: KubeTenantDirectory
    let sessions: SessionStore
    let logger: Logger
    /// The pause before a controller that stopped with an error runs again.
    var restartDelay: Duration = .seconds(5)

    /// Runs the informers and the controllers until cancelled or graceful shutdown; call once
    /// the directory is ready (the tenancy CRDs are served).
    func run() async throws {
        let api = try await directory.api()
        let informers = SharedInformerFactory(api: api, logger: logger)
        let controllers = Self.controllers(
            api: api, informers: informers, directory: directory, sessions: sessions, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informers.run() }
            for controller in controllers {
                group.addTask { try await keepRunning(controller) }
            }
            try await group.waitForAll()
        }
    }

    static func controllers(
        api: any KubernetesAPI, informers: SharedInformerFactory, directory: KubeTenantDirectory, sessions: SessionStore,
        logger: Logger
    ) -> [any Service] {
        let vdcs = informers.informer(for: .vdcs)
        vdcs.addIndex(VDCReconciler.namespaceIndex, VDCReconciler.ownedNamespace)
        let organizations = informers.informer(for: .organizations)
        let users = informers.informer(for: .tenantUsers)
        let owned = CachedVDCObjects(
            namespaces: informers.informer(for: .namespaces),
            quotas: informers.informer(for: .resourceQuotas, fieldSelector: "metadata.name=\(VDCNamespaceObjects.quotaName)"),
            policies: informers.informer(for: .networkPolicies, fieldSelector: "metadata.name=\(VDCNamespaceObjects.policyName)"),
            vdcs: vdcs)
        let byNamespace: @Sendable (JSONValue) -> [ObjectKey] = { VDCReconciler.vdcs(owning: $0.namespace, in: vdcs) }
        let vdcController = Controller(
            name: "vcd-vdc",
            reconciler: VDCReconciler(directory: directory, api: api, vdcs: vdcs, organizations: organizations, owned: owned),
            for: vdcs,
            watches: [
                .mapped(organizations) { organization in
                    vdcs.list().filter { $0["spec"]?["organization"]?.stringValue == organization.name }.compactMap { ObjectKey($0) }
                },
                .mapped(owned.namespaces) { namespace in
                    VDCReconciler.vdcs(owning: namespace.name, in: vdcs)
                },
                .mapped(owned.quotas, byNamespace),
                .mapped(owned.policies, byNamespace),
            ],
            configuration: ControllerConfiguration(workers: 2), logger: logger)
        let sweepKey: @Sendable (JSONValue) -> [ObjectKey] = { _ in [SessionSweepReconciler.key] }
        let sessionController = Controller(
            name: "vcd-sessions",
            reconciler: SessionSweepReconciler(
                directory: directory, sessions: sessions, api: api, organizations: organizations, users: users),
            sources: [.mapped(organizations, sweepKey), .mapped(users, sweepKey)], logger: logger)
        return [vdcController, sessionController]
    }

    /// Runs a controller again after an error (its caches did not sync: the API was away).
    private func keepRunning(_ controller: any Service) async throws {
        while !Task.isCancelled {
            do {
                try await controller.run()
                return
            } catch is CancellationError {
                return
            } catch {
                logger.error("tenancy controller stopped; restarting", metadata: ["error": "\(error)"])
                try await Task.sleep(for: restartDelay)
            }
        }
    }
}
