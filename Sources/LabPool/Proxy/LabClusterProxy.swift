import AsyncAlgorithms
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import KubeClient
import KubeModel
import Logging
import NIOCore
import NIOHTTP1
import PlatformHTTP
import ServiceLifecycle
import Synchronization

/// `/clusters/<id>/…` on the platform address, against a real cluster: a reverse proxy to
/// the lab cluster's own Kubernetes API (DESIGN.md §5).
///
/// A request is let through when its bearer token is the token of a session that has not
/// ended and holds cluster `<id>` (the lab service's caches, on every replica), and the token
/// was not revoked here. It goes on with the cluster's admin credentials, from the kubeconfig
/// its bootstrap published in Secret `<id>-kubeconfig` (key `value`) of the cluster's
/// namespace `<id>`, as Cluster API's bootstrap providers publish theirs. Watches and other
/// long answers stream through; the session's end cuts them: at once on the replica that
/// ends it (``revoke(token:)``), within ``sweepInterval`` on the others.
///
/// The caller's own credentials and impersonation headers never reach the cluster: every
/// request acts as the cluster's admin, and the session token is the whole authorization.
public final class LabClusterProxy: Service, Sendable {
    public static let pathPrefix = "/clusters/"
    /// The largest request body forwarded (kube-apiserver's own limit is 3 MiB).
    public static let maximumRequestBytes = 3 << 20
    /// The deadline of a request that is not a watch or a log stream.
    static let requestTimeout: TimeAmount = .seconds(60)
    /// How often open streams are checked against the sessions (another replica may have
    /// ended one).
    let sweepInterval: Duration
    /// How long a revoked token stays refused here whatever the caches say; by then every
    /// cache shows its session ended.
    static let revocationMemory: Duration = .seconds(600)

    let logger: Logger
    private let lab = Mutex<LabService?>(nil)
    let upstreams: UpstreamClients
    private let state = Mutex(State())
    /// Upgrades accepted and not yet switched, by the client's `Sec-WebSocket-Key`.
    let pendingUpgrades = Mutex<[String: PendingUpgrade]>([:])

    private struct State {
        var revoked: [String: ContinuousClock.Instant] = [:]
        /// Tokens this replica granted (the leader, starting a session), by token: admitted
        /// before the caches show the session's token Secret, which scenario setup needs.
        var granted: [String: Grant] = [:]
        var streams: [Int: OpenStream] = [:]
        var nextStream = 0
    }

    struct Grant {
        var clusterID: String
        var at: ContinuousClock.Instant
    }

    struct OpenStream {
        var token: String
        var clusterID: String
        var cancel: @Sendable () -> Void
    }

    public init(sweepInterval: Duration = .seconds(1), logger: Logger = Logger(label: "virtyard.labpool.proxy")) {
        self.sweepInterval = sweepInterval
        self.logger = logger
        upstreams = UpstreamClients(logger: logger)
    }

    /// The lab service whose sessions the proxy admits (set once it exists).
    public func serve(_ service: LabService) {
        lab.withLock { $0 = service }
    }

    var labService: LabService? { lab.withLock { $0 } }

    // MARK: - Access

    /// Refuses `token` from now on (a revoked token never comes back: each session has its
    /// own) and ends its open streams.
    func revoke(token: String) {
        let cancels = state.withLock { state -> [@Sendable () -> Void] in
            state.revoked[token] = .now
            state.granted[token] = nil
            let cut = state.streams.filter { ConstantTime.equals($0.value.token, token) }
            for id in cut.keys { state.streams[id] = nil }
            return cut.values.map(\.cancel)
        }
        for cancel in cancels { cancel() }
    }

    /// Admits `token` on `clusterID` at once on this replica, ahead of the caches (unless it
    /// was revoked: a stale cache's re-grant must not undo an end).
    func grant(token: String, clusterID: String) {
        state.withLock { state in
            guard state.revoked[token] == nil else { return }
            state.granted[token] = Grant(clusterID: clusterID, at: .now)
        }
    }

    /// How long a local grant stands in for the caches.
    static let grantMemory: Duration = .seconds(60)

    /// Why `token` may not reach cluster `clusterID`, or nil when it may: a session that has
    /// not ended holds the token, names the cluster, and the cluster's lease names the session
    /// (a cluster handed back for a reset admits nobody, whatever the session caches say).
    func refusal(token: String, clusterID: String) -> Refusal? {
        let now = ContinuousClock.now
        let local = state.withLock { state -> (revoked: Bool, granted: String?) in
            let grant = state.granted[token].flatMap { now - $0.at < Self.grantMemory ? $0.clusterID : nil }
            return (state.revoked[token] != nil, grant)
        }
        if local.revoked { return .unauthorized }
        if let granted = local.granted { return granted == clusterID ? nil : .forbidden(clusterID) }
        guard let lab = labService, let cluster = lab.connected else { return .unverifiable }
        guard let sessionID = lab.session(forToken: token) else { return .unauthorized }
        guard let session = cluster.sessions.get(namespace: lab.configuration.namespace, name: sessionID),
            LabSessionObject(session).cluster == clusterID,
            let lease = cluster.clusters.get(namespace: clusterID, name: clusterID).map(LabClusterObject.init),
            lease.phase == .locked, lease.assignedSession == sessionID
        else { return .forbidden(clusterID) }
        return nil
    }

