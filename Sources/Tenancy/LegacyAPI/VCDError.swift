import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

/// An error answered in Cloud Director's shape: `<Error majorErrorCode minorErrorCode
/// message/>` on the legacy API, `{"minorErrorCode", "message", …}` on `/cloudapi`.
///
/// Every failure a client can cause ends as one of these with a 4xx status; anything else
/// becomes a 500 whose message says nothing about the inside.
public struct VCDError: HTTPResponseError, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var minorErrorCode: String
    public var message: String
    /// Seconds to wait before retrying (503 while the store starts).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ minorErrorCode: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.minorErrorCode = minorErrorCode
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(minorErrorCode): \(message)" }

    public static func badRequest(_ message: String) -> VCDError { VCDError(.badRequest, "BAD_REQUEST", message) }
    public static func unauthorized(_ message: String = "Authentication required: log in first.") -> VCDError {
        VCDError(.unauthorized, "UNAUTHORIZED", message)
    }
    public static let badCredentials = VCDError(.unauthorized, "UNAUTHORIZED", "Invalid credentials.")
    public static func forbidden(_ message: String) -> VCDError { VCDError(.forbidden, "ACCESS_TO_RESOURCE_IS_FORBIDDEN", message) }
    public static func notFound(_ message: String) -> VCDError { VCDError(.notFound, "RESOURCE_NOT_FOUND", message) }
    public static func notAcceptable(_ message: String) -> VCDError { VCDError(.notAcceptable, "NOT_ACCEPTABLE", message) }
    public static func unavailable(_ message: String) -> VCDError {
        VCDError(.serviceUnavailable, "SERVICE_UNAVAILABLE", message, retryAfter: 1)
    }
    public static func duplicateName(_ message: String) -> VCDError { VCDError(.badRequest, "DUPLICATE_NAME", message) }
    public static func conflict(_ message: String) -> VCDError { VCDError(.conflict, "BUSY_ENTITY", message) }
    public static let internalFailure = VCDError(
        .internalServerError, "INTERNAL_SERVER_ERROR", "Internal server error; see the server log.")

    /// `/cloudapi` answers in JSON; everything else in XML.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Basic realm=\"vcloud\"" }
        let body: String
        if Self.answersInJSON(request) {
            headers[.contentType] = MediaType.json
            body = JSONValue.object([
                "minorErrorCode": .string(minorErrorCode), "message": .string(message),
                "stackTrace": .null,
            ]).serializedString()
        } else {
            headers[.contentType] = MediaType.error
            body = xml.document()
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// The cloudapi, ssvirt's JSON VDC routes under `/api/admin/org/{id}/vdcs`, and any
    /// request that accepts JSON but not XML answer in JSON; the rest of `/api` in XML.
    static func answersInJSON(_ request: Request) -> Bool {
        let path = request.uri.path
        if path.hasPrefix("/cloudapi") { return true }
        if path.hasPrefix("/api/admin/org/"), path.contains("/vdcs") { return true }
        let accept = request.headers[.accept]?.lowercased() ?? ""
        return accept.contains("json") && !accept.contains("xml")
    }

    /// The legacy API's `<Error>` element.
    public var xml: XMLNode {
        XMLNode(
            "Error",
            [
                ("xmlns", MediaType.vcloudNamespace), ("majorErrorCode", String(status.code)),
                ("minorErrorCode", minorErrorCode), ("message", message), ("stackTrace", ""),
            ])
    }
}
