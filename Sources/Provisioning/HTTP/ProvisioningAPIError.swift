import Foundation
import Hummingbird
import KubeClient
import KubeModel
import PlatformHTTP

/// A failure on the provisioning routes, answered in moxxie's shape
/// `{"error": CODE, "message", "status", "timestamp"}` (plus `details` when there are any),
/// except a specification that breaks rules: that is the 400 Constraint Violation body
/// ``ConstraintViolationResponse`` exactly as moxxie (Hibernate Validator) writes it.
struct ProvisioningAPIError: HTTPResponseError, Sendable, CustomStringConvertible {
    let status: HTTPResponse.Status
    /// The whole body, already in its final shape.
    let body: JSONValue

    /// moxxie's `ApiErrorResponse`.
    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: JSONValue? = nil) {
        self.status = status
        var body: JSONValue = [
            "error": .string(code), "message": .string(message), "status": .int(Int64(status.code)),
            "timestamp": .string(Timestamp.string(Date())),
        ]
        if let details { body["details"] = details }
        self.body = body
    }

    /// The 400 Constraint Violation body: every violation, nothing created.
    init(invalid: ClusterSpecInvalid) {
        status = .badRequest
        body = (try? JSONValue(encoding: invalid.response)) ?? ["title": "Constraint Violation", "status": 400]
    }

    /// A platform error (authentication, body limits, media type) in moxxie's shape.
    init(_ error: PlatformError) {
        self.init(error.status, Self.code(error.kind), error.message)
    }

    var description: String { body.serializedString() }

    func response(from request: Request, context: some RequestContext) -> Response {
        JSONResponse(body, status: status).response
    }

    /// moxxie's codes (`GlobalExceptionMapper`, `ProxmoxException`).
    static func code(_ kind: PlatformError.Kind) -> String {
        switch kind {
        case .badRequest: "BAD_REQUEST"
        case .unauthorized: "UNAUTHORIZED"
        case .forbidden: "FORBIDDEN"
        case .notFound: "RESOURCE_NOT_FOUND"
        case .conflict: "RESOURCE_CONFLICT"
        case .tooLarge: "PAYLOAD_TOO_LARGE"
        case .unsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE"
        case .unavailable: "SERVICE_UNAVAILABLE"
        case .failed: "INTERNAL_ERROR"
        }
    }

    static func badRequest(_ message: String) -> ProvisioningAPIError {
        ProvisioningAPIError(.badRequest, "BAD_REQUEST", message)
    }

    /// A request that is well formed but asks for something the cluster cannot do.
    static func invalid(_ message: String) -> ProvisioningAPIError {
        ProvisioningAPIError(.badRequest, "VALIDATION_ERROR", message)
    }

    static func notFound(_ message: String) -> ProvisioningAPIError {
        ProvisioningAPIError(.notFound, "RESOURCE_NOT_FOUND", message)
    }

    static func conflict(_ message: String) -> ProvisioningAPIError {
        ProvisioningAPIError(.conflict, "RESOURCE_CONFLICT", message)
    }

    /// The API server refused or failed a call the route needed.
    static func api(_ what: String, _ error: KubeClientError) -> ProvisioningAPIError {
        if error.code == 503 || error.code == 0 {
            return ProvisioningAPIError(.serviceUnavailable, "SERVICE_UNAVAILABLE", "\(what): \(error.message)")
        }
        return ProvisioningAPIError(.internalServerError, "INTERNAL_ERROR", "\(what): \(error.code) \(error.reason): \(error.message)")
    }
}
