import Capacity
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import KubeClient
import KubeModel
import KubeServer
import LabPool
import Logging
import Metrics
import NIOCore
import PlatformHTTP
import Prometheus
import Provisioning
import ServiceLifecycle
import WebConsole

/// The platform address: health, Prometheus metrics, and (as capabilities arrive) the
/// platform API and web console.
public final class PlatformServer: Service, Sendable {
    public let host: String
    public let port: Int
    let metrics: PrometheusCollectorRegistry
    let apiServer: KubeAPIServer?
    let controllers: ControllerRuntime?
    let capacity: CapacityService?
    let lab: LabService?
    let provisioning: ProvisioningService?
    let console: WebConsole?
    /// Against a real cluster: `/clusters/<id>/…` to the lab clusters' APIs.
    let labProxy: LabClusterProxy?
    /// HTTPS with these certificates; nil serves plain HTTP.
    let tls: ServingCertificates?
    let adminToken: String?
    let connections: ConnectionLimits
    let logger: Logger
    private let bound = AsyncValue<Int>()

    /// - Parameter adminToken: required as a bearer token on the platform API's writes; nil
    ///   leaves them open (tests only).
    public init(
        host: String, port: Int, metrics: PrometheusCollectorRegistry, apiServer: KubeAPIServer?,
        controllers: ControllerRuntime?, capacity: CapacityService? = nil, lab: LabService? = nil,
        provisioning: ProvisioningService? = nil, console: WebConsole? = nil, labProxy: LabClusterProxy? = nil,
        tls: ServingCertificates? = nil, adminToken: String? = nil, connections: ConnectionLimits = ConnectionLimits(),
        logger: Logger = Logger(label: "virtyard.platform")
    ) {
        self.connections = connections
        self.controllers = controllers
        self.capacity = capacity
        self.lab = lab
        self.provisioning = provisioning
        self.console = console
        self.labProxy = labProxy
        self.tls = tls
        self.adminToken = adminToken
        self.host = host
        self.port = port
        self.metrics = metrics
        self.apiServer = apiServer
        self.logger = logger
    }

    /// Throws when the platform address could not be bound.
    public func boundPort() async throws -> Int {
        try await bound.wait()
    }

    public func run() async throws {
        let router = Router(context: PlatformRequestContext.self)
        let openAPI: PlatformOpenAPI
        do {
            openAPI = try PlatformOpenAPI.bundled()
        } catch {
            // Nothing will bind: whoever waits for the port must hear why, not wait forever.
            bound.fail(error)
            throw error
        }
        // First, so that it also wraps the answer for paths nothing serves.
        router.add(middleware: PlatformErrorMiddleware(openAPI: openAPI, logger: logger))
        // The one authentication step: every route below sees who is calling; each API route
        // states what it requires (`Access`).
        router.add(middleware: AuthenticationMiddleware(adminToken: adminToken, sessions: lab))
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPI.document)))
        }
        router.get("/healthz") { _, _ in "ok" }
        let controllers = self.controllers
        router.get("/readyz") { request, _ -> String in
            guard request.uri.queryParameters["verbose"] != nil else { return "ok" }
            return Readiness.verbose(controllers?.leadership)
        }
        router.get("/livez") { _, _ in "ok" }
        let metrics = self.metrics
        let apiServer = self.apiServer
        let capacity = self.capacity
        router.get("/metrics") { _, _ -> Response in
            if let apiServer { StoreMetrics.update(from: apiServer) }
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            if let capacity { buffer += Array(capacity.metricsText().utf8) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        if let capacity { CapacityRoutes(service: capacity).register(on: router) }
        if let lab { LabRoutes(service: lab).register(on: router) }
        if let provisioning { ProvisioningRoutes(service: provisioning).register(on: router) }
        if let labProxy {
            // Every verb kubectl sends; the proxy checks the session token itself and answers
            // in Kubernetes' `Status` form, which kubectl reads.
            for method: HTTPRequest.Method in [.get, .head, .post, .put, .patch, .delete, .options] {
                for path: RouterPath in ["/clusters/:cluster", "/clusters/:cluster/**"] {
                    router.on(path, method: method) { request, _ -> Response in
                        await labProxy.respond(to: request, token: BearerToken.parse(authorization: request.headers[.authorization]))
                    }
                }
            }
        }
        if let console {
            do {
                try await console.register(on: router)
            } catch {
                bound.fail(error)
                throw error
            }
        }
        let bound = self.bound
        let plain = webSocketServer()
        let server: HTTPServerBuilder
        do {
            server = try tls.map { try .tls(plain, tlsConfiguration: $0.serverConfiguration()) } ?? plain
        } catch {
            bound.fail(error)
            throw error
        }
        let application = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "virtyard"),
            onServerRunning: { channel in bound.set(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await bound.announcingEnd(of: "\(host):\(port)") { try await application.run() }
    }
}

extension PlatformServer {
    /// HTTP/1 with the WebSocket upgrade when something upgrades: the console's lab terminals,
    /// and the lab proxy's `kubectl exec` and friends; plain HTTP/1 otherwise.
    func webSocketServer() -> HTTPServerBuilder {
        guard let labProxy else {
            return console?.httpServer(http1: connections.http1) ?? .http1(configuration: connections.http1)
        }
        let router = console?.webSocketRouter() ?? Router(context: TerminalRequestContext.self)
        labProxy.registerUpgrades(on: router)
        // Frames as large as the proxy relays; the terminal bounds its own messages.
        let configuration = WebSocketServerConfiguration(
            maxFrameSize: HTTPKubernetesClient.maximumRelayedMessage, autoPing: .enabled(timePeriod: .seconds(30)))
        return .http1WebSocketUpgrade(webSocketRouter: router, configuration: .init(http1: connections.http1, ws: configuration))
    }
}

/// Gauges read from the embedded store when Prometheus scrapes (`# HELP` texts: `MetricHelp`).
enum StoreMetrics {
    static func update(from server: KubeAPIServer) {
        Gauge(label: "virtyard_apiserver_resource_version").record(server.store.currentResourceVersion)
        Gauge(label: "virtyard_apiserver_watchers").record(server.store.watcherCount)
        if let statistics = server.persistence?.commitStatistics {
            Gauge(label: "virtyard_apiserver_store_transactions").record(statistics.batches)
            Gauge(label: "virtyard_apiserver_store_writes").record(statistics.operations)
        }
        for resource in server.registry.storedResources() {
            Gauge(label: "virtyard_apiserver_objects", dimensions: [("resource", resource.groupResource.description)])
                .record(server.store.count(resource.groupResource))
        }
    }
}

/// The `/readyz?verbose` report, in kube-apiserver's `[+]check ok` style, with this
/// replica's part in leader election.
enum Readiness {
    static func verbose(_ leadership: ControllerRuntime.Leadership?) -> String {
        var lines = ["[+]ping ok"]
        switch leadership {
        case nil: lines.append("[+]leader-election ok: no controllers in this process")
        case .starting?: lines.append("[+]leader-election ok: starting")
        case .leading(let identity)?: lines.append("[+]leader-election ok: leading as \(identity)")
        case .standby(let identity, let leader)?:
            lines.append("[+]leader-election ok: standby as \(identity), leader is \(leader ?? "unknown")")
        }
        lines.append("readyz check passed")
        return lines.joined(separator: "\n") + "\n"
    }
}
