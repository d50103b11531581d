import Foundation
import Hummingbird
import KubeServer
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
    let logger: Logger
    private let listening: AsyncStream<Int>.Continuation
    private let listeningStream: AsyncStream<Int>

    public init(host: String, port: Int, metrics: PrometheusCollectorRegistry, apiServer: KubeAPIServer?,
                logger: Logger = Logger(label: "virtyard.platform")) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.apiServer = apiServer
        self.logger = logger
        (listeningStream, listening) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public func boundPort() async -> Int? {
        for await port in listeningStream { return port }
        return nil
    }

    public func run() async throws {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.get("/readyz") { _, _ in "ok" }
        router.get("/livez") { _, _ in "ok" }
        let metrics = self.metrics
        let apiServer = self.apiServer
        router.get("/metrics") { _, _ -> Response in
            if let apiServer { StoreMetrics.update(from: apiServer) }
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        let listening = self.listening
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "virtyard"),
            onServerRunning: { channel in listening.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await application.run()
    }
}

/// Gauges read from the embedded store when Prometheus scrapes.
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
