import ControllerKit
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// The lab pool's controllers: pools keep their members, members go through bootstrap and
/// reset, the queue leases free members to waiting sessions, sessions run and end.
public enum LabPoolControllers {
    public struct Configuration: Sendable {
        /// Size of the `default` pool created at start-up (`--lab-pool-size`); nil creates none.
        public var defaultPoolSize: Int?
        public var probe: any NestedClusterProbe
        public var access: any SessionAccess
        /// Scenarios from files (`--lab-scenarios`), applied at the start of every term.
        public var scenarioFiles: ScenarioFiles?

        public init(
            defaultPoolSize: Int? = nil, probe: any NestedClusterProbe = RunningVMsAnswer(),
            access: any SessionAccess = NoSessionAccess(), scenarioFiles: ScenarioFiles? = nil
        ) {
            self.defaultPoolSize = defaultPoolSize
            self.probe = probe
            self.access = access
            self.scenarioFiles = scenarioFiles
        }
    }

    public static func services(
        api: any KubernetesAPI, informers: SharedInformerFactory,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "virtyard.labpool")
    ) -> [any Service] {
        let pools = informers.informer(for: .labPools)
        let clusters = informers.informer(for: .labClusters)
        let vms = informers.informer(for: .virtualMachines)
        let snapshots = informers.informer(for: .virtualMachineSnapshots)
        let restores = informers.informer(for: .virtualMachineRestores)
        let sessions = informers.informer(for: .labSessions)
        /// A lab cluster's objects live in its namespace, named after it.
        let clusterOf: @Sendable (JSONValue) -> [ObjectKey] = { object in
            guard let namespace = object.namespace, clusters.get(namespace: namespace, name: namespace) != nil else { return [] }
            return [ObjectKey(namespace: namespace, name: namespace)]
        }
        let poolController = Controller(
            name: "labpool",
            reconciler: LabPoolReconciler(api: api, pools: pools, clusters: clusters, logger: logger),
            for: pools,
            watches: [
                .mapped(clusters) { cluster in
                    LabClusterObject(cluster).pool.map { [ObjectKey(namespace: nil, name: $0)] } ?? []
                }
            ],
            logger: logger)
        let clusterController = Controller(
            name: "labcluster",
            reconciler: LabClusterReconciler(
                api: api, pools: pools, clusters: clusters, vms: vms, snapshots: snapshots,
                restores: restores, sessions: sessions, probe: configuration.probe, logger: logger),
            for: clusters,
            watches: [.mapped(vms, clusterOf), .mapped(snapshots, clusterOf), .mapped(restores, clusterOf)],
            configuration: ControllerConfiguration(workers: 8), logger: logger)
        // One key per pool: every change to a session or a cluster of the pool asks for a pass.
        let poolKey: @Sendable (String?) -> [ObjectKey] = { pool in pool.map { [ObjectKey(namespace: nil, name: $0)] } ?? [] }
        let queueController = Controller(
            name: "labqueue",
            reconciler: LabQueueReconciler(
                api: api, sessions: sessions, clusters: clusters, pools: pools,
                access: configuration.access, recent: RecentWrites(), starting: StartsInFlight(), logger: logger),
            for: pools,
            watches: [
                .mapped(sessions) { poolKey(LabSessionObject($0).pool) },
                .mapped(clusters) { poolKey(LabClusterObject($0).pool) },
            ],
            logger: logger)
        let sessionController = Controller(
            name: "labsession",
            reconciler: LabSessionReconciler(
                api: api, sessions: sessions, clusters: clusters, pools: pools,
                scenarios: informers.informer(for: .labScenarios),
                secrets: informers.informer(for: .secrets, labelSelector: SessionTokens.label),
                access: configuration.access, logger: logger),
            for: sessions,
            // A lease that raced the end of its session is given back by the session's pass.
            watches: [
                .mapped(clusters) { cluster in
                    guard let holder = LabClusterObject(cluster).assignedSession else { return [] }
                    return sessions.list().filter { $0.name == holder }.compactMap { ObjectKey($0) }
                },
                // A changed sessionRetention applies to the sessions already ended.
                .mapped(pools) { pool in
                    sessions.list().filter { object in
                        let session = LabSessionObject(object)
                        return session.pool == pool.name && session.isOver
                    }.compactMap { ObjectKey($0) }
                },
            ],
            configuration: ControllerConfiguration(workers: 8), logger: logger)
        var services: [any Service] = [poolController, clusterController, queueController, sessionController]
        if let size = configuration.defaultPoolSize {
            services.append(DefaultPool(api: api, size: size, logger: logger))
        }
        if let files = configuration.scenarioFiles {
            services.append(ScenarioLoader(files: files, api: api, logger: logger))
        }
        return services
    }
}

/// Creates (or resizes) the `default` pool once at start-up.
struct DefaultPool: Service {
    let api: any KubernetesAPI
    let size: Int
    let logger: Logger

    func run() async throws {
        try await Self.apply(size: size, api: api)
        logger.info("default lab pool", metadata: ["size": "\(size)"])
        // Stays until shutdown, like the other services of a term.
        try await gracefulShutdown()
    }

    /// Creates the pool `default` with `size` clusters, or resizes it.
    static func apply(size: Int, api: any KubernetesAPI) async throws {
        let pool = LabPoolObject(name: Lab.defaultPool, size: size)
        let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
            try await api.create(.labPools, object: pool.object)
        }
        if created == nil {
            _ = try await api.patch(.labPools, name: Lab.defaultPool, patch: ["spec": ["size": .int(Int64(size))]])
        }
    }
}
