import Foundation
import Hummingbird
import KubeModel
import NIOCore

/// The lab API on the platform address, in cks-backend's shapes (`/api/v1/sessions`,
/// `/api/v1/pool`, `/api/v1/admin/…`). Starting sessions, the pool and admin calls need the
/// admin token (the lab front end holds it); a session's own token reads, extends and ends
/// that session only. Errors are `{"error", "message"}`: 401 without a valid token, 403 for
/// a session token on an admin call, and 404 for a session token on another session — the
/// same answer as for a session that does not exist, so a token cannot probe for others.
public struct LabRoutes: Sendable {
    let service: LabService
    let adminToken: String?

    public init(service: LabService, adminToken: String?) {
        self.service = service
        self.adminToken = adminToken
    }

    enum Caller: Equatable {
        case admin
        case session(String)
    }

    /// Who may make a call.
    enum Audience {
        /// The admin token only.
        case admin
        /// The admin token, or any session token (which then sees its own session only).
        case anyone
        /// The admin token, or the token of this session.
        case session(String)
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        let sessions = "/api/v1/sessions"
        router.post(RouterPath(sessions)) { request, _ in
            await respond(request, .admin) { _ throws(LabAPIError) in
                let body = try await RequestBody.decode(StartSessionRequest.self, from: request)
                return (try await service.startSession(body), .created)
            }
        }
        router.get(RouterPath(sessions)) { request, _ in
            await respond(request, .anyone) { caller throws(LabAPIError) in
                switch caller {
                case .admin: return (.array(try service.allSessions()), .ok)
                case .session(let id): return (.array([try service.sessionJSON(id)]), .ok)
                }
            }
        }
        router.get(RouterPath("\(sessions)/:id")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return await respond(request, .session(id)) { _ throws(LabAPIError) in (try service.sessionJSON(id), .ok) }
        }
        router.delete(RouterPath("\(sessions)/:id")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return await respond(request, .session(id)) { _ throws(LabAPIError) in
                _ = try await RequestBody.decode(NoFieldsRequest.self, from: request)
                let message = try await service.endSession(id)
                return (["id": .string(id), "message": .string(message)], .ok)
            }
        }
        router.put(RouterPath("\(sessions)/:id/extend")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return await respond(request, .session(id)) { _ throws(LabAPIError) in
                let body = try await RequestBody.decode(ExtendRequest.self, from: request)
                return (try await service.extendSession(id, by: .seconds(body.minutes * 60)), .ok)
            }
        }
        router.get(RouterPath("\(sessions)/:id/kubeconfig")) { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            do throws(LabAPIError) {
                _ = try authorize(request, .session(id))
                let text = try service.kubeconfig(id)
                return Response(status: .ok, headers: [.contentType: "application/yaml"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            } catch {
                return Self.error(error)
            }
        }
        router.get(RouterPath("\(sessions)/:id/tasks")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return await respond(request, .session(id)) { _ throws(LabAPIError) in (try service.tasks(id), .ok) }
        }
        router.post(RouterPath("\(sessions)/:id/tasks/:task/validate")) { request, context in
            let id = context.parameters.get("id") ?? ""
            let task = context.parameters.get("task") ?? ""
            return await respond(request, .session(id)) { _ throws(LabAPIError) in
                _ = try await RequestBody.decode(NoFieldsRequest.self, from: request)
                return (try await service.validate(id, task: task), .ok)
            }
        }
        router.get("/api/v1/scenarios") { request, _ in
            await respond(request, .anyone) { _ throws(LabAPIError) in (try service.scenarioList(), .ok) }
        }
        router.get("/api/v1/pool") { request, _ in
            await respond(request, .admin) { _ throws(LabAPIError) in (try service.pool(), .ok) }
        }
        router.post("/api/v1/admin/bootstrap-pool") { request, _ in
            await respond(request, .admin) { _ throws(LabAPIError) in
                let body = try await RequestBody.decode(BootstrapRequest.self, from: request)
                return (try await service.bootstrapPool(size: body.size), .ok)
            }
        }
        router.post("/api/v1/admin/clusters/:id/reset") { request, context in
            let id = context.parameters.get("id") ?? ""
            return await respond(request, .admin) { _ throws(LabAPIError) in
                _ = try await RequestBody.decode(NoFieldsRequest.self, from: request)
                return (try await service.resetCluster(id), .ok)
            }
        }
        router.post("/api/v1/admin/release-all-clusters") { request, _ in
            await respond(request, .admin) { _ throws(LabAPIError) in
                _ = try await RequestBody.decode(NoFieldsRequest.self, from: request)
                return (try await service.releaseAll(), .ok)
            }
        }
    }

    static let missingToken = LabAPIError(.unauthorized,
                                          "a bearer token is required: the admin token, or the session's own token for its session")
    static let invalidToken = LabAPIError(.unauthorized, "the bearer token is not valid (unknown, or its session has ended)")
    static let adminOnly = LabAPIError(.forbidden, "this call needs the admin token")

    /// Who the request's bearer token belongs to.
    func caller(_ request: Request) throws(LabAPIError) -> Caller {
        guard let adminToken else { return .admin }
        guard let token = BearerToken.parse(authorization: request.headers[.authorization]) else { throw Self.missingToken }
        if ConstantTime.equals(token, adminToken) { return .admin }
        guard let session = service.session(forToken: token) else { throw Self.invalidToken }
        return .session(session)
    }

    /// The caller, if it may make a call meant for `audience`.
    func authorize(_ request: Request, _ audience: Audience) throws(LabAPIError) -> Caller {
        let caller = try caller(request)
        guard case .session(let own) = caller else { return caller }
        switch audience {
        case .admin: throw Self.adminOnly
        case .anyone: return caller
        case .session(let id):
            guard id == own else { throw LabAPIError.sessionNotFound(id) }
            return caller
        }
    }

    /// Authorises, runs `body`, renders its outcome or its error.
    private func respond(_ request: Request, _ audience: Audience,
                         _ body: @Sendable (Caller) async throws(LabAPIError) -> (JSONValue, HTTPResponse.Status)) async -> Response {
        do throws(LabAPIError) {
            let caller = try authorize(request, audience)
            let (json, status) = try await body(caller)
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
        json(["error": .string(error.kind.rawValue), "message": .string(error.message)], status: error.status)
    }
}
