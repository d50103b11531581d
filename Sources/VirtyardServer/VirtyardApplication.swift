import Capacity
import ControllerKit
import Foundation
import ImageSync
import KubeClient
import KubeControllers
import KubeModel
import KubeServer
import LabPool
import Logging
import Prometheus
import Provisioning
import ServiceLifecycle
import Simulation
import Templates
import Tenancy
import WebConsole

/// Everything `virtyard serve` runs, wired together: the embedded Kubernetes API (or a real
/// cluster's), the controllers of every capability on the replica that leads, and the
/// platform address. The command line only turns flags into a ``Configuration`` and says
/// where things listen.
public struct VirtyardApplication: Sendable {
    public struct Configuration: Sendable {
        /// Which Kubernetes API the controllers drive.
        public enum Cluster: Sendable {
            /// The embedded API server (DESIGN.md §1), with the simulated infrastructure.
            case embedded(KubeAPIServer.Configuration)
            /// A real cluster; `simulatedKubeVirt` runs Virtyard's KubeVirt controllers there
            /// too (a cluster without KubeVirt, such as kind with KWOK).
            case external(KubeConfig, simulatedKubeVirt: Bool)
        }

        public var cluster: Cluster
        public var dataDirectory: String
        /// Valid on the embedded API and the platform address.
        public var adminToken: String
        public var platform: ListenAddress
        public var connections: ConnectionLimits
        public var leaderElection: LeaderElectionConfiguration
        /// Install Virtyard's CRDs into the cluster when it lacks them.
        public var installCRDs: Bool
        public var simulation: SimulationConfiguration
        public var capacity: CapacityService.Configuration
        public var labPool: LabPoolControllers.Configuration
        public var imageSync: ImageSyncControllers.Configuration
        /// Where the Cloud Director compatible API listens; nil does not serve it.
        public var vcd: ListenAddress?
        /// The System administrator's password as the operator provides it (every replica
        /// reads the same mounted Secret); nil keeps one in the data directory.
        public var vcdAdminPasswordFile: String?
        /// The platform address as users reach it (an Ingress), for the session kubeconfigs
        /// of the lab proxy on a real cluster; nil uses the address it listens on.
        public var publicURL: String?
        /// Serve the platform address over HTTPS with these certificates (`--platform-tls`):
        /// kubectl sends a session's token only over TLS. Nil serves plain HTTP (behind an
        /// Ingress that terminates TLS).
        public var platformTLS: ServingCertificates?
        /// On a real cluster with simulated KubeVirt: where the simulated lab VMs' guest APIs
        /// are served (``KubeAPIServer/Configuration/guestsOnly``); nil hosts none.
        public var guestAPI: KubeAPIServer.Configuration?
        /// On a real cluster: also simulate nodes, kubelets, the scheduler and
        /// kube-controller-manager's workload controllers (`--sim-cluster`, for an API server
        /// with nothing behind it such as `virtyard apiserver`).
        public var simulatesCluster = false
        /// Run the simulation alone (`--simulation-only`): none of the platform's controllers,
        /// under a Lease of its own, beside platform replicas in other processes.
        public var simulationOnly = false
        /// Browser terminals for lab sessions (`serve --lab-terminals`); nil: off. Embedded,
        /// the sandbox that serves the simulated control-plane VMs' consoles; on a real
        /// cluster, KubeVirt's own consoles and no sandbox here (``LabTerminals/Configuration/realCluster``).
        public var labTerminals: LabTerminals.Configuration?
        public var shutdown: ShutdownBudget

        public init(
            cluster: Cluster, dataDirectory: String, adminToken: String, platform: ListenAddress,
            connections: ConnectionLimits = ConnectionLimits(), leaderElection: LeaderElectionConfiguration,
            installCRDs: Bool = true, simulation: SimulationConfiguration, capacity: CapacityService.Configuration,
            labPool: LabPoolControllers.Configuration, imageSync: ImageSyncControllers.Configuration,
            vcd: ListenAddress? = nil, labTerminals: LabTerminals.Configuration? = nil,
            shutdown: ShutdownBudget = ShutdownBudget()
        ) {
            self.cluster = cluster
            self.dataDirectory = dataDirectory
            self.adminToken = adminToken
            self.platform = platform
            self.connections = connections
            self.leaderElection = leaderElection
            self.installCRDs = installCRDs
            self.simulation = simulation
            self.capacity = capacity
            self.labPool = labPool
            self.imageSync = imageSync
            self.vcd = vcd
            self.labTerminals = labTerminals
            self.shutdown = shutdown
        }
    }

