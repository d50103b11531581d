import Foundation
import Hummingbird
import KubeModel
import NIOCore

/// The lab API on the platform address, in cks-backend's shapes (`/api/v1/sessions`,
/// `/api/v1/pool`, `/api/v1/admin/…`). Starting sessions, the pool and admin calls need the
/// admin token (the lab front end holds it); a session's own token reads, extends and ends
/// that session only. Errors are `{"error", "message"}`.
public struct LabRoutes: Sendable {
    let service: LabService
    let adminToken: String?

    public init(service: LabService, adminToken: String?) {
        self.service = service
        self.adminToken = adminToken
    }

    static let maximumBody = 1 << 20

    enum Caller {
        case admin
        case session(String)
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        let sessions = "/api/v1/sessions"
        router.post(RouterPath(sessions)) { request, _ in
            try await handle(request, admin: true) { _, body throws(LabAPIError) in
                let pool = body["pool"]?.stringValue ?? Lab.defaultPool
                let json = try await service.startSession(pool: pool, scenario: body["scenarioId"]?.stringValue,
                                                          user: body["userId"]?.stringValue)
                return (json, .created)
            }
        }
        router.get(RouterPath(sessions)) { request, _ in
            try await handle(request, admin: false) { caller, _ throws(LabAPIError) in
                switch caller {
                case .admin: return (.array(try service.allSessions()), .ok)
                case .session(let id): return (.array([try service.sessionJSON(id)]), .ok)
                }
            }
        }
        router.get(RouterPath("\(sessions)/:id")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await handle(request, admin: false, session: id) { _, _ throws(LabAPIError) in
                (try service.sessionJSON(id), .ok)
            }
        }
        router.delete(RouterPath("\(sessions)/:id")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await handle(request, admin: false, session: id) { _, _ throws(LabAPIError) in
                try await service.endSession(id)
                return (["id": .string(id), "message": "session ended; its cluster is being reset"], .ok)
            }
        }
        router.put(RouterPath("\(sessions)/:id/extend")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await handle(request, admin: false, session: id) { _, body throws(LabAPIError) in
                let minutes = body["minutes"]?.intValue ?? 30
                guard minutes > 0, minutes <= 24 * 60 else { throw LabAPIError(.badRequest, "minutes must be from 1 to 1440") }
                return (try await service.extendSession(id, by: .seconds(minutes * 60)), .ok)
            }
        }
        router.get(RouterPath("\(sessions)/:id/kubeconfig")) { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let caller = caller(request), allowed(caller, session: id) else { return Self.error(Self.denied) }
            do {
                let text = try service.kubeconfig(id)
                return Response(status: .ok, headers: [.contentType: "application/yaml"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            } catch let error as LabAPIError {
                return Self.error(error)
            }
        }
        router.get(RouterPath("\(sessions)/:id/tasks")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await handle(request, admin: false, session: id) { _, _ throws(LabAPIError) in
                (try service.tasks(id), .ok)
            }
        }
        router.post(RouterPath("\(sessions)/:id/tasks/:task/validate")) { request, context in
            let id = context.parameters.get("id") ?? ""
            let task = context.parameters.get("task") ?? ""
            return try await handle(request, admin: false, session: id) { _, _ throws(LabAPIError) in
                (try await service.validate(id, task: task), .ok)
            }
        }
        router.get("/api/v1/scenarios") { request, _ in
            try await handle(request, admin: false) { _, _ throws(LabAPIError) in (try service.scenarioList(), .ok) }
        }
        router.get("/api/v1/pool") { request, _ in
            try await handle(request, admin: true) { _, _ throws(LabAPIError) in (try service.pool(), .ok) }
        }
        router.post("/api/v1/admin/bootstrap-pool") { request, _ in
            try await handle(request, admin: true) { _, body throws(LabAPIError) in
                let size = body["size"]?.intValue.map(Int.init)
                if let size, !(0 ... 1000).contains(size) { throw LabAPIError(.badRequest, "size must be from 0 to 1000") }
                return (try await service.bootstrapPool(size: size), .ok)
            }
        }
        router.post("/api/v1/admin/clusters/:id/reset") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await handle(request, admin: true) { _, _ throws(LabAPIError) in (try await service.resetCluster(id), .ok) }
        }
        router.post("/api/v1/admin/release-all-clusters") { request, _ in
            try await handle(request, admin: true) { _, _ throws(LabAPIError) in (try await service.releaseAll(), .ok) }
        }
    }

    static let denied = LabAPIError(.unauthorized, "a bearer token is required: the admin token, or the session's own token for its session")

    private func caller(_ request: Request) -> Caller? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return adminToken == nil ? .admin : nil
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        if let adminToken, token == adminToken { return .admin }
        if adminToken == nil { return .admin }
        return service.session(forToken: token).map(Caller.session)
    }

    private func allowed(_ caller: Caller, session id: String?) -> Bool {
        switch caller {
        case .admin: true
        case .session(let own): id == nil || id == own
        }
    }

    /// Authorises, parses the JSON body (empty is `{}`), runs `body`, renders the outcome.
    private func handle(_ request: Request, admin: Bool, session: String? = nil,
                        _ body: @Sendable (Caller, JSONValue) async throws(LabAPIError) -> (JSONValue, HTTPResponse.Status))
        async throws -> Response {
        guard let caller = caller(request) else { return Self.error(Self.denied) }
        if admin, case .session = caller { return Self.error(LabAPIError(.unauthorized, "this call needs the admin token")) }
        guard allowed(caller, session: session) else { return Self.error(Self.denied) }
        let bytes = try await request.body.collect(upTo: Self.maximumBody)
        var document: JSONValue = [:]
        if bytes.readableBytes > 0 {
            guard let parsed = try? JSONValue(parsing: Array(bytes.readableBytesView)), parsed.objectValue != nil else {
                return Self.error(LabAPIError(.badRequest, "the body must be a JSON object"))
            }
            document = parsed
        }
        do throws(LabAPIError) {
            let (json, status) = try await body(caller, document)
            return Self.json(json, status: status)
        } catch {
            return Self.error(error)
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    static func error(_ error: LabAPIError) -> Response {
        let status: HTTPResponse.Status = switch error.kind {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .notFound: .notFound
        case .conflict: .conflict
        case .unavailable: .serviceUnavailable
        case .failed: .internalServerError
        }
        return json(["error": .string(error.kind.rawValue), "message": .string(error.message)], status: status)
    }
}
