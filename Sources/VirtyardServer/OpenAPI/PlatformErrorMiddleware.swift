import Hummingbird
import KubeModel
import Logging
import NIOCore

/// Gives every error on the platform address a JSON body, `{"error": CODE, "message": …}`:
/// 404 for a path nothing serves, 405 (with `Allow`) for a documented path asked with another
/// method, 413 for a body over 3 MiB (refused from its `Content-Length` before it is read, or
/// when a route reading it passes the limit), and 500 for anything a route let escape.
struct PlatformErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Kubernetes' limit for a request body, kept on the platform address too.
    static var maximumBody: Int { 3 << 20 }

    let openAPI: PlatformOpenAPI
    let logger: Logger

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maximumBody {
            return Self.tooLarge
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && [nil, "NotFound"].contains(context.endpointPath) {
            let allowed = openAPI.methods(forPath: request.uri.path)
            guard allowed.isEmpty else {
                var response = Self.json(
                    status: .methodNotAllowed, code: "MethodNotAllowed",
                    message: "\(request.method) is not served on \(request.uri.path); it allows \(allowed.joined(separator: ", "))")
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response
            }
            return Self.json(
                status: .notFound, code: "NotFound",
                message: "nothing is served at \(request.uri.path) on the platform address (see /openapi.json)")
        } catch is NIOTooManyBytesError {
            return Self.tooLarge
        } catch let error as HTTPError {
            return Self.json(status: error.status, code: Self.code(error.status), message: error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            // PlatformError and CapacityError render themselves ({"error", "message"}).
            return try error.response(from: request, context: context)
        } catch {
            logger.error(
                "platform request failed",
                metadata: [
                    "method": "\(request.method)", "path": "\(request.uri.path)",
                    "error": "\(error)",
                ])
            return Self.json(status: .internalServerError, code: "InternalError", message: "the request failed inside the platform")
        }
    }

    static var tooLarge: Response {
        json(status: .contentTooLarge, code: "RequestEntityTooLarge", message: "the body is larger than \(maximumBody) bytes (3 MiB)")
    }

    /// The status's reason phrase as one word: `Bad Request` → `BadRequest`.
    static func code(_ status: HTTPResponse.Status) -> String {
        status.reasonPhrase.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined()
    }

    static func json(status: HTTPResponse.Status, code: String, message: String) -> Response {
        let body: JSONValue = ["error": .string(code), "message": .string(message)]
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }
}
