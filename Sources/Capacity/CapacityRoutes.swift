import Foundation
import Hummingbird
import KubeModel
import NIOCore

/// The capacity API on the platform address: node-classifier-sim's paths (for drop-in use)
/// and the same under `/api/v1/capacity/`, plus the classification and rebalancer reports.
/// GETs answer without a token (Prometheus scrapes them); POSTs need the admin token: 401
/// without a valid token, 403 with a token that is valid but not the admin's (a lab session's).
public struct CapacityRoutes: Sendable {
    /// What a request's credentials allow on the POSTs.
    public enum Authorization: Sendable {
        case allowed
        /// No token, or one that is not valid.
        case unauthenticated
        /// A valid token without the right.
        case forbidden
    }

    public typealias Authorize = @Sendable (Request) -> Authorization

    let service: CapacityService
    let authorize: Authorize

    public init(service: CapacityService, authorize: @escaping Authorize) {
        self.service = service
        self.authorize = authorize
    }

    /// Kubernetes' limit for a request body, kept on the platform address too (413 beyond).
    static let maximumBody = 3 << 20

    /// Adds the routes; `includeRootMetrics` is false when the platform's own `/metrics`
    /// already appends ``CapacityService/metricsText(now:)``.
    public func register<Context: RequestContext>(on router: Router<Context>, includeRootMetrics: Bool = false) {
        for prefix in ["", "/api/v1/capacity"] {
            if !prefix.isEmpty || includeRootMetrics {
                router.get("\(prefix)/metrics") { _, _ in Self.text(service.metricsText()) }
            }
            router.get("\(prefix)/health") { _, _ in health() }
            router.post("\(prefix)/refresh") { request, _ in
                try await guarded(request) { body throws(CapacityError) in
                    // It takes no fields: one sent is a mistake worth saying.
                    if let field = body.objectValue?.keys.sorted().first {
                        throw CapacityError(.badRequest, "field \"\(field)\" is not known here: /refresh takes no body")
                    }
                    return refresh()
                }
            }
            router.post("\(prefix)/feedback") { request, _ in
                try await guarded(request) { body throws(CapacityError) in
                    let requests = try MigrationRequest.parse(body)
                    return try await service.migrate(requests, raw: body["migrations"]?.arrayValue ?? [])
                }
            }
            router.get("\(prefix)/scenario") { _, _ in Self.json(service.placedScenario()) }
            router.post("\(prefix)/scenario") { request, _ in
                let choose = request.uri.queryParameters["name"].map(String.init)
                return try await guarded(request) { body throws(CapacityError) in
                    // The name fields are read only when they are strings: one that is not is
                    // a mistake to name, not to skip.
                    if body["nodes"] != nil {
                        for field in ["name", "scenario"] {
                            guard let value = body[field] else { continue }
                            guard let text = value.stringValue, !text.isEmpty else {
                                throw CapacityError(.badRequest, "field \"\(field)\" must be a non-empty string (the scenario's name)")
                            }
                        }
                    }
                    let parsed = Result { () throws(ScenarioError) -> Scenario in
                        try Scenario(json: body, choose: choose, nodeCores: service.configuration.nodeCPU.doubleValue,
                                     nodeMemory: Double(service.configuration.nodeMemory.value))
                    }
                    switch parsed {
                    case .success(let scenario): return try await service.load(scenario)
                    case .failure(let error): throw CapacityError(.badRequest, error.message)
                    }
                }
            }
            router.get("\(prefix)/nodes/:name") { _, context in
                let name = context.parameters.get("name") ?? ""
                guard let node = service.utilization().first(where: { $0.node == name }) else {
                    return Self.error(CapacityError(.notFound, "Node \(name) not found"))
                }
                return Self.json(CapacityService.nodeJSON(node))
            }
        }
        router.get("/api/v1/capacity/classification") { request, _ in
            let requested = request.uri.queryParameters["preset"].map(String.init)
            guard let preset = requested.map({ ThresholdPreset(rawValue: $0) }) ?? service.configuration.preset else {
                let names = ThresholdPreset.allCases.map(\.rawValue).joined(separator: ", ")
                return Self.error(CapacityError(.badRequest, "unknown preset \(requested ?? ""); one of \(names)"))
            }
            return Self.json(Self.classificationJSON(service.classification(preset: preset)))
        }
        router.get("/api/v1/capacity/rebalancer") { _, _ in
            let rounds = service.rebalanceRounds.map { round -> JSONValue in
                ["time": .string(Timestamp.string(round.time)), "spread_before": .double(round.spreadBefore),
                 "spread_after": .double(round.spreadAfter), "migrations": .array(round.migrations)]
            }
            return Self.json(["enabled": .bool(service.configuration.rebalancer != nil), "rounds": .array(rounds)])
        }
    }

