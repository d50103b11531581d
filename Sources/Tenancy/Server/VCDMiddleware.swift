import HTTPTypes
import Hummingbird
import Logging

/// Turns every failure into Cloud Director's error shape: a ``VCDError`` as it is, a
/// Hummingbird error (no such route, body too large) into its status, anything else into a
/// 500 that is logged here and says nothing to the client.
struct VCDErrorMiddleware: RouterMiddleware {
    typealias Context = VCDRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as VCDError {
            throw error
        } catch let error as HTTPError {
            switch error.status {
            case .notFound: throw VCDError.notFound("No resource at \(request.method) \(request.uri.path).")
            case .methodNotAllowed: throw VCDError(.methodNotAllowed, "METHOD_NOT_ALLOWED", "\(request.method) is not allowed here.")
            case .contentTooLarge: throw VCDError(.contentTooLarge, "BAD_REQUEST", "The request body is too large.")
            default:
                let code = error.status.code
                if (400..<500).contains(code) { throw VCDError(error.status, "BAD_REQUEST", error.body ?? error.status.reasonPhrase) }
                logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
                throw VCDError.internalFailure
            }
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw VCDError.internalFailure
        }
    }
}

/// Picks the API version from `Accept` (406 for only unsupported ones), and finds the session
/// of a bearer or `x-vcloud-authorization` token. A missing or unknown token is not an error
/// here: each route that needs a session asks for one.
struct VCDSessionMiddleware: RouterMiddleware {
    typealias Context = VCDRequestContext
    let sessions: SessionStore
    /// Asked for tokens this process does not know: sessions kept across a restart.
    let directory: any TenantDirectory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        do {
            context.apiVersion = try APIVersions.negotiate(accept: request.headers[.accept])
        } catch {
            throw VCDError.notAcceptable(error.description)
        }
        if let token = Self.token(in: request.headers) {
            var session = sessions.session(for: token)
            if session == nil, let kept = await directory.restoreSession(digest: SessionStore.digest(token)) {
                session = sessions.adopt(kept, token: token)
            }
            if let session {
                context.session = session
                context.token = token
            }
        }
        return try await next(request, context)
    }

    static let legacyTokenHeader = HTTPField.Name("x-vcloud-authorization")!

    static func token(in headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = parts[1].trimmingCharacters(in: .whitespaces)
                return token.isEmpty || token.utf8.count > 512 ? nil : token
            }
        }
        if let legacy = headers[legacyTokenHeader], !legacy.isEmpty, legacy.utf8.count <= 512 { return legacy }
        return nil
    }
}
