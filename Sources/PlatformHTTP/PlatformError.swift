import Hummingbird
import KubeModel

/// A failure on the platform API, answered as `{"error": CODE, "message": …}` with its HTTP
/// status (the shape ``DESIGN.md`` promises for every platform error).
///
/// Routes throw it; Hummingbird renders any ``HTTPResponseError`` that reaches its router,
/// so this type's ``response(from:context:)`` is the one place a platform error is written.
public struct PlatformError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    /// The `error` code of the body; each has one HTTP status.
    public enum Kind: String, Sendable, CaseIterable {
        case badRequest = "BadRequest"
        /// No token, or one that is not valid (401).
        case unauthorized = "Unauthorized"
        /// A valid token without the right to this call (403).
        case forbidden = "Forbidden"
        case notFound = "NotFound"
        case conflict = "Conflict"
        case tooLarge = "RequestEntityTooLarge"
        case unsupportedMediaType = "UnsupportedMediaType"
        case unavailable = "ServiceUnavailable"
        case failed = "InternalError"

        public var status: HTTPResponse.Status {
            switch self {
            case .badRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .conflict: .conflict
            case .tooLarge: .contentTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .unavailable: .serviceUnavailable
            case .failed: .internalServerError
            }
        }
    }

    public var kind: Kind
    public var message: String
    /// Extra response headers (none of today's errors needs one; a `WWW-Authenticate`
    /// challenge would go here).
    public var headers: HTTPFields

    public init(_ kind: Kind, _ message: String, headers: HTTPFields = [:]) {
        self.kind = kind
        self.message = message
        self.headers = headers
    }

    public var status: HTTPResponse.Status { kind.status }

    /// The `{"error", "message"}` body.
    public var body: JSONValue {
        ["error": .string(kind.rawValue), "message": .string(message)]
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    public func response(from request: Request, context: some RequestContext) -> Response {
        response
    }

    /// The answer, without a request (for code that renders outside a route).
    public var response: Response {
        var response = JSONResponse(body, status: status).response
        response.headers.append(contentsOf: headers)
        return response
    }
}
