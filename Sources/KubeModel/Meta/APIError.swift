import Foundation

/// A failed API call as Kubernetes reports it: a `Status` object with an HTTP code, a
/// machine-readable reason and a message for people.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// No reason (`StatusReasonUnknown`): left out of the body, as kube-apiserver does for
        /// a status none of its reasons describes.
        case unknown = ""
        case badRequest = "BadRequest"
        case unauthorized = "Unauthorized"
        case forbidden = "Forbidden"
        case notFound = "NotFound"
        case alreadyExists = "AlreadyExists"
        case conflict = "Conflict"
        case gone = "Expired"
        case invalid = "Invalid"
        case methodNotAllowed = "MethodNotAllowed"
        case notAcceptable = "NotAcceptable"
        case unsupportedMediaType = "UnsupportedMediaType"
        case requestEntityTooLarge = "RequestEntityTooLarge"
        case tooManyRequests = "TooManyRequests"
        case internalError = "InternalError"
        case serviceUnavailable = "ServiceUnavailable"
        case timeout = "Timeout"
    }

    /// One field that failed validation (`Status.details.causes[]`).
    public struct Cause: Sendable, Equatable {
        public var reason: String
        public var message: String
        public var field: String

        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    public var code: Int
    public var reason: Reason
    public var message: String
    public var group: String?
    public var kind: String?
    public var name: String?
    public var causes: [Cause]

    public init(
        code: Int, reason: Reason, message: String, group: String? = nil, kind: String? = nil,
        name: String? = nil, causes: [Cause] = []
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.group = group
        self.kind = kind
        self.name = name
        self.causes = causes
    }

    public var description: String { "\(code) \(reason.rawValue): \(message)" }

    /// The `Status` object sent to clients.
    public var status: JSONValue {
        var details: [String: JSONValue] = [:]
        if let name { details["name"] = .string(name) }
        if let group { details["group"] = .string(group) }
        if let kind { details["kind"] = .string(kind) }
        if !causes.isEmpty {
            details["causes"] = .array(
                causes.map {
                    ["reason": .string($0.reason), "message": .string($0.message), "field": .string($0.field)]
                })
        }
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason.rawValue), "code": .int(Int64(code)),
        ]
        if !details.isEmpty { status["details"] = .object(details) }
        return status
    }
}

extension APIError {
    public static func notFound(_ resource: String, group: String, name: String) -> APIError {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        return APIError(
            code: 404, reason: .notFound, message: "\(qualified) \"\(name)\" not found",
            group: group, kind: resource, name: name)
    }

    public static func alreadyExists(_ resource: String, group: String, name: String) -> APIError {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        return APIError(
            code: 409, reason: .alreadyExists, message: "\(qualified) \"\(name)\" already exists",
            group: group, kind: resource, name: name)
    }

    public static func conflict(_ resource: String, group: String, name: String, _ detail: String) -> APIError {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        return APIError(
            code: 409, reason: .conflict,
            message: "Operation cannot be fulfilled on \(qualified) \"\(name)\": \(detail)",
            group: group, kind: resource, name: name)
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: .badRequest, message: message)
    }

    public static func invalid(kind: String, group: String, name: String, causes: [Cause]) -> APIError {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let summary = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        return APIError(
            code: 422, reason: .invalid, message: "\(qualified) \"\(name)\" is invalid: \(summary)",
            group: group, kind: kind, name: name, causes: causes)
    }

    public static func methodNotAllowed(_ message: String) -> APIError {
        APIError(code: 405, reason: .methodNotAllowed, message: message)
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: .internalError, message: "Internal error occurred: \(message)")
    }

    public static let unauthorized = APIError(code: 401, reason: .unauthorized, message: "Unauthorized")
}
