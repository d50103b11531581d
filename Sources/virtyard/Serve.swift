import ArgumentParser
import Foundation
import KubeServer
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
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

    @Flag(name: .customLong("kube-insecure-http"), help: "Serve the embedded API over plain HTTP (debugging only; kubectl then sends no token).")
    var insecureHTTP = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    var scheme: String { insecureHTTP ? "http" : "https" }

    /// The API server configuration, with TLS material from the data directory.
    func apiConfiguration(data: DataDirectory, token: String) throws -> KubeAPIServer.Configuration {
        var hosts = ["localhost", "127.0.0.1", "::1"]
        if !["0.0.0.0", "::", ""].contains(kubeListen.host), !hosts.contains(kubeListen.host) { hosts.append(kubeListen.host) }
        let hostname = ProcessInfo.processInfo.hostName
        if !hostname.isEmpty, !hosts.contains(hostname) { hosts.append(hostname) }
        let tls = insecureHTTP ? nil : try ServingCertificates.loadOrCreate(in: data.path, hosts: hosts)
        return KubeAPIServer.Configuration(host: kubeListen.host, port: kubeListen.port, dataDirectory: data.path,
                                           tokens: [token], watchHistory: watchHistory, fsync: fsync, tls: tls)
    }

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Virtyard: the embedded Kubernetes API, the controllers and the platform API.")

    @OptionGroup var embedded: EmbeddedAPIOptions

    @Option(name: .customLong("listen"), help: "Address of the platform API, /metrics and /healthz.")
    var listen = ListenAddress(host: "127.0.0.1", port: 8080)

    mutating func run() async throws {
        let logger = embedded.logger("virtyard")
        let level = Logger.Level(rawValue: embedded.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))

        let data = try DataDirectory(embedded.dataDirectory)
        let token = try data.adminToken(generate: TokenAuthenticator.generateToken)
        let apiServer = try KubeAPIServer(
            configuration: embedded.apiConfiguration(data: data, token: token),
            logger: embedded.logger("virtyard.apiserver"))
        let platform = PlatformServer(host: listen.host, port: listen.port, metrics: metrics, apiServer: apiServer,
                                      logger: embedded.logger("virtyard.platform"))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: apiServer), .init(service: platform)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        let kubeHost = embedded.kubeListen.host
        let scheme = embedded.scheme
        let caPEM = apiServer.configuration.tls?.caCertificatePEM
        let platformHost = listen.host
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                guard let kubePort = await apiServer.boundPort(), let platformPort = await platform.boundPort() else { return }
                let kubeURL = ListenAddress.url(scheme: scheme, host: kubeHost, port: kubePort)
                let platformURL = ListenAddress.url(scheme: "http", host: platformHost, port: platformPort)
                try data.writeKubeconfig(server: kubeURL, token: token, certificateAuthority: caPEM)
                try data.writeEndpoints(kubeAPI: kubeURL, platform: platformURL)
                Console.say("""
                    Virtyard is running.
                      Kubernetes API  \(kubeURL)
                      Platform API    \(platformURL)  (/healthz, /metrics)
                      Data directory  \(data.path)

                    Use kubectl with it:
                      export KUBECONFIG=\(data.kubeconfigPath)
                      kubectl get namespaces
                    """)
            }
            try await tasks.waitForAll()
        }
    }
}

struct APIServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apiserver",
        abstract: "Run the embedded Kubernetes API alone: no controllers, no simulation (like envtest).")

    @OptionGroup var embedded: EmbeddedAPIOptions

    mutating func run() async throws {
        let logger = embedded.logger("virtyard")
        let data = try DataDirectory(embedded.dataDirectory)
        let token = try data.adminToken(generate: TokenAuthenticator.generateToken)
        let apiServer = try KubeAPIServer(
            configuration: embedded.apiConfiguration(data: data, token: token),
            logger: embedded.logger("virtyard.apiserver"))
        let group = ServiceGroup(configuration: .init(services: [.init(service: apiServer)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let kubeHost = embedded.kubeListen.host
        let scheme = embedded.scheme
        let caPEM = apiServer.configuration.tls?.caCertificatePEM
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                guard let port = await apiServer.boundPort() else { return }
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
}