    enum Refusal: Equatable {
        case unverifiable
        case unauthorized
        case forbidden(String)

        var status: APIError {
            switch self {
            case .unverifiable:
                return APIError(code: 503, reason: .serviceUnavailable, message: "the lab service is connecting; try again")
            case .unauthorized:
                return APIError(code: 401, reason: .unauthorized, message: "Unauthorized")
            case .forbidden(let id):
                return APIError(
                    code: 403, reason: .forbidden, message: "this session's token does not give access to cluster \"\(id)\"")
            }
        }
    }

    // MARK: - Forwarding

    /// Answers one request under ``pathPrefix``.
    public func respond(to request: Request, token: String?) async -> Response {
        let path = request.uri.path
        guard path.hasPrefix(Self.pathPrefix) else { return Self.status(APIError.notFound("clusters", group: "", name: path)) }
        let rest = path.dropFirst(Self.pathPrefix.count)
        let clusterID = String(rest.prefix { $0 != "/" })
        guard Self.isClusterID(clusterID), Self.isPlainPath(path) else {
            return Self.status(APIError(code: 404, reason: .notFound, message: "no cluster \"\(clusterID)\""))
        }
        guard let token else { return Self.status(Refusal.unauthorized.status) }
        if let refusal = refusal(token: token, clusterID: clusterID) { return Self.status(refusal.status) }
        guard let api = labService?.connected?.api else { return Self.status(Refusal.unverifiable.status) }
        let client: HTTPKubernetesClient
        do {
            client = try await upstreams.client(for: clusterID, api: api)
        } catch {
            return Self.status(APIError(code: 503, reason: .serviceUnavailable, message: "cluster \"\(clusterID)\": \(error)"))
        }
        var remainder = String(rest.dropFirst(clusterID.count))
        if remainder.isEmpty { remainder = "/" }
        let pathAndQuery = remainder + (request.uri.query.map { "?\($0)" } ?? "")
        var body: ByteBuffer?
        if request.method != .get && request.method != .head {
            guard let collected = await Self.boundedBody(of: request) else {
                return Self.status(
                    APIError(
                        code: 413, reason: .requestEntityTooLarge,
                        message: "the request body is larger than \(Self.maximumRequestBytes) bytes"))
            }
            body = collected
        }
        let streaming = Self.isStreaming(request)
        let deadline: NIODeadline = streaming ? .distantFuture : .now() + Self.requestTimeout
        let upstream: HTTPClientResponse
        do {
            upstream = try await client.forward(
                method: HTTPMethod(rawValue: request.method.rawValue), pathAndQuery: pathAndQuery,
                headers: Self.forwardedHeaders(request.headers), body: body, deadline: deadline)
        } catch {
            logger.debug("the lab cluster's API does not answer", metadata: ["cluster": "\(clusterID)", "error": "\(error)"])
            await upstreams.forget(clusterID)
            return Self.status(
                APIError(code: 503, reason: .serviceUnavailable, message: "the API of cluster \"\(clusterID)\" does not answer"))
        }
        if upstream.status == .unauthorized {
            // The cluster's credentials changed (a reset, a new bootstrap): read them again next time.
            await upstreams.forget(clusterID)
        }
        var headers = HTTPFields()
        for header in upstream.headers where !Self.hopByHop.contains(header.name.lowercased()) {
            guard let name = HTTPField.Name(header.name) else { continue }
            headers.append(HTTPField(name: name, value: header.value))
        }
        let status = HTTPResponse.Status(code: Int(upstream.status.code), reasonPhrase: upstream.status.reasonPhrase)
        let contentLength = upstream.headers.first(name: "Content-Length").flatMap(Int.init)
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: contentLength) { writer in
                try await self.relay(upstream.body, token: token, clusterID: clusterID, to: &writer)
            })
    }

    /// Copies the upstream body to the client until either ends or the stream is cut.
    private func relay(_ body: HTTPClientResponse.Body, token: String, clusterID: String, to writer: inout any ResponseBodyWriter)
        async throws
    {
        let chunks = AsyncThrowingChannel<ByteBuffer, any Error>()
        let pump = Task {
            do {
                for try await chunk in body { await chunks.send(chunk) }
                chunks.finish()
            } catch {
                chunks.fail(error)
            }
        }
        let id = register(token: token, clusterID: clusterID) {
            pump.cancel()
            chunks.finish()
        }
        defer {
            pump.cancel()
            chunks.finish()
            unregister(id)
        }
        do {
            for try await chunk in chunks { try await writer.write(chunk) }
        } catch is CancellationError {
            // Cut by the session's end: the stream ends here, as a watch the server closes.
        } catch {
            // The cluster's side broke (or was cancelled under another name): the stream ends as
            // if the cluster had closed it, and the client's watch starts again.
            logger.debug("a proxied stream ended", metadata: ["cluster": "\(clusterID)", "error": "\(error)"])
        }
        try await writer.finish(nil)
    }

    /// Registers an open stream, to be cut by `cancel` when its token loses access (at once
    /// when it has lost it already).
    func register(token: String, clusterID: String, cancel: @escaping @Sendable () -> Void) -> Int {
        let id = state.withLock { state -> Int in
            state.nextStream += 1
            state.streams[state.nextStream] = OpenStream(token: token, clusterID: clusterID, cancel: cancel)
            return state.nextStream
        }
        if refusal(token: token, clusterID: clusterID) != nil, let stream = takeStream(id) { stream.cancel() }
        return id
    }

    func unregister(_ id: Int) {
        _ = takeStream(id)
    }

    private func takeStream(_ id: Int) -> OpenStream? {
        state.withLock { $0.streams.removeValue(forKey: id) }
    }

    /// The open streams (tests, metrics).
    public var openStreams: Int { state.withLock { $0.streams.count } }

    // MARK: - Sweep

    /// Cuts the streams whose sessions ended elsewhere, and forgets old revocations.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: self.sweepInterval)
                } catch {
                    return
                }
                self.sweep()
            }
        }
        await upstreams.removeAll()
    }

    func sweep() {
        let now = ContinuousClock.now
        let open = state.withLock { state -> [(Int, OpenStream)] in
            state.revoked = state.revoked.filter { now - $0.value < Self.revocationMemory }
            state.granted = state.granted.filter { now - $0.value.at < Self.grantMemory }
            return Array(state.streams)
        }
        for (id, stream) in open where refusal(token: stream.token, clusterID: stream.clusterID) != nil {
            // Taken under the lock: the stream's own end may have unregistered it meanwhile.
            guard let taken = takeStream(id) else { continue }
            logger.debug("session access ended: closing a proxied stream", metadata: ["cluster": "\(stream.clusterID)"])
            taken.cancel()
        }
    }

    // MARK: - Helpers

    /// How much of a body over the limit is still read (and dropped) so that the client, still
    /// writing, gets to read the 413 instead of a broken connection.
    static let maximumDrainedBytes = 64 << 20

    /// The request's body, or nil when it is larger than ``maximumRequestBytes`` (read to its
    /// end up to ``maximumDrainedBytes``, then left).
    static func boundedBody(of request: Request) async -> ByteBuffer? {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maximumRequestBytes {
            if declared > maximumDrainedBytes { return nil }
        }
        var buffer = ByteBuffer()
        var total = 0
        do {
            for try await chunk in request.body {
                total += chunk.readableBytes
                if total > maximumDrainedBytes { return nil }
                if total <= maximumRequestBytes { buffer.writeImmutableBuffer(chunk) }
            }
        } catch {
            return nil
        }
        return total <= maximumRequestBytes ? buffer : nil
    }

    /// Watches, log follows and anything else that lasts: no deadline.
    static func isStreaming(_ request: Request) -> Bool {
        let query = request.uri.queryParameters
        for key in ["watch", "follow"] {
            if let value = query[Substring(key)], value != "false", value != "0" { return true }
        }
        return request.uri.path.contains("/watch/")
    }

    /// Hop-by-hop headers (RFC 9110 §7.6.1) and what must not reach the cluster.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length",
    ]

    /// The request's headers as the cluster may see them: no hop-by-hop headers, no
    /// credentials, no impersonation (the admin credentials would honour it).
    static func forwardedHeaders(_ fields: HTTPFields) -> [(String, String)] {
        // Headers `Connection` names are hop-by-hop too (RFC 9110 §7.6.1).
        let named = Set(
            fields[values: .connection].flatMap { $0.split(separator: ",") }.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            })
        var headers: [(String, String)] = []
        for field in fields {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || named.contains(name) || name == "authorization" || name == "x-api-key"
                || name == "cookie" || name == "forwarded" || name.hasPrefix("impersonate-") || name.hasPrefix("x-remote-")
                || name.hasPrefix("x-forwarded-")
            {
                continue
            }
            headers.append((field.name.rawName, field.value))
        }
        return headers
    }

    /// No `.` or `..` segment and no encoded `.`, `/` or `\`: the path the cluster sees is the
    /// one that was checked (kube-apiserver refuses such paths too).
    static func isPlainPath(_ path: String) -> Bool {
        let lowered = path.lowercased()
        if lowered.contains("%2e") || lowered.contains("%2f") || lowered.contains("%5c") { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == "." || $0 == ".." }
    }

    /// A lab cluster's id is a DNS label (it names the cluster's namespace).
    static func isClusterID(_ text: String) -> Bool {
        guard (1...63).contains(text.utf8.count), text.first != "-", text.last != "-" else { return false }
        return text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    static func status(_ error: APIError) -> Response {
        Response(
            status: HTTPResponse.Status(code: error.code), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: error.status.serialized())))
    }
}