    /// Where the application listens, once it does.
    public struct Endpoints: Sendable {
        /// The embedded API's URL; nil when driving a real cluster.
        public var kubeAPI: String?
        public var platform: String
        /// The CA of the embedded API's serving certificate (for kubeconfigs).
        public var certificateAuthorityPEM: String?
        /// The Cloud Director API's URL, when it is served.
        public var vcd: String?
    }

    public let configuration: Configuration
    let metrics: PrometheusCollectorRegistry
    /// The platform address's URL once it listens (session kubeconfigs of the lab proxy).
    let platformURL = BoundURL()

    public init(configuration: Configuration, metrics: PrometheusCollectorRegistry) {
        self.configuration = configuration
        self.metrics = metrics
    }

    /// Runs until SIGTERM or SIGINT (then stops within ``ShutdownBudget``).
    ///
    /// - Parameters:
    ///   - whenListening: called once every listener is bound, with the addresses.
    ///   - whenListeningFailed: called at once when a listener cannot start (a port in use),
    ///     before the services are stopped, so the caller can report it without waiting.
    public func run(
        whenListening: @escaping @Sendable (Endpoints) async throws -> Void,
        whenListeningFailed: @escaping @Sendable (any Error) -> Void = { _ in }
    ) async throws {
        let logger = Logger(label: "virtyard")
        if let openFiles = FileDescriptorLimit.raiseToHardLimit() {
            logger.debug("open file limit", metadata: ["limit": "\(openFiles)"])
        }
        let parts = try assemble()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let apiServer = parts.apiServer { services.append(.init(service: apiServer)) }
        if let guestAPI = parts.guestAPI { services.append(.init(service: guestAPI)) }
        if let labProxy = parts.labProxy { services.append(.init(service: labProxy)) }
        services.append(.init(service: parts.platform))
        services.append(.init(service: parts.controllers))
        if let tenancy = parts.tenancy { services.append(.init(service: tenancy)) }
        if let terminals = parts.terminals { services.append(.init(service: TerminalSweep(terminals: terminals))) }
        // Last, so that it is told first.
        services.append(.init(service: ShutdownWatchdog(limit: configuration.shutdown.watchdog, logger: logger)))
        var group = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // No maximumCancellationDuration: past it ServiceLifecycle crashes the process with a
        // fatalError; the watchdog ends it cleanly instead (a logged error, status 70).
        group.maximumGracefulShutdownDuration = configuration.shutdown.graceful
        let serviceGroup = ServiceGroup(configuration: group)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await serviceGroup.run() }
            tasks.addTask {
                let endpoints: Endpoints
                do {
                    endpoints = try await parts.endpoints()
                } catch is CancellationError {
                    return
                } catch {
                    whenListeningFailed(error)
                    throw error
                }
                try await whenListening(endpoints)
            }
            try await tasks.waitForAll()
        }
    }

    /// The services, built but not started.
    struct Parts {
        let apiServer: KubeAPIServer?
        let platform: PlatformServer
        let controllers: ControllerRuntime
        let tenancy: TenancyServer?
        let terminals: LabTerminals?
        let labProxy: LabClusterProxy?
        let guestAPI: KubeAPIServer?
        let endpoints: @Sendable () async throws -> Endpoints
    }

    func assemble() throws -> Parts {
        let configuration = self.configuration
        let token = configuration.adminToken
        let apiServer: KubeAPIServer?
        let connect: ControllerRuntime.Connect
        var simulation = configuration.simulation
        var labPool = configuration.labPool
        let runsSimulation: Bool
        let runsKubeVirtOnly: Bool
        var virtualClusterControllers: VirtualClusterControllers?
        var provisionedClusters: (any ProvisionedClusterAccess)?
        var provisionedGuests: ProvisionedClusterGuests?
        var labProxy: LabClusterProxy?
        var guestHost: GuestAPIHost?
        switch configuration.cluster {
        case .external(let kubeconfig, let simulatedKubeVirt):
            let client = try HTTPKubernetesClient(configuration: kubeconfig, logger: Logger(label: "virtyard.kubeclient"))
            apiServer = nil
            connect = { client }
            // Readiness of provisioned clusters comes from their own APIs (docs/provisioning.md).
            provisionedClusters = NestedAPIClusterAccess(host: client, logger: Logger(label: "virtyard.provisioning"))
            runsSimulation = simulatedKubeVirt && configuration.simulatesCluster
            runsKubeVirtOnly = simulatedKubeVirt && !configuration.simulatesCluster
            // Sessions reach their clusters through the platform's proxy (DESIGN.md §5).
            let proxy = LabClusterProxy(logger: Logger(label: "virtyard.labpool.proxy"))
            labProxy = proxy
            let platformURL = self.platformURL
            labPool.access = ProxiedSessionAccess(
                proxy: proxy, publicURL: configuration.publicURL,
                certificateAuthorityPEM: configuration.platformTLS?.caCertificatePEM,
                listensOnWildcard: ListenURL.isWildcard(configuration.platform.host)
            ) { platformURL.current }
            labPool.probe = PublishedAPIProbe(proxy: proxy)
            if simulatedKubeVirt, let guestConfiguration = configuration.guestAPI {
                let hosted = try GuestAPIHost(
                    configuration: guestConfiguration, dataDirectory: configuration.dataDirectory, simulation: simulation)
                guestHost = hosted
                simulation.guests = hosted.guests
                virtualClusterControllers = hosted.controllers
            }
            Logger(label: "virtyard").info("driving an external cluster", metadata: ["server": "\(kubeconfig.server)"])
        case .embedded(let serverConfiguration):
            let server = try KubeAPIServer(configuration: serverConfiguration, logger: Logger(label: "virtyard.apiserver"))
            apiServer = server
            let url = Self.urlMaker(for: serverConfiguration)
            let caPEM = serverConfiguration.tls?.caCertificatePEM
            connect = {
                // The controllers reach the embedded API the way they reach any cluster:
                // over HTTPS with the admin token (DESIGN.md §1).
                let config = KubeConfig(
                    server: url(try await server.boundPort()),
                    tls: .init(certificateAuthorityPEM: caPEM), credentials: .init(token: token))
                return try HTTPKubernetesClient(configuration: config, logger: Logger(label: "virtyard.kubeclient"))
            }
            // A VM labelled virtyard.io/virtual-cluster hosts a virtual cluster of this server;
            // one labelled virtyard.io/managed-by=provisioning boots its rendered configuration.
            let guests = ProvisionedClusterGuests(
                clusters: server.virtualClusters, logger: Logger(label: "virtyard.provisioning.guests"))
            provisionedGuests = guests
            simulation.guests = GuestHosts([
                VirtualClusterGuests(
                    clusters: server.virtualClusters,
                    dataDirectory: configuration.dataDirectory,
                    logger: Logger(label: "virtyard.simulation")),
                guests,
            ])
            labPool.probe = VirtualClusterProbe(clusters: server.virtualClusters)
            let access = VirtualClusterAccess(clusters: server.virtualClusters, certificateAuthorityPEM: caPEM) {
                server.currentPort.map(url)
            }
            labPool.access = access
            provisionedClusters = EmbeddedProvisionedClusterAccess(guests: guests, certificateAuthorityPEM: caPEM) {
                server.currentPort.map(url)
            }
            virtualClusterControllers = VirtualClusterControllers(
                clusters: server.virtualClusters, connect: { try access.client(clusterID: $0, token: $1) },
                simulation: simulation, logger: Logger(label: "virtyard.virtualclusters"))
            runsSimulation = true
            runsKubeVirtOnly = false
        }
        let capacity = CapacityService(configuration: configuration.capacity, logger: Logger(label: "virtyard.capacity"))
        let lab = LabService(
            configuration: LabService.Configuration(namespace: configuration.leaderElection.namespace),
            access: labPool.access, logger: Logger(label: "virtyard.labpool"))
        labProxy?.serve(lab)
        let provisioning = ProvisioningService(
            configuration: ProvisioningService.Configuration(access: provisionedClusters),
            logger: Logger(label: "virtyard.provisioning"))
        // One way to a session's terminal in both modes: the console subresource of its
        // control-plane VM, through the cluster's API. Embedded, the API serves it from the
        // sandboxed shells; a real KubeVirt serves its own.
        var shells: LabTerminals?
        if let terminalConfiguration = configuration.labTerminals, let apiServer {
            let sandboxed = LabTerminals(
                configuration: terminalConfiguration, lab: lab, logger: Logger(label: "virtyard.console.terminals"))
            apiServer.serveVMConsoles(sandboxed)
            shells = sandboxed
        }
        let terminals = configuration.labTerminals.map { _ in KubeVirtConsoleTerminals(lab: lab, sendsResize: apiServer != nil) }
        let console = WebConsole(
            services: ConsoleServices(
                lab: lab, capacity: capacity, provisioning: provisioning, terminals: terminals,
                imagePolicyNamespace: configuration.imageSync.namespace),
            adminToken: token,
            logger: Logger(label: "virtyard.console"))
        let controllerSettings = ControllerSettings(
            simulation: simulation, runsSimulation: runsSimulation,
            runsKubeVirtOnly: runsKubeVirtOnly, simulationOnly: configuration.simulationOnly,
            virtualClusterControllers: virtualClusterControllers,
            provisionedGuests: provisionedGuests, publishedGuests: guestHost?.publisher, labPool: labPool,
            imageSync: configuration.imageSync, provisioning: ProvisioningControllers.Configuration(access: provisionedClusters))
        let controllers = ControllerRuntime(
            leaderElection: configuration.leaderElection, crds: configuration.installCRDs ? try CRDInstaller.bundled() : nil,
            stopDeadline: configuration.shutdown.controllers, logger: Logger(label: "virtyard.controllers"),
            controllers: { informers, api in
                controllerSettings.services(
                    api: api, informers: informers, lab: lab, capacity: capacity, provisioning: provisioning, console: console)
            },
            connect: connect)
        let platform = PlatformServer(
            host: configuration.platform.host, port: configuration.platform.port,
            metrics: metrics, apiServer: apiServer, controllers: controllers,
            capacity: configuration.simulationOnly ? nil : capacity,
            lab: configuration.simulationOnly ? nil : lab, provisioning: configuration.simulationOnly ? nil : provisioning,
            console: configuration.simulationOnly ? nil : console, labProxy: configuration.simulationOnly ? nil : labProxy,
            tls: configuration.platformTLS,
            adminToken: token,
            connections: configuration.connections, logger: Logger(label: "virtyard.platform"))
        let tenancy = try (configuration.simulationOnly ? nil : configuration.vcd).map {
            try TenancyListener.make(
                address: $0, configuration: configuration, embeddedTLS: apiServer?.configuration.tls ?? configuration.platformTLS,
                connect: connect)
        }
        let platformHost = configuration.platform.host
        let platformScheme = configuration.platformTLS == nil ? "http" : "https"
        let kubeURL = apiServer.map { Self.urlMaker(for: $0.configuration) }
        let boundPlatformURL = self.platformURL
        let endpoints: @Sendable () async throws -> Endpoints = {
            let platformURL = ListenAddress.url(scheme: platformScheme, host: platformHost, port: try await platform.boundPort())
            boundPlatformURL.set(platformURL)
            var kubeAPI: String?
            if let apiServer, let kubeURL { kubeAPI = kubeURL(try await apiServer.boundPort()) }
            return Endpoints(
                kubeAPI: kubeAPI, platform: platformURL,
                certificateAuthorityPEM: apiServer?.configuration.tls?.caCertificatePEM,
                vcd: try await tenancy?.boundURL())
        }
        return Parts(
            apiServer: apiServer, platform: platform, controllers: controllers, tenancy: tenancy, terminals: shells,
            labProxy: configuration.simulationOnly ? nil : labProxy, guestAPI: guestHost?.server, endpoints: endpoints)
    }

    /// The embedded API's URL for a bound port.
    static func urlMaker(for server: KubeAPIServer.Configuration) -> @Sendable (Int) -> String {
        let scheme = server.tls == nil ? "http" : "https"
        let host = server.host
        return { port in ListenAddress.url(scheme: scheme, host: host, port: port) }
    }
}

