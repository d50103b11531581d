import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import KubeModel
import Logging
import NIOCore
import TerminalSockets

/// KubeVirt's serial-console subresource on the embedded API:
/// `GET /apis/subresources.kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/{name}/console`
/// upgraded to a WebSocket, as `virtctl console` and the web console's terminal open it.
///
/// Binary frames carry the console's bytes both ways (KubeVirt's `plain.kubevirt.io`
/// protocol). Two text frames are Virtyard's extension, sent only by clients and guests that
/// know it: `{"resize":[columns,rows]}` from the client, and `{"closed":"why"}` from the
/// server just before it closes a console on purpose (``TerminalControlMessage``). Other text
/// is typed into the console as it is.
///
/// The upgrade happens only for a caller whose token is valid (and impersonation, when asked
/// for, allowed) and whom RBAC allows `get` on `virtualmachineinstances/console` in
/// `subresources.kubevirt.io` (the rule KubeVirt's `kubevirt.io:edit` role grants). Any other
/// upgrade request is refused before a socket exists, with the empty 400 that Hummingbird's
/// upgrade channel gives every refused upgrade (it carries no reason); a plain GET of the path
/// reaches the REST responder as usual.
struct VMConsoleRoute: Sendable {
    static let group = "subresources.kubevirt.io"
    static let versions: Set<String> = ["v1", "v1alpha3"]
    static let subprotocol = "plain.kubevirt.io"
    /// Largest frame a client may send (a big paste arrives in several).
    static let maximumMessage = 1 << 16

    let consoles: any VMConsoles
    let authenticator: TokenAuthenticator
    let authorizer: APIAuthorizer
    let logger: Logger

    /// The VMI a path names, when it is a console path.
    static func target(of path: String) -> (version: String, namespace: String, name: String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // ["", "apis", group, version, "namespaces", ns, "virtualmachineinstances", name, "console"]
        guard parts.count == 9, parts[0].isEmpty, parts[1] == "apis", parts[2] == group, versions.contains(String(parts[3])),
            parts[4] == "namespaces", parts[6] == "virtualmachineinstances", parts[8] == "console",
            NameValidation.dnsLabel(String(parts[5])) == nil, NameValidation.dnsSubdomain(String(parts[7])) == nil
        else { return nil }
        return (String(parts[3]), String(parts[5]), String(parts[7]))
    }

    /// The RBAC question a console request asks.
    static func attributes(user: UserInfo, version: String, namespace: String, name: String) -> RequestAttributes {
        RequestAttributes(
            user: user, verb: "get", namespace: namespace, apiGroup: group, apiVersion: version,
            resource: "virtualmachineinstances", subresource: "console", name: name)
    }

    /// The WebSocket handler for this request, or nil when the REST responder should answer it.
    func upgrade(_ request: HTTPRequest) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        // Authentication, impersonation, authorization: the REST responder's order, so a
        // front proxy acting as its users gets each user's rights here too, not its own.
        guard request.method == .get, let path = request.path?.split(separator: "?", maxSplits: 1).first,
            let (version, namespace, name) = Self.target(of: String(path)),
            let caller = authenticator.user(for: request.headerFields[.authorization]),
            let user = try? Impersonation.apply(request.headerFields, caller: caller, authorizer: authorizer),
            authorizer.authorize(Self.attributes(user: user, version: version, namespace: namespace, name: name)).allowed
        else { return .dontUpgrade }
        var headers = HTTPFields()
        // Echo KubeVirt's protocol when the client offers it (virtctl does, and checks).
        let offered = (request.headerFields[.secWebSocketProtocol] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if offered.contains(Self.subprotocol) { headers[.secWebSocketProtocol] = Self.subprotocol }
        let (consoles, logger) = (self.consoles, self.logger)
        logger.info("vm console opened", metadata: ["vmi": "\(namespace)/\(name)", "user": "\(user.name)"])
        return .upgrade(headers) { inbound, outbound, _ in
            await Self.bridge(
                consoles: consoles, namespace: namespace, name: name, inbound: inbound, outbound: outbound, logger: logger)
        }
    }

    /// Attaches the console and pumps it until either side ends.
    static func bridge(
        consoles: any VMConsoles, namespace: String, name: String, inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter, logger: Logger
    ) async {
        let connection: any TerminalConnection
        do {
            connection = try await consoles.attach(namespace: namespace, name: name)
        } catch {
            let reason = (error as? VMConsoleUnavailable)?.message ?? "The VM's console is not available."
            if !(error is VMConsoleUnavailable) {
                logger.error("vm console failed", metadata: ["vmi": "\(namespace)/\(name)", "error": "\(error)"])
            }
            await TerminalSocketBridge.refuse(reason, inbound: inbound, outbound: outbound, maximumMessage: maximumMessage)
            return
        }
        var logger = logger
        logger[metadataKey: "vmi"] = "\(namespace)/\(name)"
        await TerminalSocketBridge.run(
            connection, inbound: inbound, outbound: outbound, maximumMessage: maximumMessage, logger: logger)
    }
}
