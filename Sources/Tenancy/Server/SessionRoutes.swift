import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import Logging
import NIOCore

/// Logging in and out: `POST /cloudapi/1.0.0/sessions` (tenants), `…/sessions/provider`
/// (the System organisation), the old `POST /api/sessions`, `GET`/`DELETE /api/session`,
/// `/cloudapi/1.0.0/sessions/current` and ssvirt's `/cloudapi/1.0.0/sessions/{id}`.
struct SessionRoutes: Sendable {
    let directory: any TenantDirectory
    let sessions: SessionStore
    let address: PublicAddress
    let logger: Logger

    static let accessTokenHeader = HTTPField.Name("X-VMWARE-VCLOUD-ACCESS-TOKEN")!
    static let tokenTypeHeader = HTTPField.Name("X-VMWARE-VCLOUD-TOKEN-TYPE")!

    /// Which login endpoint was called: each admits only its own kind of organisation, as
    /// Cloud Director's do.
    enum Door {
        case tenant, provider, legacy
    }

    func register(on router: Router<VCDRequestContext>) {
        router.post("/cloudapi/1.0.0/sessions") { request, context in try await login(request, context, door: .tenant) }
        router.post("/cloudapi/1.0.0/sessions/provider") { request, context in try await login(request, context, door: .provider) }
        router.post("/api/sessions") { request, context in try await login(request, context, door: .legacy) }
        router.get("/cloudapi/1.0.0/sessions/current") { _, context in
            Self.json(Self.sessionJSON(try context.requireSession()))
        }
        router.delete("/cloudapi/1.0.0/sessions/current") { _, context in try await logout(context) }
        // ssvirt's clients name the session by its id; a caller reaches only their own (any
        // other id is 404, so ids cannot be probed).
        router.get("/cloudapi/1.0.0/sessions/{id}") { _, context in
            Self.json(Self.sessionJSON(try ownSession(context)))
        }
        router.delete("/cloudapi/1.0.0/sessions/{id}") { _, context in
            _ = try ownSession(context)
            return try await logout(context)
        }
        router.get("/api/session") { _, context in
            XMLResponse.make(
                LegacyDocuments.session(try context.requireSession(), address: address), mediaType: MediaType.session,
                version: context.apiVersion)
        }
        router.delete("/api/session") { _, context in try await logout(context) }
    }

    func login(_ request: Request, _ context: VCDRequestContext, door: Door) async throws -> Response {
        let credentials: BasicCredentials
        do {
            credentials = try BasicCredentials(authorizationHeader: request.headers[.authorization])
        } catch .missing, .notBasic {
            throw VCDError.unauthorized("Log in with Authorization: Basic base64(user@organization:password).")
        } catch {
            throw VCDError.badRequest(error.description)
        }
        guard let principal = try await directory.authenticate(credentials) else {
            // Who tried is worth logging; the password never is.
            logger.notice("login refused", metadata: ["user": "\(credentials.user)", "org": "\(credentials.organization)"])
            throw VCDError.badCredentials
        }
        switch door {
        case .tenant where principal.organization.isProvider:
            throw VCDError.unauthorized("The System organisation logs in at /cloudapi/1.0.0/sessions/provider.")
        case .provider where !principal.organization.isProvider:
            throw VCDError.unauthorized("Organisation users log in at /cloudapi/1.0.0/sessions.")
        default: break
        }
        let (token, session) = sessions.open(for: principal)
        await directory.saveSession(session, digest: SessionStore.digest(token))
        logger.info(
            "login", metadata: ["user": "\(principal.userName)", "org": "\(principal.organization.name)", "session": "\(session.id)"])
        var headers = HTTPFields()
        headers[Self.accessTokenHeader] = token
        headers[Self.tokenTypeHeader] = "Bearer"
        headers[.authorization] = "Bearer \(token)"
        headers[VCDSessionMiddleware.legacyTokenHeader] = token
        if door == .legacy {
            return XMLResponse.make(
                LegacyDocuments.session(session, address: address), mediaType: MediaType.session, version: context.apiVersion,
                headers: headers)
        }
        return Self.json(Self.sessionJSON(session), headers: headers)
    }

    /// The caller's session when `{id}` names it (`urn:vcloud:session:<id>` or the bare id).
    func ownSession(_ context: VCDRequestContext) throws -> SessionStore.Session {
        let session = try context.requireSession()
        let named = context.parameters.get("id") ?? ""
        guard named == "urn:vcloud:session:\(session.id)" || named == session.id else {
            throw VCDError.notFound("No session \(named.prefix(80)).")
        }
        return session
    }

    func logout(_ context: VCDRequestContext) async throws -> Response {
        _ = try context.requireSession()
        if let token = context.token {
            sessions.revoke(token)
            await directory.deleteSession(digest: SessionStore.digest(token))
        }
        return Response(status: .noContent)
    }

    /// The cloudapi session, in Cloud Director's shape (ssvirt's clients read `user`, `org`).
    static func sessionJSON(_ session: SessionStore.Session) -> JSONValue {
        let principal = session.principal
        let organization: JSONValue = ["name": .string(principal.organization.name), "id": .string(principal.organization.urn)]
        return [
            "id": .string("urn:vcloud:session:\(session.id)"),
            "user": ["name": .string(principal.userName), "id": .string("urn:vcloud:user:\(principal.userID)")],
            "org": organization, "operatingOrg": organization,
            "location": .string("\(principal.organization.name)@virtyard"),
            "roles": [.string(principal.role.rawValue)],
            "sessionIdleTimeoutMinutes": 30,
        ]
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = MediaType.json
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }
}
