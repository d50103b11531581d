import Hummingbird
import KubeModel
import NIOCore
import PlatformHTTP

/// The lab API on the platform address, in cks-backend's shapes (`/api/v1/sessions`,
/// `/api/v1/scenarios`, `/api/v1/pool`, `/api/v1/admin/…`). Starting sessions, the pool and admin calls need the
/// admin token (the lab front end holds it); a session's own token reads, extends and ends
/// that session only. Each route states its ``Access``; the caller comes from the platform's
/// ``AuthenticationMiddleware``, and ``Access/authorize(_:)`` answers 401 without a valid
/// token, 403 for a session token on an admin call, and 404 for a session token on another
/// session — the same answer as for a session that does not exist. Errors are
/// ``PlatformError``s, bodies are read by ``JSONBody``.
public struct LabRoutes: Sendable {
    let service: LabService

    public init(service: LabService) {
        self.service = service
    }

    public func register<Context: AuthenticatedRequestContext>(on router: Router<Context>) {
        let sessions = "/api/v1/sessions"
        router.post(RouterPath(sessions)) { request, context in
            try context.require(.admin)
            let body = try await JSONBody.decode(StartSessionRequest.self, from: request)
            return JSONResponse(try await service.startSession(body), status: .created)
        }
        router.get(RouterPath(sessions)) { _, context in
            switch try context.require(.adminOrAnySession) {
            case .session(let id): JSONResponse(.array([try service.sessionJSON(id)]))
            case .admin, .anonymous: JSONResponse(.array(try service.allSessions()))
            }
        }
        router.get(RouterPath("\(sessions)/:id")) { _, context in
            let id = try Self.ownSession(context)
            return JSONResponse(try service.sessionJSON(id))
        }
        router.delete(RouterPath("\(sessions)/:id")) { request, context in
            let id = try Self.ownSession(context)
            _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
            let message = try await service.endSession(id)
            return JSONResponse(["id": .string(id), "message": .string(message)])
        }
        router.put(RouterPath("\(sessions)/:id/extend")) { request, context in
            let id = try Self.ownSession(context)
            let body = try await JSONBody.decode(ExtendRequest.self, from: request)
            return JSONResponse(try await service.extendSession(id, by: .seconds(body.minutes * 60)))
        }
        router.get(RouterPath("\(sessions)/:id/kubeconfig")) { _, context -> Response in
            let text = try service.kubeconfig(try Self.ownSession(context))
            return Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        router.get(RouterPath("\(sessions)/:id/tasks")) { _, context in
            JSONResponse(try service.tasks(try Self.ownSession(context)))
        }
        router.post(RouterPath("\(sessions)/:id/tasks/:task/validate")) { request, context in
            let id = try Self.ownSession(context)
            let task = context.parameters.get("task") ?? ""
            _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
            return JSONResponse(try await service.validate(id, task: task))
        }
        router.get("/api/v1/scenarios") { _, context in
            try context.require(.adminOrAnySession)
            return JSONResponse(try service.scenarioList())
        }
        // Before `/api/v1/scenarios/:id`, which would otherwise take "categories" for an id.
        router.get("/api/v1/scenarios/categories") { _, context in
            try context.require(.adminOrAnySession)
            return JSONResponse(try service.categories())
        }
        router.get("/api/v1/scenarios/:id") { _, context in
            try context.require(.adminOrAnySession)
            let id = context.parameters.get("id") ?? ""
            guard ScenarioFolder.isObjectName(id) else {
                throw LabAPIError(.badRequest, "path parameter \"id\": \"\(id.prefix(64))\" is not a scenario name")
            }
            return JSONResponse(try service.scenarioDetail(id))
        }
        router.get("/api/v1/pool") { _, context in
            try context.require(.admin)
            return JSONResponse(try service.pool())
        }
        router.post("/api/v1/admin/bootstrap-pool") { request, context in
            try context.require(.admin)
            let body = try await JSONBody.decode(BootstrapRequest.self, from: request)
            return JSONResponse(try await service.bootstrapPool(size: body.size))
        }
        router.post("/api/v1/admin/clusters/:id/reset") { request, context in
            try context.require(.admin)
            let id = context.parameters.get("id") ?? ""
            _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
            return JSONResponse(try await service.resetCluster(id))
        }
        router.get("/api/v1/admin/clusters") { _, context in
            try context.require(.admin)
            return JSONResponse(try service.adminClusters())
        }
        router.get("/api/v1/admin/sessions") { _, context in
            try context.require(.admin)
            return JSONResponse(try service.adminSessions())
        }
        router.post("/api/v1/admin/create-snapshots") { request, context in
            try context.require(.admin)
            _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
            return JSONResponse(try await service.createSnapshots())
        }
        router.post("/api/v1/admin/release-all-clusters") { request, context in
            try context.require(.admin)
            _ = try await JSONBody.decode(NoFieldsRequest.self, from: request)
            return JSONResponse(try await service.releaseAll())
        }
    }

    /// The session the path names, when the caller is the admin or that session.
    private static func ownSession(_ context: some AuthenticatedRequestContext) throws(PlatformError) -> String {
        let id = context.parameters.get("id") ?? ""
        try context.require(.adminOrSession(id))
        return id
    }
}
