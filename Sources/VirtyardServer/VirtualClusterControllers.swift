import ControllerKit
import KubeClient
import KubeControllers
import KubeModel
import KubeServer
import Logging
import ServiceLifecycle
import Simulation
import Synchronization

/// What kube-controller-manager, kube-scheduler and the kubelets are to a real cluster, for
/// every virtual cluster of the embedded server: Deployments, Jobs, Services and the rest
/// reconciled, pods scheduled onto the cluster's own nodes and run there by the simulated
/// kubelet. A lab student's `kubectl create deployment` ends with Running pods.
///
/// Each cluster gets its own controllers, informers and client, reaching the cluster as any
/// client does: over the embedded API's address at `/clusters/<id>`, with a token granted in
/// that cluster only. They start when the cluster comes up and stop when it goes, and while
/// it is restored; they run on the leader, with the host's controllers.
final class VirtualClusterControllers: Service, VirtualClusterQuiescing {
    let clusters: VirtualClusters
    /// A client for cluster `id` authenticated by `token`; nil until the embedded API listens.
    let connect: @Sendable (_ clusterID: String, _ token: String) throws -> HTTPKubernetesClient?
    let simulation: SimulationConfiguration
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        /// Whether a term is under way (controllers run only on the leader).
        var leading = false
        var running: [String: Task<Void, Never>] = [:]
        /// Clusters being restored: their controllers wait for the restore's end.
        var quiesced: Set<String> = []
    }

    init(
        clusters: VirtualClusters, connect: @escaping @Sendable (_ clusterID: String, _ token: String) throws -> HTTPKubernetesClient?,
        simulation: SimulationConfiguration, logger: Logger
    ) {
        self.clusters = clusters
        self.connect = connect
        self.simulation = simulation
        self.logger = logger
        clusters.setQuiescer(self)
    }

    func run() async throws {
        let (changes, continuation) = AsyncStream.makeStream(of: VirtualClusters.Change.self)
        state.withLock { $0.leading = true }
        let observation = clusters.observe { continuation.yield($0) }
        defer { observation.cancel() }
        await withGracefulShutdownHandler {
            for await change in changes {
                switch change {
                case .added(let cluster): start(cluster)
                case .removed(let id): state.withLock { $0.running.removeValue(forKey: id) }?.cancel()
                }
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
        // The term is over: every cluster's controllers stop with it.
        let tasks = state.withLock { state in
            state.leading = false
            defer { state.running.removeAll() }
            return Array(state.running.values)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    func quiesce(_ id: String) async {
        let task = state.withLock { state in
            state.quiesced.insert(id)
            return state.running.removeValue(forKey: id)
        }
        task?.cancel()
        await task?.value
    }

    func resume(_ id: String) {
        state.withLock { _ = $0.quiesced.remove(id) }
        if let cluster = clusters.cluster(id) { start(cluster) }
    }

    /// Starts the controllers of `cluster` unless they run, the cluster is being restored, or
    /// no term is under way.
    private func start(_ cluster: VirtualCluster) {
        state.withLock { state in
            guard state.leading, !state.quiesced.contains(cluster.id), state.running[cluster.id] == nil else { return }
            state.running[cluster.id] = Task { await self.runControllers(of: cluster) }
        }
    }

    /// One cluster's controllers, until cancelled.
    private func runControllers(of cluster: VirtualCluster) async {
        let logger = {
            var logger = self.logger
            logger[metadataKey: "cluster"] = "\(cluster.id)"
            return logger
        }()
        let token = BearerToken.generate()
        cluster.tokens.grant(token)
        defer { cluster.tokens.revoke(token) }
        let client: HTTPKubernetesClient
        do {
            guard let made = try connect(cluster.id, token) else {
                logger.warning("the embedded API does not listen yet; the cluster's controllers do not run")
                return
            }
            client = made
        } catch {
            logger.error("cannot make a client for the virtual cluster", metadata: ["error": "\(error)"])
            return
        }
        let informers = SharedInformerFactory(api: client, logger: logger)
        let services = Self.controllers(api: client, informers: informers, simulation: simulation, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await informers.run() }
            for service in services {
                group.addTask {
                    do {
                        try await service.run()
                    } catch is CancellationError {
                    } catch {
                        logger.error("a virtual cluster controller stopped", metadata: ["error": "\(error)"])
                    }
                }
            }
            await group.waitForAll()
        }
        try? await client.shutdown()
        logger.debug("virtual cluster controllers stopped")
    }

    /// The controllers a virtual cluster runs: kube-controller-manager's workload and service
    /// controllers, the scheduler and the simulated kubelet. The cluster's own API tree runs
    /// its namespace, garbage-collection and ServiceAccount controllers.
    static func controllers(
        api: any KubernetesAPI, informers: SharedInformerFactory, simulation: SimulationConfiguration, logger: Logger
    ) -> [any Service] {
        WorkloadControllers.services(api: api, informers: informers, logger: logger)
            + ServiceControllers.services(api: api, informers: informers, logger: logger)
            + SimulationControllers.podControllers(api: api, informers: informers, configuration: simulation, logger: logger)
    }
}
