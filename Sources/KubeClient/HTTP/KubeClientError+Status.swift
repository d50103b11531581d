import AsyncHTTPClient
import Foundation
import KubeModel

extension KubeClientError {
    /// The error for a non-2xx answer: the server's `Status` when the body is one (its
    /// `code`, `reason` and `message` win over the HTTP status), else the HTTP status with
    /// the reason Kubernetes would have given it and the body as the message.
    init(httpStatus: Int, body: [UInt8], request: String) {
        if let status = try? JSONValue(parsing: body), status["kind"]?.stringValue == "Status" {
            self.init(status: status, fallbackCode: httpStatus, request: request)
            return
        }
        let text = String(decoding: body.prefix(1024), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        self.init(
            code: httpStatus, reason: Self.reason(forHTTPStatus: httpStatus),
            message: text.isEmpty ? "the server answered HTTP \(httpStatus)" : text, request: request)
    }

    /// The error a `Status` object describes, whether it came as a response body or inside
    /// a watch `ERROR` event.
    init(status: JSONValue, fallbackCode: Int, request: String) {
        let code = status["code"]?.intValue.map(Int.init) ?? fallbackCode
        let reason = status["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? Self.reason(forHTTPStatus: code)
        self.init(
            code: code, reason: reason, message: status["message"]?.stringValue ?? "", request: request,
            status: status)
    }

    /// A failure before any HTTP answer: connection refused, TLS handshake, timeout.
    static func transport(_ error: any Error, request: String, server: String) -> KubeClientError {
        if error is CancellationError || (error as? HTTPClientError) == .cancelled {
            return KubeClientError(code: 0, reason: "Cancelled", message: "the request was cancelled", request: request)
        }
        return KubeClientError(code: 0, reason: "TransportError", message: "\(server): \(error)", request: request)
    }

    /// The answer arrived but could not be understood.
    static func invalidResponse(_ detail: String, request: String) -> KubeClientError {
        KubeClientError(code: 0, reason: "InvalidResponse", message: detail, request: request)
    }

    /// The `reason` Kubernetes uses for an HTTP status (`metav1.StatusReason`).
    static func reason(forHTTPStatus code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }
}
