import HTTPTypes
import Hummingbird
import NIOCore

/// A legacy API answer: an XML document typed with its media type and the negotiated version
/// (`application/vnd.vmware.vcloud.org+xml;version=36.0`), as Cloud Director types them.
enum XMLResponse {
    static func make(_ node: XMLNode, mediaType: String, version: String?, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        var headers = headers
        headers[.contentType] = version.map { "\(mediaType);version=\($0)" } ?? mediaType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: node.document())))
    }
}
