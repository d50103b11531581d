import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

/// The embedded server's front door: `/clusters/<id>/…` goes to that virtual cluster with
/// the prefix removed (so its discovery, resources and watches are a whole API of their
/// own); everything else goes to the server's own tree.
struct ClusterRouter: HTTPResponder {
    typealias Context = BasicRequestContext

    static let prefix = "/clusters/"

    let main: KubeAPIResponder
    let virtualClusters: VirtualClusters
    /// False on a server that hosts guest clusters only (``KubeAPIServer/Configuration/guestsOnly``):
    /// outside `/clusters/` it answers health checks and 404.
    var servesOwnAPI = true

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(Self.prefix) else {
            if servesOwnAPI { return try await main.respond(to: request, context: context) }
            if ["/healthz", "/readyz", "/livez"].contains(path) {
                return Response(
                    status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
            }
            let error = APIError(code: 404, reason: .notFound, message: "this server hosts guest clusters only, under /clusters/<id>")
            return KubeAPIResponder.json(error.code, error.wireBytes)
        }
        let rest = path.dropFirst(Self.prefix.count)
        let id = String(rest.prefix { $0 != "/" })
        guard let cluster = virtualClusters.cluster(id) else {
            let error = APIError(code: 404, reason: .notFound, message: "virtual cluster \"\(id)\" not found")
            return KubeAPIResponder.json(error.code, error.wireBytes)
        }
        var head = request.head
        let remainder = rest.dropFirst(id.count)
        let query = request.uri.query.map { "?\($0)" } ?? ""
        head.path = (remainder.isEmpty ? "/" : String(remainder)) + query
        return try await cluster.responder.respond(to: Request(head: head, body: request.body), context: context)
    }
}
