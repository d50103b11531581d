import AsyncHTTPClient
import KubeModel
import NIOCore
import NIOHTTP1

extension HTTPKubernetesClient {
    /// Sends one request and returns its decoded JSON answer; any non-2xx answer becomes
    /// a ``KubeClientError`` carrying the server's `Status`.
    func perform(
        _ method: HTTPMethod, _ target: ResourcePath, body: JSONValue? = nil,
        contentType: String = "application/json"
    ) async throws(KubeClientError) -> JSONValue {
        let name = Self.describe(method, target)
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(requestTimeout))
        let response = try await send(
            method, target, body: body?.serialized(), contentType: contentType,
            deadline: deadline)
        let bytes: [UInt8]
        do {
            let buffer = try await response.body.collect(upTo: Self.maximumResponseBytes)
            bytes = Array(buffer.readableBytesView)
        } catch {
            throw KubeClientError.transport(error, request: name, server: baseURL)
        }
        do {
            return try JSONValue(parsing: bytes, maximumDepth: JSONValue.maximumReadDepth)
        } catch {
            throw KubeClientError.invalidResponse("the answer is not JSON: \(error)", request: name)
        }
    }

    /// Sends one request and returns the response once its head arrived and says success;
    /// the body is left to the caller (a watch streams it). A non-2xx answer is read whole
    /// and thrown as a ``KubeClientError``.
    func send(
        _ method: HTTPMethod, _ target: ResourcePath, body: [UInt8]? = nil, contentType: String = "application/json",
        deadline: NIODeadline
    ) async throws(KubeClientError) -> HTTPClientResponse {
        let name = Self.describe(method, target)
        var request = HTTPClientRequest(url: baseURL + target.pathAndQuery)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: userAgent)
        if let token = tokens.token() {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        } else if let basicAuthorization {
            request.headers.add(name: "Authorization", value: basicAuthorization)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        var response: HTTPClientResponse?
        var attempt = 0
        while response == nil {
            attempt += 1
            do {
                response = try await http.execute(request, deadline: deadline, logger: logger)
            } catch {
                // A pooled connection the server had just closed fails the request. Writing to a
                // closed channel means nothing was sent, so any verb may go again; other closes
                // may come after the server read the request, so only idempotent verbs retry.
                if attempt == 1, Self.isStaleConnection(error), method != .POST || Self.wasNotSent(error) {
                    logger.debug("retrying on a fresh connection", metadata: ["request": "\(name)", "error": "\(error)"])
                    continue
                }
                logger.debug("request failed", metadata: ["request": "\(name)", "error": "\(error)"])
                throw KubeClientError.transport(error, request: name, server: baseURL)
            }
        }
        guard let response else { throw KubeClientError.transport(CancellationError(), request: name, server: baseURL) }
        guard (200..<300).contains(Int(response.status.code)) else {
            let bytes: [UInt8]
            do {
                bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            } catch {
                bytes = []
            }
            throw KubeClientError(httpStatus: Int(response.status.code), body: bytes, request: name)
        }
        return response
    }

    /// The request was never written: the channel was already closed.
    static func wasNotSent(_ error: any Error) -> Bool {
        (error as? ChannelError) == .ioOnClosedChannel
    }

    /// The connection died under the request: closed by the peer while idle in the pool.
    static func isStaleConnection(_ error: any Error) -> Bool {
        if let channel = error as? ChannelError, channel == .ioOnClosedChannel || channel == .eof { return true }
        if let client = error as? HTTPClientError, client == .remoteConnectionClosed { return true }
        return false
    }

    /// `METHOD /path?query`, how errors name the request.
    static func describe(_ method: HTTPMethod, _ target: ResourcePath) -> String {
        "\(method.rawValue) \(target.pathAndQuery)"
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
