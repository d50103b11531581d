import Hummingbird
import KubeModel
import NIOCore

/// A JSON answer with its status: what platform routes return, and how ``PlatformError``
/// writes its body, so that every JSON response on the platform address is made one way.
public struct JSONResponse: ResponseGenerator, Sendable {
    public var value: JSONValue
    public var status: HTTPResponse.Status

    public init(_ value: JSONValue, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    public func response(from request: Request, context: some RequestContext) -> Response {
        response
    }

    public var response: Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }
}
