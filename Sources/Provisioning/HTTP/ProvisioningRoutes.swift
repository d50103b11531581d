import Foundation
import Hummingbird
import KubeModel
import NIOCore
import PlatformHTTP

/// moxxie's provisioning API on the platform address (`/api/v1/clusters…`, `/api/v1/vms…`,
/// `/api/v1/safety/audit`), admin token only (`Authorization: Bearer` or `X-API-Key`).
///
/// Errors are moxxie's `{"error", "message", "status", "timestamp"}` (``ProvisioningAPIError``),
/// the platform's own (401, 413, 415, 503) converted to that shape; a specification that
/// breaks rules is the 400 Constraint Violation body. Path parameters are checked before
/// anything is read: a cluster name is a DNS label, an operation id `op-<8 hex>`, anything
/// else names nothing (404).
public struct ProvisioningRoutes: Sendable {
    let service: ProvisioningService

    public init(service: ProvisioningService) {
        self.service = service
    }

    /// The most entries one audit read returns.
    static let maximumAuditLimit = 1000

    public func register<Context: AuthenticatedRequestContext>(on router: Router<Context>) {
        let service = self.service
        let clusters = "/api/v1/clusters"
        // Literal paths before `/api/v1/clusters/:name`, which would otherwise take them.
        router.post(RouterPath("\(clusters)/provision")) { request, context in
            try await Self.answer {
                let user = try context.require(.admin).auditName
                let bytes = try await JSONBody.read(request)
                let accepted = try await service.provision(body: bytes, contentType: request.headers[.contentType], user: user)
                guard let id = accepted.operationID else { return JSONResponse(accepted.body).response }
                var response = JSONResponse(accepted.body, status: .accepted).response
                response.headers[.location] = "\(clusters)/operations/\(id)"
                return response
            }
        }
        router.get(RouterPath("\(clusters)/operations")) { _, context in
            try await Self.answer {
                try context.require(.admin)
                return JSONResponse(try await service.operations()).response
            }
        }
        router.get(RouterPath("\(clusters)/operations/:id")) { _, context in
            try await Self.answer {
                try context.require(.admin)
                return JSONResponse(try await service.operationJSON(context.parameters.get("id") ?? "")).response
            }
        }
        router.post(RouterPath("\(clusters)/operations/:id/cancel")) { request, context in
            try await Self.answer {
                let user = try context.require(.admin).auditName
                _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
                let answer = try await service.cancel(context.parameters.get("id") ?? "", user: user)
                return JSONResponse(answer, status: .accepted).response
            }
        }
        router.get(RouterPath(clusters)) { _, context in
            try await Self.answer {
                try context.require(.admin)
                return JSONResponse(try await service.clusters()).response
            }
        }
        router.get(RouterPath("\(clusters)/:name")) { _, context in
            try await Self.answer {
                try context.require(.admin)
                return JSONResponse(try await service.clusterJSON(context.parameters.get("name") ?? "")).response
            }
        }
        router.delete(RouterPath("\(clusters)/:name")) { request, context in
            try await Self.answer {
                let user = try context.require(.admin).auditName
                _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
                let operation = try await service.decommission(context.parameters.get("name") ?? "", user: user)
                return Self.accepted(operation)
            }
        }
        router.get(RouterPath("\(clusters)/:name/kubeconfig")) { _, context in
            try await Self.answer {
                try context.require(.admin)
                let text = try await service.kubeconfig(context.parameters.get("name") ?? "")
                return Response(
                    status: .ok, headers: [.contentType: "application/yaml"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
        }
        router.put(RouterPath("\(clusters)/:name/scale")) { request, context in
            try await Self.answer {
                let user = try context.require(.admin).auditName
                let body = try await JSONBody.decode(ScaleRequest.self, from: request)
                return Self.accepted(try await service.scale(context.parameters.get("name") ?? "", body, user: user))
            }
        }
        router.put(RouterPath("\(clusters)/:name/upgrade")) { request, context in
            try await Self.answer {
                let user = try context.require(.admin).auditName
                let body = try await JSONBody.decode(UpgradeRequest.self, from: request)
                return Self.accepted(try await service.upgrade(context.parameters.get("name") ?? "", body, user: user))
            }
        }
        router.post(RouterPath("\(clusters)/:name/validate")) { request, context in
            try await Self.answer {
                try context.require(.admin)
                _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
                return JSONResponse(try await service.validate(context.parameters.get("name") ?? "")).response
            }
        }
        router.delete(RouterPath("/api/v1/vms/:namespace/:name")) { request, context in
            try await Self.answer {
                let user = try context.require(.admin).auditName
                let namespace = context.parameters.get("namespace") ?? ""
                let name = context.parameters.get("name") ?? ""
                let force = try Self.force(request.uri.queryParameters["force"].map(String.init))
                guard ClusterSpecValidation.isDNSLabel(namespace), Self.isObjectName(name) else {
                    throw ProvisioningAPIError.notFound("VirtualMachine \(namespace.prefix(64))/\(name.prefix(64)) not found")
                }
                _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
                return JSONResponse(try await service.deleteVM(namespace: namespace, name: name, force: force, user: user)).response
            }
        }
        router.get("/api/v1/safety/audit") { request, context in
            try await Self.answer {
                try context.require(.admin)
                let query = request.uri.queryParameters
                let since = try Self.startTime(query["startTime"].map(String.init))
                let limit = try Self.limit(query["limit"].map(String.init))
                return JSONResponse(try await service.auditEntries(since: since, limit: limit)).response
            }
        }
    }

    /// Runs a route, answering every error in moxxie's shape.
    static func answer(_ route: () async throws -> Response) async throws -> Response {
        do {
            return try await route()
        } catch let error as ProvisioningAPIError {
            throw error
        } catch let error as PlatformError {
            throw ProvisioningAPIError(error)
        }
    }

    /// 202 with an operation, and where to follow it.
    static func accepted(_ operation: JSONValue) -> Response {
        var response = JSONResponse(operation, status: .accepted).response
        if let id = operation["operationId"]?.stringValue {
            response.headers[.location] = "/api/v1/clusters/operations/\(id)"
        }
        return response
    }

    static func force(_ text: String?) throws(ProvisioningAPIError) -> Bool {
        switch text {
        case nil, "false": return false
        case "true": return true
        case let other?: throw .badRequest("query parameter force must be true or false, not \"\(other.prefix(64))\"")
        }
    }

    static func startTime(_ text: String?) throws(ProvisioningAPIError) -> Date? {
        guard let text else { return nil }
        guard !text.isEmpty, text.count <= 64, let date = Timestamp.date(text) else {
            throw .badRequest("Invalid startTime format. Use ISO-8601 format (e.g., 2024-01-15T00:00:00Z)")
        }
        return date
    }

    static func limit(_ text: String?) throws(ProvisioningAPIError) -> Int {
        guard let text else { return 100 }
        guard text.count <= 8, let limit = Int(text), (1...maximumAuditLimit).contains(limit) else {
            throw .badRequest("query parameter limit must be an integer from 1 to \(maximumAuditLimit)")
        }
        return limit
    }

    /// A Kubernetes object name (DNS subdomain): what a VM can be called.
    static func isObjectName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            ClusterSpecValidation.isDNSLabel(String($0))
        }
    }
}
