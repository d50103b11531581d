import Hummingbird
import KubeModel
import NIOCore
import PlatformHTTP

/// The capacity API on the platform address: node-classifier-sim's paths (for drop-in use)
/// and the same under `/api/v1/capacity/`, plus the classification and rebalancer reports.
/// GETs answer without a token (Prometheus scrapes them); POSTs need the admin token. Each
/// route states its ``Access``; the caller comes from the platform's
/// ``AuthenticationMiddleware`` (401 without a valid token, 403 with a lab session's). Bodies
/// are read by ``JSONBody``; a ``CapacityError`` is answered as the matching ``PlatformError``.
public struct CapacityRoutes: Sendable {
    let service: CapacityService

    public init(service: CapacityService) {
        self.service = service
    }

    /// Adds the routes; `includeRootMetrics` is false when the platform's own `/metrics`
    /// already appends ``CapacityService/metricsText(now:)``.
    public func register<Context: AuthenticatedRequestContext>(on router: Router<Context>, includeRootMetrics: Bool = false) {
        for prefix in ["", "/api/v1/capacity"] {
            if !prefix.isEmpty || includeRootMetrics {
                router.get("\(prefix)/metrics") { _, context in
                    try context.require(.anonymous)
                    return Self.text(service.metricsText())
                }
            }
            router.get("\(prefix)/health") { _, context in
                try context.require(.anonymous)
                return health()
            }
            router.post("\(prefix)/refresh") { request, context in
                try context.require(.admin)
                _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
                return JSONResponse(refresh())
            }
            router.post("\(prefix)/feedback") { request, context in
                try context.require(.admin)
                let body = try await JSONBody.decode(JSONValue.self, from: request)
                let requests = try MigrationRequest.parse(body)
                return JSONResponse(try await service.migrate(requests, raw: body["migrations"]?.arrayValue ?? []))
            }
            router.get("\(prefix)/scenario") { _, context in
                try context.require(.anonymous)
                return JSONResponse(service.placedScenario())
            }
            router.post("\(prefix)/scenario") { request, context in
                try context.require(.admin)
                let choose = request.uri.queryParameters["name"].map(String.init)
                let body = try await JSONBody.decode(JSONValue.self, from: request)
                return JSONResponse(try await service.loadScenario(body, choose: choose))
            }
            router.get("\(prefix)/nodes/:name") { _, context in
                try context.require(.anonymous)
                let name = context.parameters.get("name") ?? ""
                guard let node = service.utilization().first(where: { $0.node == name }) else {
                    throw CapacityError(.notFound, "Node \(name) not found")
                }
                return JSONResponse(CapacityService.nodeJSON(node))
            }
        }
        router.get("/api/v1/capacity/classification") { request, context in
            try context.require(.anonymous)
            let requested = request.uri.queryParameters["preset"].map(String.init)
            guard let preset = requested.map({ ThresholdPreset(rawValue: $0) }) ?? service.configuration.preset else {
                let names = ThresholdPreset.allCases.map(\.rawValue).joined(separator: ", ")
                throw CapacityError(.badRequest, "unknown preset \(requested ?? ""); one of \(names)")
            }
            return JSONResponse(Self.classificationJSON(service.classification(preset: preset)))
        }
        router.get("/api/v1/capacity/rebalancer") { _, context in
            try context.require(.anonymous)
            let rounds = service.rebalanceRounds.map { round -> JSONValue in
                [
                    "time": .string(Timestamp.string(round.time)), "spread_before": .double(round.spreadBefore),
                    "spread_after": .double(round.spreadAfter), "migrations": .array(round.migrations),
                ]
            }
            return JSONResponse(["enabled": .bool(service.configuration.rebalancer != nil), "rounds": .array(rounds)])
        }
    }

    private func health() -> JSONResponse {
        let ready = service.isReady
        let body: JSONValue = [
            "status": ready ? "healthy" : "starting", "nodes": .int(Int64(service.utilization().count)),
            "pod_manager_enabled": true, "k8s_client_ready": .bool(ready),
        ]
        return JSONResponse(body, status: ready ? .ok : .serviceUnavailable)
    }

    private func refresh() -> JSONValue {
        let nodes = service.utilization().map(\.node)
        _ = service.metricsText()
        return [
            "status": "success", "refreshed": .array(nodes.map(JSONValue.string)), "failed": [],
            "total": .int(Int64(nodes.count)),
        ]
    }

    static func classificationJSON(_ classification: Classification) -> JSONValue {
        [
            "preset": .string(classification.preset.rawValue), "mean": .double(classification.mean),
            "lower_threshold": .double(classification.lowerThreshold),
            "upper_threshold": .double(classification.upperThreshold), "spread": .double(classification.spread),
            "nodes": .array(
                classification.nodes.map { entry in
                    [
                        "node": .string(entry.node.node), "score": .double(entry.node.score),
                        "classification": .string(entry.class.rawValue), "cpu_usage": .double(entry.node.cpuUsage),
                        "cpu_pressure": .double(entry.node.cpuPressure), "memory_usage": .double(entry.node.memoryUsage),
                        "memory_pressure": .double(entry.node.memoryPressure), "vm_count": .int(Int64(entry.node.vms.count)),
                    ]
                }),
        ]
    }

    static func text(_ value: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value)))
    }
}

/// A capacity failure answered on the platform address: the ``PlatformError`` of the same
/// code, so that it is rendered like every other platform error.
extension CapacityError: HTTPResponseError {
    public var status: HTTPResponse.Status { platformError.status }

    public func response(from request: Request, context: some RequestContext) -> Response {
        platformError.response
    }

    var platformError: PlatformError {
        let kind: PlatformError.Kind =
            switch kind {
            case .badRequest: .badRequest
            case .notFound: .notFound
            case .unavailable: .unavailable
            case .failed: .failed
            }
        return PlatformError(kind, message)
    }
}