/// Which controllers run on the leader, and with what: each capability attaches its
/// controllers to the shared informers once per term.
private struct ControllerSettings: Sendable {
    let simulation: SimulationConfiguration
    /// Embedded mode: the whole simulated infrastructure runs.
    let runsSimulation: Bool
    /// A real cluster without KubeVirt: only the simulated KubeVirt controllers run.
    let runsKubeVirtOnly: Bool
    /// The simulation alone: no lab pool, image sync, templates, provisioning or capacity.
    let simulationOnly: Bool
    /// Embedded mode: each virtual cluster's controllers, scheduler and kubelet.
    let virtualClusterControllers: VirtualClusterControllers?
    /// Embedded mode: the guests of provisioned clusters' VMs, which read their user data
    /// Secrets and record Events through this term's client.
    let provisionedGuests: ProvisionedClusterGuests?
    /// A real cluster with simulated KubeVirt: the lab VMs' published kubeconfigs, written
    /// through this term's client.
    let publishedGuests: PublishedGuestKubeconfigs?
    let labPool: LabPoolControllers.Configuration
    let imageSync: ImageSyncControllers.Configuration
    let provisioning: ProvisioningControllers.Configuration

    func services(
        api: any KubernetesAPI, informers: SharedInformerFactory, lab: LabService,
        capacity: CapacityService, provisioning provisioningService: ProvisioningService, console: WebConsole
    ) -> [any Service] {
        // The simulated infrastructure runs only where nothing real does the job.
        var services: [any Service] = []
        let simulationLogger = Logger(label: "virtyard.simulation")
        if runsSimulation {
            services += SimulationControllers.services(api: api, informers: informers, configuration: simulation, logger: simulationLogger)
            // Embedded mode has no kube-controller-manager: Deployments, ReplicaSets and Jobs run here.
            services += WorkloadControllers.services(
                api: api, informers: informers,
                logger: Logger(label: "virtyard.workloads"))
            services += ServiceControllers.services(api: api, informers: informers, logger: Logger(label: "virtyard.services"))
            if let virtualClusterControllers { services.append(virtualClusterControllers) }
            provisionedGuests?.attach(api: api)
        } else if runsKubeVirtOnly {
            services += SimulationControllers.kubeVirtControllers(
                api: api, informers: informers, configuration: simulation,
                logger: simulationLogger)
            // A cluster without KubeVirt has no CDI or snapshot controller either.
            services += SimulationControllers.cdiControllers(
                api: api, informers: informers, configuration: simulation, logger: simulationLogger)
            if let virtualClusterControllers { services.append(virtualClusterControllers) }
        }
        publishedGuests?.attach(api: api)
        if simulationOnly { return services }
        services += LabPoolControllers.services(
            api: api, informers: informers, configuration: labPool,
            logger: Logger(label: "virtyard.labpool"))
        lab.attach(api: api, informers: informers)
        services += ImageSyncControllers.services(
            api: api, informers: informers, configuration: imageSync,
            logger: Logger(label: "virtyard.imagesync"))
        // Always, embedded or not: a real cluster with OpenShift's own controller would see
        // its TemplateInstances processed twice (docs/templates.md).
        services += TemplateControllers.services(api: api, informers: informers, logger: Logger(label: "virtyard.templates"))
        services += ProvisioningControllers.services(
            api: api, informers: informers, configuration: provisioning, logger: Logger(label: "virtyard.provisioning"))
        provisioningService.attach(api: api, informers: informers)
        console.attach(api: api, informers: informers)
        return services + capacity.attach(api: api, informers: informers)
    }
}

extension VirtyardApplication.Configuration {
    /// Turns on browser terminals for lab sessions, after checking that their sandbox works
    /// on this host; throws what is missing otherwise (`serve` refuses to start).
    public mutating func enableLabTerminals() throws {
        if case .external = cluster {
            labTerminals = .realCluster
            return
        }
        labTerminals = try LabTerminals.Configuration.checkedOnThisHost()
    }
}

/// The lab terminals' sweep as a service: on shutdown it stops, and every shell is killed.
private struct TerminalSweep: Service {
    let terminals: LabTerminals

    func run() async throws {
        await cancelWhenGracefulShutdown { await terminals.run() }
    }
}
