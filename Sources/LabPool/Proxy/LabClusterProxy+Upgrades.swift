import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import KubeClient
import KubeModel
import NIOCore
import NIOHTTP1
import Synchronization

/// WebSocket upgrades through the lab proxy: `kubectl exec`, `attach`, `cp` and
/// `port-forward` (WebSocket by default since kubectl 1.30/1.31). The upgrade is decided
/// before the client's connection switches: the session's token is checked as for any
/// request, then the cluster's own upgrade is made with the published credentials, asking for
/// the client's first subprotocol; only when the cluster accepts is the client's upgrade
/// accepted, with that protocol, and the two sockets relayed message by message.
///
/// A cluster that refuses the upgrade (no such pod, a simulated pod without containers) still
/// gets its answer to kubectl: the same request is made plainly, and the `Status` it answers
/// is sent on the error channel of Kubernetes' streaming protocol (channel 3), the way
/// kube-apiserver reports a failed exec. Refusing the client's upgrade instead would make
/// kubectl fall back to SPDY, which this server (like any HTTP/1 server without SPDY) cannot
/// take.
extension LabClusterProxy {
    /// How long the cluster has to accept the upgrade.
    static let upgradeTimeout: Duration = .seconds(10)

    /// Adds the upgrade route to the platform address's WebSocket router.
    public func registerUpgrades<Context: WebSocketRequestContext>(on router: Router<Context>) {
        router.ws(
            "/clusters/:cluster/**",
            shouldUpgrade: { request, _ in
                // The key is the client's choice: one already pending (a replay, a guess) is refused.
                guard let key = request.headers[.secWebSocketKey], !key.isEmpty,
                    !self.pendingUpgrades.withLock({ $0[key] != nil }),
                    let upgrade = await self.upstreamUpgrade(for: request)
                else { return .dontUpgrade }
                let pending = PendingUpgrade(upgrade: upgrade, request: Self.identity(of: request))
                let taken = self.pendingUpgrades.withLock { pendings -> Bool in
                    guard pendings[key] == nil else { return true }
                    pendings[key] = pending
                    return false
                }
                if taken {
                    upgrade.close()
                    return .dontUpgrade
                }
                // Not taken within the timeout (the client went away between the two steps): closed.
                Task {
                    try? await Task.sleep(for: Self.upgradeTimeout)
                    let stale = self.pendingUpgrades.withLock { pendings -> PendingUpgrade? in
                        guard pendings[key]?.id == pending.id else { return nil }
                        return pendings.removeValue(forKey: key)
                    }
                    stale?.upgrade.close()
                }
                var headers = HTTPFields()
                if let subprotocol = upgrade.subprotocol { headers[.secWebSocketProtocol] = subprotocol }
                return .upgrade(headers)
            },
            onUpgrade: { inbound, outbound, context in
                guard let key = context.request.headers[.secWebSocketKey],
                    let pending = self.pendingUpgrades.withLock({ $0.removeValue(forKey: key) })
                else { return }
                // The switched connection must be the request that was checked.
                guard pending.request == Self.identity(of: context.request) else {
                    pending.upgrade.close()
                    return
                }
                switch pending.upgrade {
                case .open(let socket):
                    await self.relay(
                        socket, token: BearerToken.parse(authorization: context.request.headers[.authorization]) ?? "",
                        clusterID: Self.clusterID(inPath: context.request.uri.path), inbound: inbound, outbound: outbound)
                case .refused(let message, _):
                    try? await outbound.write(.binary(ByteBuffer(bytes: message)))
                    try? await outbound.close(.normalClosure, reason: nil)
                }
            })
    }

    /// An upgrade decided and waiting for the connection to switch, with what identifies the
    /// request it was decided for.
    struct PendingUpgrade: Sendable {
        let id = UUID()
        let upgrade: UpstreamUpgrade
        let request: [String]
    }

    /// What an upgrade was decided on: path, query and token.
    static func identity(of request: Request) -> [String] {
        [request.uri.path, request.uri.query ?? "", request.headers[.authorization] ?? ""]
    }

