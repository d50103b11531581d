import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KubeModel
import Logging
import NIOCore
import ServiceLifecycle

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

        public init(host: String = "127.0.0.1", port: Int = 6443, dataDirectory: String? = nil, tokens: Set<String>,
                    watchHistory: Int = 10_000, fsync: Bool = false, tls: ServingCertificates? = nil) {
            self.tls = tls
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.tokens = tokens
            self.watchHistory = watchHistory
            self.fsync = fsync
        }
    }

    public let configuration: Configuration
    public let store: ObjectStore
    public let registry: ResourceRegistry
    public let persistence: SQLitePersistence?
    let crds: CRDController
    let garbageCollector: GarbageCollector
    let logger: Logger
    private let bound = AsyncValue<Int>()

    public static let defaultNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    public init(configuration: Configuration, logger: Logger = Logger(label: "virtyard.apiserver")) throws {
        self.configuration = configuration
        self.logger = logger
        if let directory = configuration.dataDirectory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            persistence = try SQLitePersistence(path: "\(directory)/store.db", fsync: configuration.fsync)
        } else {
            persistence = nil
        }
        store = try ObjectStore(persistence: persistence, historyLimit: configuration.watchHistory)
        registry = ResourceRegistry()
        crds = CRDController(store: store, registry: registry, logger: logger)
        crds.registerStored()
        garbageCollector = GarbageCollector(store: store, registry: registry, crds: crds, logger: logger)
    }

    /// The port the server listens on, once it does (useful with port 0).
    public func boundPort() async -> Int {
        await bound.wait()
    }

    public func run() async throws {
        try await ensureDefaultNamespaces()
        let responder = makeResponder()
        let bound = self.bound
        let server: HTTPServerBuilder = try configuration.tls.map {
            try .tls(.http1(), tlsConfiguration: $0.serverConfiguration())
        } ?? .http1()
        let application = Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "virtyard-apiserver"),
            onServerRunning: { channel in
                bound.set(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        let store = self.store
        let collector = garbageCollector
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await collector.collectOrphans()
                try await collector.run()
            }
            try await withGracefulShutdownHandler {
                try await application.run()
            } onGracefulShutdown: {
                // Open watches would hold the server's graceful shutdown forever.
                store.closeAllWatches()
            }
            group.cancelAll()
        }
    }

    /// The REST façade over this server's store and registry.
    func makeResponder() -> KubeAPIResponder {
        let crds = self.crds
        let handler = ResourceHandler(store: store, registry: registry, onCRDWritten: { await crds.sync($0) })
        return KubeAPIResponder(handler: handler, discovery: Discovery(registry: registry),
                                openAPI: OpenAPIDocuments(registry: registry),
                                authenticator: TokenAuthenticator(tokens: configuration.tokens), logger: logger)
    }

    func ensureDefaultNamespaces() async throws {
        let admission = ObjectAdmission()
        for name in Self.defaultNamespaces {
            let key = ObjectKey(BuiltinResources.namespaces.groupResource, name: name)
            guard store.get(key) == nil else { continue }
            var namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
            _ = try admission.prepareCreate(&namespace, resource: BuiltinResources.namespaces, namespace: nil,
                                            fieldValidation: .strict)
            let candidate = namespace
            try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
                current == nil ? .put(candidate) : .unchanged
            }
        }
    }
}
