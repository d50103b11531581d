import ArgumentParser
import Capacity
import ControllerKit
import Foundation
import ImageSync
import KubeClient
import KubeModel
import KubeServer
import LabPool
import Logging
import ServiceLifecycle
import Simulation
import VirtyardServer

/// Options shared by `serve` and `apiserver`.
struct EmbeddedAPIOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Where Virtyard keeps its state (env VIRTYARD_DATA_DIR; default ~/.virtyard).")
    var dataDirectory: String?

    @Option(name: .customLong("kube-listen"), help: "Address of the embedded Kubernetes API (:0 picks a free port).")
    var kubeListen = ListenAddress(host: "127.0.0.1", port: 6443)

    @Option(name: .customLong("watch-history"), help: "Events kept for resuming watches; older resumes get 410 Gone.")
    var watchHistory = 10_000

    @Flag(name: .customLong("fsync"), help: "Flush every commit to disk (survives power loss, not only a crash).")
    var fsync = false

    @Flag(
        name: .customLong("kube-insecure-http"),
        help: "Serve the embedded API over plain HTTP (debugging only; kubectl then sends no token).")
    var insecureHTTP = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Flag(
        name: .customLong("allow-shared-data-dir"),
        help: "Start even if other users can read the data directory (it holds the admin token and every Secret).")
    var allowSharedDataDirectory = false

    @Option(
        name: .customLong("audit-log"),
        help:
            "Append one JSON line per authorization decision of the embedded API to this file (kube-apiserver's audit Event, level Metadata)."
    )
    var auditLog: String?

    @Option(
        name: .customLong("idle-timeout"),
        help: "Seconds a connection may send nothing (TLS handshake, request head, keep-alive) before it is closed.")
    var idleTimeoutSeconds = 60

    var scheme: String { insecureHTTP ? "http" : "https" }

    mutating func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical (not \"\(logLevel)\")")
        }
        guard (1...3600).contains(idleTimeoutSeconds) else {
            throw ValidationError("--idle-timeout must be from 1 to 3600 seconds")
        }
        guard watchHistory >= 1 else { throw ValidationError("--watch-history must be at least 1") }
    }

    var connections: ConnectionLimits { ConnectionLimits(idleTimeout: .seconds(idleTimeoutSeconds)) }

    /// Opens the data directory the way every command must: private files, the directory
    /// refused if others can read it, and held by this process alone.
    func openDataDirectory(logger: Logger) throws -> (DataDirectory, DataDirectoryLock) {
        // Everything this process creates (stores, tokens, kubeconfigs, volumes) is private.
        umask(0o077)
        let data = try DataDirectory(dataDirectory)
        let lock = try data.lock()
        try data.checkPrivacy(allowShared: allowSharedDataDirectory) { logger.warning("\($0)") }
        return (data, lock)
    }

    /// The API server configuration, with TLS material from the data directory.
    /// - Parameter otherListeners: addresses that share the serving certificate (`--vcd-listen`).
    func apiConfiguration(data: DataDirectory, token: String, otherListeners: [ListenAddress] = []) throws
        -> KubeAPIServer.Configuration
    {
        // `kubernetes` as every kube-apiserver certificate has it: a client that reaches the API
        // by an IP address and must send a name in TLS (the VM console's WebSocket) uses it.
        var hosts = ["localhost", "127.0.0.1", "::1", "kubernetes"]
        for listener in [kubeListen] + otherListeners where !ListenURL.isWildcard(listener.host) {
            if !hosts.contains(listener.host) { hosts.append(listener.host) }
        }
        let hostname = ProcessInfo.processInfo.hostName
        if !hostname.isEmpty, !hosts.contains(hostname) { hosts.append(hostname) }
        let tls = insecureHTTP ? nil : try ServingCertificates.loadOrCreate(in: data.path, hosts: hosts)
        var configuration = KubeAPIServer.Configuration(
            host: kubeListen.host, port: kubeListen.port, dataDirectory: data.path,
            tokens: [token], watchHistory: watchHistory, fsync: fsync, tls: tls,
            connections: connections)
        configuration.auditLogPath = auditLog
        return configuration
    }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Virtyard: the embedded Kubernetes API (or a real cluster's), the controllers and the platform API.")

    @OptionGroup var embedded: EmbeddedAPIOptions

    @OptionGroup(title: "Simulation and capacity") var simulation: SimulationOptions

    @Option(name: .customLong("lab-pool-size"), help: "Create (or resize) the default lab pool, clusters cluster1…N, at start-up.")
    var labPoolSize: Int?

    @Option(
        name: .customLong("lab-scenarios"),
        help:
            "A directory of scenarios (LabScenario manifests in YAML or JSON, and cks-backend scenario folders), checked at start-up and applied to the cluster."
    )
    var labScenarios: String?

    @Option(name: .customLong("listen"), help: "Address of the platform API, /metrics and /healthz.")
    var listen = ListenAddress(host: "127.0.0.1", port: 8080)

    @Option(
        name: .customLong("kubeconfig"),
        help: "Drive this cluster instead of the embedded API (env VIRTYARD_KUBECONFIG; KUBECONFIG-style lists work).")
    var kubeconfig: String?

    @Option(name: .customLong("context"), help: "The kubeconfig context to use (default: its current-context).")
    var context: String?

    @Flag(name: .customLong("in-cluster"), help: "Drive the cluster this process runs in, with its service account.")
    var inCluster = false

    @Option(name: .customLong("identity"), help: "Leader-election identity (default <hostname>_<pid>).")
    var identity: String?

    @Flag(name: .customLong("skip-crd-install"), help: "Do not install Virtyard's CRDs into the cluster when missing.")
    var skipCRDInstall = false

    @Option(
        name: .customLong("vcd-listen"),
        help: "Address of the VMware Cloud Director compatible API (HTTPS; :0 picks a port, `off` serves none; docs/tenancy.md).")
    var vcdListenOption = OptionalListenAddress.address(ListenAddress(host: "127.0.0.1", port: 8443))

    var vcdListen: ListenAddress? { vcdListenOption.address }

    @Option(
        name: .customLong("public-url"),
        help:
            "The platform address as users reach it (an Ingress, https://virtyard.example.com): lab session kubeconfigs name it on a real cluster."
    )
    var publicURL: String?

    @Flag(
        name: .customLong("platform-tls"),
        help:
            "Serve the platform address over HTTPS (a certificate from the data directory's CA): kubectl sends a lab session's token through the lab proxy only over TLS. Not needed behind an Ingress that terminates TLS."
    )
    var platformTLS = false

    @Flag(
        name: .customLong("simulation-only"),
        help:
            "With --sim-kubevirt: run the simulation alone (no lab pool, image sync, capacity, tenancy or provisioning), under Lease virtyard-simulation, beside platform replicas in other processes."
    )
    var simulationOnly = false

    @Option(
        name: .customLong("admin-token-file"),
        help:
            "Read the platform's admin token from this file (a mounted Secret every replica shares) instead of generating one in the data directory."
    )
    var adminTokenFile: String?

    @Option(
        name: .customLong("vcd-admin-password-file"),
        help:
            "Read the Cloud Director System administrator's password from this file (a mounted Secret) instead of generating one in the data directory."
    )
    var vcdAdminPasswordFile: String?

    @Flag(
        name: .customLong("lab-terminals"),
        help:
            "Give each running lab session a browser terminal: the serial console of its control-plane VM. Embedded, that is a sandboxed shell (bubblewrap) with kubectl for its cluster, which needs bwrap on PATH and root (docs/console.md)."
    )
    var labTerminals = false

    mutating func validate() throws {
        try embedded.validate()
        if kubeconfig == nil { kubeconfig = ProcessInfo.processInfo.environment["VIRTYARD_KUBECONFIG"] }
        if inCluster && kubeconfig != nil {
            throw ValidationError("--in-cluster and --kubeconfig exclude each other")
        }
        _ = try simulation.simulation()
        _ = try simulation.capacity(embedded: !external)
        if simulation.clusterOnExternal && !simulation.kubeVirtOnExternal {
            throw ValidationError("--sim-cluster needs --sim-kubevirt")
        }
        if external && embedded.auditLog != nil {
            throw ValidationError("--audit-log records the embedded API's decisions: with --kubeconfig, use the cluster's own audit log")
        }
        if simulationOnly && !(external && simulation.kubeVirtOnExternal) {
            throw ValidationError("--simulation-only needs --kubeconfig (or --in-cluster) and --sim-kubevirt")
        }
        if let publicURL {
            guard let url = URLComponents(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
                url.query == nil, url.fragment == nil
            else {
                throw ValidationError("--public-url must be an http(s) URL such as https://virtyard.example.com, not \(publicURL)")
            }
            var trimmed = publicURL
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            self.publicURL = trimmed
        }
        if let labPoolSize, !(0...1000).contains(labPoolSize) {
            throw ValidationError("--lab-pool-size must be from 0 to 1000")
        }
    }

    var external: Bool { inCluster || kubeconfig != nil }

    mutating func run() async throws {
        let logger = embedded.logger("virtyard")
        let level = Logger.Level(rawValue: embedded.logLevel) ?? .info
        LoggingSystem.bootstrap { label in DeferredMetadataLogHandler.standardError(label: label, level: level) }
        let metrics = MetricHelp.bootstrapRegistry()

        let (data, lock) = try embedded.openDataDirectory(logger: logger)
        defer { withExtendedLifetime(lock) {} }
        let token: String
        if let adminTokenFile {
            token = try DataDirectory.operatorToken(file: adminTokenFile)
        } else {
            token = try data.adminToken(generate: TokenAuthenticator.generateToken)
        }
        let vcdPasswordFile = vcdAdminPasswordFile
        let application = VirtyardApplication(configuration: try configuration(data: data, token: token), metrics: metrics)
        let identity = application.configuration.leaderElection.identity
        try await application.run(
            whenListening: { endpoints in
                if let kubeAPI = endpoints.kubeAPI {
                    try data.writeKubeconfig(server: kubeAPI, token: token, certificateAuthority: endpoints.certificateAuthorityPEM)
                }
                try data.writeEndpoints(kubeAPI: endpoints.kubeAPI, platform: endpoints.platform, vcd: endpoints.vcd)
                let vcdLine =
                    endpoints.vcd.map {
                        "\n  Cloud Director  \($0)  (administrator@System, password in \(vcdPasswordFile ?? data.path + "/vcd-admin-password"))"
                    }
                    ?? ""
                let kubeLines =
                    endpoints.kubeAPI.map {
                        """
                          Kubernetes API  \($0)

                        Use kubectl with it:
                          export KUBECONFIG=\(data.kubeconfigPath)
                          kubectl get namespaces
                        """
                    } ?? "  Kubernetes API  external cluster (leader-election identity \(identity))"
                Console.say(
                    """
                    Virtyard is running.
                      Platform API    \(endpoints.platform)  (/healthz, /readyz, /metrics)\(vcdLine)
                      Data directory  \(data.path)
                    \(kubeLines)
                    """)
            }, whenListeningFailed: StartupFailure.report)
    }

    /// The flags as the application's configuration.
    func configuration(data: DataDirectory, token: String) throws -> VirtyardApplication.Configuration {
        var election = LeaderElectionConfiguration()
        if let identity { election.identity = identity }
        // The lock proves no other process runs controllers on this embedded API: a Lease
        // left by a crashed predecessor is taken at once, not 15 s later.
        election.othersAreGone = !external
        // The simulation leads apart from the platform's replicas: both run at once.
        if simulationOnly { election.name = "virtyard-simulation" }
        let cluster: VirtyardApplication.Configuration.Cluster
        if external {
            do {
                let config = inCluster ? try KubeConfig.inCluster() : try KubeConfig.load(path: kubeconfig, context: context)
                cluster = .external(config, simulatedKubeVirt: simulation.kubeVirtOnExternal)
            } catch {
                throw ValidationError("cannot use the cluster: \(error)")
            }
        } else {
            cluster = .embedded(try embedded.apiConfiguration(data: data, token: token, otherListeners: vcdListen.map { [$0] } ?? []))
        }
        var labPool = LabPoolControllers.Configuration(defaultPoolSize: labPoolSize)
        if let labScenarios {
            do {
                labPool.scenarioFiles = try ScenarioFiles(directory: labScenarios)
            } catch {
                throw ValidationError("--lab-scenarios \(labScenarios): \(error)")
            }
        }
        let imageSync: ImageSyncControllers.Configuration
        do {
            imageSync = ImageSyncControllers.Configuration(namespace: election.namespace, defaults: try SyncPolicy.defaults())
        } catch {
            throw ValidationError("invalid image sync setting in the environment: \(error)")
        }
        var configuration = VirtyardApplication.Configuration(
            cluster: cluster, dataDirectory: data.path, adminToken: token, platform: listen,
            connections: embedded.connections, leaderElection: election, installCRDs: !skipCRDInstall,
            simulation: try simulation.simulation(
                storageDirectory: URL(fileURLWithPath: data.path).appendingPathComponent("storage"),
                labPoolSize: labPoolSize),
            capacity: try simulation.capacity(embedded: !external), labPool: labPool, imageSync: imageSync, vcd: vcdListen)
        configuration.vcdAdminPasswordFile = vcdAdminPasswordFile
        configuration.publicURL = publicURL
        if platformTLS {
            var hosts = ["localhost", "127.0.0.1", "::1"]
            for address in [listen, embedded.kubeListen] + (vcdListen.map { [$0] } ?? []) where !ListenURL.isWildcard(address.host) {
                if !hosts.contains(address.host) { hosts.append(address.host) }
            }
            let hostname = ProcessInfo.processInfo.hostName
            if !hostname.isEmpty, !hosts.contains(hostname) { hosts.append(hostname) }
            configuration.platformTLS = try ServingCertificates.loadOrCreate(in: data.path, hosts: hosts)
        }
        configuration.simulatesCluster = simulation.clusterOnExternal
        configuration.simulationOnly = simulationOnly
        if external && simulation.kubeVirtOnExternal {
            configuration.guestAPI = try guestAPIConfiguration(data: data, token: token)
        }
        if labTerminals {
            do {
                try configuration.enableLabTerminals()
            } catch {
                throw ValidationError("\(error)")
            }
        }
        return configuration
    }
}

extension Serve {
    /// The guest API server of `--sim-kubevirt` on a real cluster: its own directory and CA
    /// (its certificate names `--guest-listen`'s host and this machine's name), so that it never
    /// competes with the platform's certificate for the data directory's files.
    func guestAPIConfiguration(data: DataDirectory, token: String) throws -> KubeAPIServer.Configuration {
        let directory = URL(fileURLWithPath: data.path).appendingPathComponent("guest-api").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var hosts = ["localhost", "127.0.0.1", "::1"]
        let address = simulation.guestListen
        if !ListenURL.isWildcard(address.host), !hosts.contains(address.host) { hosts.append(address.host) }
        let hostname = ProcessInfo.processInfo.hostName
        if !hostname.isEmpty, !hosts.contains(hostname) { hosts.append(hostname) }
        let tls = embedded.insecureHTTP ? nil : try ServingCertificates.loadOrCreate(in: directory, hosts: hosts)
        return KubeAPIServer.Configuration(
            host: address.host, port: address.port, dataDirectory: directory, tokens: [token],
            watchHistory: embedded.watchHistory, fsync: embedded.fsync, tls: tls, connections: embedded.connections)
    }
}

struct APIServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apiserver",
        abstract: "Run the embedded Kubernetes API alone: no controllers, no simulation (like envtest).")

    @OptionGroup var embedded: EmbeddedAPIOptions

    mutating func run() async throws {
        let logger = embedded.logger("virtyard")
        let (data, lock) = try embedded.openDataDirectory(logger: logger)
        defer { withExtendedLifetime(lock) {} }
        let token = try data.adminToken(generate: TokenAuthenticator.generateToken)
        let apiServer = try KubeAPIServer(
            configuration: embedded.apiConfiguration(data: data, token: token),
            logger: embedded.logger("virtyard.apiserver"))
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: apiServer)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let kubeHost = embedded.kubeListen.host
        let scheme = embedded.scheme
        let caPEM = apiServer.configuration.tls?.caCertificatePEM
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let port = try await StartupFailure.exitingOnFailure { try await apiServer.boundPort() }
                let url = ListenAddress.url(scheme: scheme, host: kubeHost, port: port)
                try data.writeKubeconfig(server: url, token: token, certificateAuthority: caPEM)
                try data.writeEndpoints(kubeAPI: url, platform: nil)
                Console.say("Kubernetes API listening on \(url)\n  export KUBECONFIG=\(data.kubeconfigPath)")
            }
            try await tasks.waitForAll()
        }
    }
}

/// Unbuffered output, so a supervisor reading our stdout sees start-up lines at once.
enum Console {
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func complain(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A listener that cannot start ends the process within a second, with what failed on
/// standard error: a server that is not serving must not sit there looking like one.
enum StartupFailure {
    @Sendable static func report(_ error: any Error) {
        Console.complain("virtyard: \(error)")
        // The services are stopped in the usual way; a plain thread makes sure the exit
        // happens even if one of them does not stop.
        let thread = Thread {
            Thread.sleep(forTimeInterval: 1)
            exit(1)
        }
        thread.start()
    }

    static func exitingOnFailure<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        do {
            return try await body()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            report(error)
            throw error
        }
    }
}
