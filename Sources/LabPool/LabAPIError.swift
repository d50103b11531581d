import Hummingbird

/// A platform API failure, as `{"error", "message"}` with its HTTP status.
struct LabAPIError: Error {
    enum Kind: String {
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
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var status: HTTPResponse.Status {
        switch kind {
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

    static let unavailable = LabAPIError(.unavailable, "the lab pool is not connected to the cluster yet (or this replica is not the leader)")

    /// The answer for a session that does not exist, and for one the caller's session token
    /// does not own: the same words, so that a token cannot probe for other sessions.
    static func sessionNotFound(_ id: String) -> LabAPIError {
        LabAPIError(.notFound, "session \(id) not found")
    }
}
