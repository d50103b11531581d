import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import KubeModel
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The embedded Kubernetes API server: storage, registry, REST façade and the in-server
/// controllers (garbage collection, namespaces, CRDs), run as one `Service`.
public final class KubeAPIServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Where `store.db` lives; nil keeps everything in memory.
        public var dataDirectory: String?
        public var tokens: Set<String>
        public var watchHistory: Int
        public var fsync: Bool
        /// Serve HTTPS with these certificates; nil serves plain HTTP.
        public var tls: ServingCertificates?
        public var connections: ConnectionLimits
        /// How often a watch that asked for bookmarks gets one.
        public var watchBookmarkInterval: Duration = .seconds(10)
        /// Keep a `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap in every
        /// namespace of the host, as kube-controller-manager does. Tests that count a
        /// namespace's objects turn it off; virtual clusters always have them.
        public var namespaceDefaults = true
        /// Serve the virtual clusters under `/clusters/<id>/` and nothing of the server's own
        /// API (health checks aside): a process that hosts simulated VMs' guest APIs beside a
        /// real cluster (`serve --kubeconfig … --sim-kubevirt`).
        public var guestsOnly = false
        /// Record every authorization decision of the server's own API there (``AuditLog``).
        public var auditLogPath: String?

        public init(
            host: String = "127.0.0.1", port: Int = 6443, dataDirectory: String? = nil, tokens: Set<String>,
            watchHistory: Int = 10_000, fsync: Bool = false, tls: ServingCertificates? = nil,
            connections: ConnectionLimits = ConnectionLimits()
        ) {
            self.tls = tls
            self.connections = connections
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.tokens = tokens
            self.watchHistory = watchHistory
            self.fsync = fsync
        }
    }

    public let configuration: Configuration
    public let persistence: SQLitePersistence?
    /// The virtual clusters served under `/clusters/<id>/`.
    public let virtualClusters: VirtualClusters
    let tree: APITree
    let logger: Logger
    private let bound = AsyncValue<Int>()
    let auditLog: AuditLog?
    private let consoles = Mutex<(any VMConsoles)?>(nil)

    public var store: ObjectStore { tree.store }
    public var registry: ResourceRegistry { tree.registry }

    /// Serves KubeVirt's `virtualmachineinstances/{name}/console` from `consoles` (the
    /// simulated VMs' consoles). Set it before ``run()``; without it the path is a 404.
    public func serveVMConsoles(_ consoles: any VMConsoles) {
        self.consoles.withLock { $0 = consoles }
    }

    public static let defaultNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// The main store checkpoints its WAL every 32 MiB rather than SQLite's 4 MiB: under a
    /// stream of writes that made creates 7–10 % faster (docs/performance.md). Lab clusters'
    /// databases keep the default.
    static let storeCheckpointPages = 8192

    public init(configuration: Configuration, logger: Logger = Logger(label: "virtyard.apiserver")) throws {
        self.configuration = configuration
        self.logger = logger
        if let directory = configuration.dataDirectory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            persistence = try SQLitePersistence(
                path: "\(directory)/store.db", fsync: configuration.fsync, checkpointPages: Self.storeCheckpointPages)
        } else {
            persistence = nil
        }
        tree = try APITree(
            persistence: persistence, historyLimit: configuration.watchHistory,
            rootCAPEM: configuration.tls?.caCertificatePEM,
            serviceAccountKeyPath: configuration.dataDirectory.map { "\($0)/sa-signing.key" },
            namespaceDefaults: configuration.namespaceDefaults, logger: logger)
        auditLog = try configuration.auditLogPath.map { try AuditLog(path: $0) }
        virtualClusters = VirtualClusters(
            historyLimit: configuration.watchHistory,
            directory: configuration.dataDirectory.map { "\($0)/clusters" },
            rootCAPEM: configuration.tls?.caCertificatePEM, logger: logger)
    }

    /// The port the server listens on, once it does (useful with port 0).
    /// Throws when the server could not start listening (the port is taken, say).
    public func boundPort() async throws -> Int {
        try await bound.wait()
    }

    /// The port, if the server listens already.
    public var currentPort: Int? { bound.current }

    public func run() async throws {
        do {
            try await ensureDefaultNamespaces()
        } catch {
            // Nothing will bind: whoever waits for the port (`serve` announcing its endpoints)
            // must hear why, or it waits forever and the process never ends.
            bound.fail(error)
            throw error
        }
        let router = makeResponder()
        let responder = ConnectionTrackingResponder(inner: router)
        let bound = self.bound
        var http1 = configuration.connections.http1
        http1.additionalChannelHandlers = { [ConnectionCloseObserver()] }
        var plain: HTTPServerBuilder = .http1(configuration: http1)
        if let consoles = consoles.withLock({ $0 }) {
            let route = VMConsoleRoute(
                consoles: consoles, authenticator: router.main.authenticator, authorizer: router.main.authorizer, logger: logger)
            plain = .http1WebSocketUpgrade(
                configuration: .init(
                    http1: http1, ws: WebSocketServerConfiguration(maxFrameSize: VMConsoleRoute.maximumMessage))
            ) { request, _, _ in route.upgrade(request) }
        }
        let server: HTTPServerBuilder = try configuration.tls.map { try .tls(plain, tlsConfiguration: $0.serverConfiguration()) } ?? plain
        let application = Application(
            responder: responder,
            server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "virtyard-apiserver"),
            onServerRunning: { channel in
                bound.set(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        let store = self.store
        let tree = self.tree
        let virtualClusters = self.virtualClusters
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await tree.runControllers() }
            try await withGracefulShutdownHandler {
                try await bound.announcingEnd(of: "\(configuration.host):\(configuration.port)") {
                    try await application.run()
                }
            } onGracefulShutdown: {
                // Open watches would hold the server's graceful shutdown forever.
                store.closeAllWatches()
                virtualClusters.closeAllWatches()
            }
            group.cancelAll()
            await virtualClusters.stopAll()
        }
    }

    /// The REST façade: this server's tree, and each virtual cluster's under `/clusters/<id>/`.
    func makeResponder() -> ClusterRouter {
        var main = tree.responder(authenticator: TokenAuthenticator(tokens: configuration.tokens), logger: logger)
        main.bookmarkInterval = configuration.watchBookmarkInterval
        main.auditLog = auditLog
        return ClusterRouter(main: main, virtualClusters: virtualClusters, servesOwnAPI: !configuration.guestsOnly)
    }

    func ensureDefaultNamespaces() async throws {
        try await tree.ensureDefaultNamespaces()
    }
}

/// A listener that could not start (or stopped): what start-up reports before it exits.
public struct ListenFailure: Error, CustomStringConvertible {
    public var address: String
    public var underlying: any Error

    public init(address: String, underlying: any Error) {
        self.address = address
        self.underlying = underlying
    }

    public var description: String { "cannot serve on \(address): \(underlying)" }
}

/// The server stopped before anyone learned its port.
public struct ServerStopped: Error, CustomStringConvertible {
    public var address: String

    public init(address: String) {
        self.address = address
    }
    public var description: String { "the server for \(address) stopped" }
}
