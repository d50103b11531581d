import Capacity
import Foundation
import Hummingbird
import KubeModel
import KubeServer
import LabPool
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle

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
    let adminToken: String?
    let connections: ConnectionLimits
    let logger: Logger
    private let bound = AsyncValue<Int>()

    /// - Parameter adminToken: required as a bearer token on the platform API's writes; nil
    ///   leaves them open (tests only).
    public init(host: String, port: Int, metrics: PrometheusCollectorRegistry, apiServer: KubeAPIServer?,
                controllers: ControllerRuntime?, capacity: CapacityService? = nil, lab: LabService? = nil,
                adminToken: String? = nil, connections: ConnectionLimits = ConnectionLimits(),
                logger: Logger = Logger(label: "virtyard.platform")) {
        self.connections = connections
        self.controllers = controllers
        self.capacity = capacity
        self.lab = lab
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
        let router = Router()
        let openAPI = try PlatformOpenAPI.bundled()
        // First, so that it also wraps the answer for paths nothing serves.
        router.add(middleware: PlatformErrorMiddleware(openAPI: openAPI, logger: logger))
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
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
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        if let capacity {
            let adminToken = self.adminToken
            let lab = self.lab
            CapacityRoutes(service: capacity) { request in
                guard let adminToken else { return .allowed }
                guard let token = BearerToken.parse(authorization: request.headers[.authorization]) else { return .unauthenticated }
                if ConstantTime.equals(token, adminToken) { return .allowed }
                return lab?.isSessionToken(token) == true ? .forbidden : .unauthenticated
            }.register(on: router)
        }
        if let lab { LabRoutes(service: lab, adminToken: adminToken).register(on: router) }
        let bound = self.bound
        let application = Application(
            router: router,
            server: .http1(configuration: connections.http1),
            configuration: .init(address: .hostname(host, port: port), serverName: "virtyard"),
            onServerRunning: { channel in bound.set(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await bound.announcingEnd(of: "\(host):\(port)") { try await application.run() }
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
