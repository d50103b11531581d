import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension HTTPKubernetesClient {
    /// Sends a request someone else made (a reverse proxy's) to this client's server with this
    /// client's credentials, and returns whatever answers, error statuses included, with its
    /// body unread (a watch streams for as long as it lasts).
    ///
    /// - Parameters:
    ///   - pathAndQuery: appended to the server URL, `/api/v1/pods?watch=1` say.
    ///   - headers: sent as they are, after the caller removed hop-by-hop headers and any
    ///     credentials; `Authorization` is this client's.
    ///   - body: the request body, already bounded by the caller.
    ///   - deadline: for the whole exchange, body included; `.distantFuture` for a watch.
    public func forward(
        method: HTTPMethod, pathAndQuery: String, headers: [(String, String)], body: ByteBuffer?,
        deadline: NIODeadline
    ) async throws(KubeClientError) -> HTTPClientResponse {
        let description = "\(method.rawValue) \(pathAndQuery)"
        var request = HTTPClientRequest(url: baseURL + pathAndQuery)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let token = tokens.token() {
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)")
        } else if let basicAuthorization {
            request.headers.replaceOrAdd(name: "Authorization", value: basicAuthorization)
        }
        if let body { request.body = .bytes(body) }
        do {
            return try await http.execute(request, deadline: deadline, logger: logger)
        } catch {
            logger.debug("forwarded request failed", metadata: ["request": "\(description)", "error": "\(error)"])
            throw KubeClientError.transport(error, request: description, server: baseURL)
        }
    }
}