    /// An upgrade the client may have: the cluster's socket, open, or the cluster's refusal
    /// as the error-channel message to send.
    enum UpstreamUpgrade: Sendable {
        case open(RelayedWebSocket)
        case refused(errorChannelMessage: [UInt8], subprotocol: String)

        func close() {
            if case .open(let socket) = self { socket.close() }
        }

        var subprotocol: String? {
            switch self {
            case .open(let socket): return socket.subprotocol
            case .refused(_, let subprotocol): return subprotocol
            }
        }
    }

    /// Kubernetes' streaming subprotocols whose channel 3 carries errors, newest first; from
    /// v4 on the error is a `Status` object, before it plain text.
    static let channelProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"]

    /// The upgrade of a request that may make one; nil when it may not (a refused token, a
    /// cluster that is not published) or the cluster refused and the client speaks no
    /// channel protocol to be told so.
    func upstreamUpgrade(for request: Request) async -> UpstreamUpgrade? {
        let clusterID = Self.clusterID(inPath: request.uri.path)
        guard Self.isClusterID(clusterID), Self.isPlainPath(request.uri.path),
            let token = BearerToken.parse(authorization: request.headers[.authorization]),
            refusal(token: token, clusterID: clusterID) == nil, let api = labService?.connected?.api,
            let client = try? await upstreams.client(for: clusterID, api: api)
        else { return nil }
        let remainder = String(request.uri.path.dropFirst(Self.pathPrefix.count + clusterID.count))
        let pathAndQuery = (remainder.isEmpty ? "/" : remainder) + (request.uri.query.map { "?\($0)" } ?? "")
        let offered =
            request.headers[.secWebSocketProtocol]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        let socket = client.openWebSocket(pathAndQuery: pathAndQuery, subprotocol: offered.first)
        if await socket.waitUntilOpen(timeout: Self.upgradeTimeout) { return .open(socket) }
        logger.debug("the lab cluster refused the upgrade", metadata: ["cluster": "\(clusterID)"])
        guard let channelProtocol = offered.first(where: Self.channelProtocols.contains) else { return nil }
        let status = await plainAnswer(client, pathAndQuery: pathAndQuery)
        var message: [UInt8] = [3]
        if channelProtocol.hasPrefix("v4.") || channelProtocol.hasPrefix("v5.") {
            message += status.status.serialized()
        } else {
            message += Array(status.message.utf8)
        }
        return .refused(errorChannelMessage: message, subprotocol: channelProtocol)
    }

    /// What the cluster answers the request made without the upgrade: its `Status` when it
    /// sends one, else a 503 saying the upgrade was refused.
    func plainAnswer(_ client: HTTPKubernetesClient, pathAndQuery: String) async -> APIError {
        let refused = APIError(code: 503, reason: .serviceUnavailable, message: "the cluster refused the upgrade")
        guard
            let response = try? await client.forward(
                method: .GET, pathAndQuery: pathAndQuery, headers: [("Accept", "application/json")], body: nil,
                deadline: .now() + .seconds(10)),
            let body = try? await response.body.collect(upTo: 1 << 16),
            let status = try? JSONValue(parsing: Array(buffer: body), maximumDepth: 16),
            status["kind"]?.stringValue == "Status", let message = status["message"]?.stringValue
        else { return refused }
        let code = status["code"]?.intValue.map(Int.init) ?? Int(response.status.code)
        let reason = status["reason"]?.stringValue.flatMap(APIError.Reason.init(rawValue:)) ?? .serviceUnavailable
        return APIError(code: code, reason: reason, message: message)
    }

    /// Relays until either side closes or the session loses access.
    func relay(
        _ socket: RelayedWebSocket, token: String, clusterID: String, inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter
    ) async {
        let id = register(token: token, clusterID: clusterID) { socket.close() }
        defer { unregister(id) }
        await socket.relay(inbound: inbound, outbound: outbound)
    }

    static func clusterID(inPath path: String) -> String {
        guard path.hasPrefix(pathPrefix) else { return "" }
        return String(path.dropFirst(pathPrefix.count).prefix { $0 != "/" })
    }
}