    private func health() -> Response {
        let ready = service.isReady
        let body: JSONValue = ["status": ready ? "healthy" : "starting", "nodes": .int(Int64(service.utilization().count)),
                               "pod_manager_enabled": true, "k8s_client_ready": .bool(ready)]
        return Self.json(body, status: ready ? .ok : .serviceUnavailable)
    }

    private func refresh() -> JSONValue {
        let nodes = service.utilization().map(\.node)
        _ = service.metricsText()
        return ["status": "success", "refreshed": .array(nodes.map(JSONValue.string)), "failed": [],
                "total": .int(Int64(nodes.count))]
    }

    /// Checks the token, reads a JSON body, runs `body`, and turns errors into
    /// `{"error": CODE, "message": …}` with the matching status.
    private func guarded(_ request: Request,
                         _ body: @Sendable (JSONValue) async throws(CapacityError) -> JSONValue) async throws -> Response {
        switch authorize(request) {
        case .allowed: break
        case .unauthenticated:
            return Self.json(["error": "Unauthorized", "message": "a bearer token is required (the admin token)"],
                             status: .unauthorized)
        case .forbidden:
            return Self.json(["error": "Forbidden", "message": "this call needs the admin token"], status: .forbidden)
        }
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: Self.maximumBody)
        } catch is NIOTooManyBytesError {
            return Self.json(["error": "RequestEntityTooLarge", "message": .string("the body is larger than \(Self.maximumBody) bytes (3 MiB)")],
                             status: .contentTooLarge)
        }
        let document: JSONValue
        if bytes.readableBytes == 0 {
            document = [:]
        } else {
            if let type = request.headers[.contentType], !Self.isJSON(type) {
                return Self.json(["error": "UnsupportedMediaType",
                                  "message": .string("the body must be JSON (Content-Type: application/json), not \(type)")],
                                 status: .unsupportedMediaType)
            }
            do {
                document = try JSONValue(parsing: bytes.readableBytesView)
            } catch {
                return Self.error(CapacityError(.badRequest, "the body is not JSON: \(error)"))
            }
            guard document.objectValue != nil else {
                return Self.error(CapacityError(.badRequest, "the body must be a JSON object, not \(document.typeName)"))
            }
        }
        do {
            return Self.json(try await body(document))
        } catch {
            return Self.error(error)
        }
    }

    /// `application/json`, or a `+json` type, with any parameters.
    static func isJSON(_ contentType: String) -> Bool {
        let media = contentType.split(separator: ";", maxSplits: 1).first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json"))
    }

    static func classificationJSON(_ classification: Classification) -> JSONValue {
        [
            "preset": .string(classification.preset.rawValue), "mean": .double(classification.mean),
            "lower_threshold": .double(classification.lowerThreshold),
            "upper_threshold": .double(classification.upperThreshold), "spread": .double(classification.spread),
            "nodes": .array(classification.nodes.map { entry in
                ["node": .string(entry.node.node), "score": .double(entry.node.score),
                 "classification": .string(entry.class.rawValue), "cpu_usage": .double(entry.node.cpuUsage),
                 "cpu_pressure": .double(entry.node.cpuPressure), "memory_usage": .double(entry.node.memoryUsage),
                 "memory_pressure": .double(entry.node.memoryPressure), "vm_count": .int(Int64(entry.node.vms.count))]
            }),
        ]
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    static func text(_ value: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: value)))
    }

    static func error(_ error: CapacityError) -> Response {
        let status: HTTPResponse.Status = switch error.kind {
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .unavailable: .serviceUnavailable
        case .failed: .internalServerError
        }
        return json(["error": .string(error.kind.rawValue), "message": .string(error.message)], status: status)
    }
}
