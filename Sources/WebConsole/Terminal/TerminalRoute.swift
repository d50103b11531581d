import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import KubeModel
import Logging
import NIOCore
import PlatformHTTP
import Synchronization
import TerminalSockets

/// The context of the WebSocket upgrade router: Hummingbird runs that router (and only its
/// own middleware, none here) on every upgrade request, before the connection is switched.
public struct TerminalRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>

    public init(source: Source) {
        coreContext = CoreRequestContextStorage(source: source)
        webSocket = WebSocketHandlerReference()
    }
}

/// `GET /ui/labs/sessions/{name}/terminal` as a WebSocket: the session's terminal to
/// xterm.js. Binary frames carry the terminal's bytes both ways; text frames carry the JSON
/// control messages of ``TerminalControlMessage`` (text that is not one is typed as it is).
///
/// The upgrade is refused (400, no socket) unless the `Origin` is this server's own (a page
/// elsewhere cannot open a terminal with the browser's cookie), the console cookie names a
/// signed-in browser, and that browser may see the session (the admin, or the session's own
/// token).
struct TerminalRoute {
    static let path: RouterPath = "/ui/labs/sessions/:name/terminal"
    /// Largest frame and message a browser may send (a big paste arrives in several).
    static let maximumMessage = 1 << 16
    static let configuration = WebSocketServerConfiguration(
        maxFrameSize: maximumMessage, autoPing: .enabled(timePeriod: .seconds(30)))

    let terminals: any ConsoleTerminals
    let cluster: LeaderAttachment<ConsoleConnection>
    let sessions: ConsoleSessionStore
    let logger: Logger

    func router() -> Router<TerminalRequestContext> {
        let router = Router(context: TerminalRequestContext.self)
        let (sessions, terminals, cluster, logger) = (self.sessions, self.terminals, self.cluster, self.logger)
        router.ws(
            Self.path,
            shouldUpgrade: { request, context in
                let name = context.parameters.get("name") ?? ""
                if let refusal = Self.refusal(request, session: name, sessions: sessions) {
                    logger.notice("terminal upgrade refused", metadata: ["session": "\(name)", "why": "\(refusal)"])
                    return .dontUpgrade
                }
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                let name = context.requestContext.parameters.get("name") ?? ""
                let browser = SignedInBrowser(id: ConsoleCookie.sessionID(in: context.request) ?? "", sessions: sessions)
                await Self.bridge(
                    session: name, terminals: terminals, cluster: cluster, inbound: inbound, outbound: outbound, browser: browser,
                    logger: logger)
            })
        return router
    }

    /// Why an upgrade request may not have the terminal; nil when it may.
    static func refusal(_ request: Request, session name: String, sessions: ConsoleSessionStore) -> String? {
        guard originIsOwn(request) else { return "the Origin is not this server" }
        guard let id = ConsoleCookie.sessionID(in: request), let session = sessions.session(id: id) else {
            return "not signed in"
        }
        do {
            _ = try Access.adminOrSession(name).authorize(session.caller)
        } catch {
            return "this browser may not open the session"
        }
        return nil
    }

    /// A browser always sends `Origin` on a WebSocket upgrade; it must name the host the
    /// request went to (scheme aside), so only the console's own pages can open a terminal.
    static func originIsOwn(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin], let host = request.head.authority, !host.isEmpty else { return false }
        for scheme in ["http://", "https://"] where origin.lowercased() == scheme + host.lowercased() {
            return true
        }
        return false
    }

    /// Pumps bytes between the socket and the terminal until either side ends.
    static func bridge(
        session name: String, terminals: any ConsoleTerminals, cluster: LeaderAttachment<ConsoleConnection>,
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, browser: SignedInBrowser, logger: Logger
    ) async {
        let connection: any TerminalConnection
        do {
            connection = try await terminals.attach(session: name, api: try cluster.connected().api)
        } catch {
            await TerminalSocketBridge.refuse(
                ConsoleError.from(error).message, inbound: inbound, outbound: outbound, maximumMessage: maximumMessage)
            return
        }
        var logger = logger
        logger[metadataKey: "session"] = "\(name)"
        await TerminalSocketBridge.run(
            connection, inbound: inbound, outbound: outbound, maximumMessage: maximumMessage, logger: logger,
            onInput: browser.wasActive,
            ends: {
                // Signing out (or the session's end, or idling out) closes the terminal too,
                // as it ends the page's live updates.
                while await browser.staysSignedIn() {}
                return "You are signed out."
            })
    }
}

/// The signed-in browser behind a terminal socket. Typing counts as activity, so that a
/// person working only in the terminal is not signed out as idle.
final class SignedInBrowser: Sendable {
    static let checkInterval: Duration = .seconds(2)

    let id: String
    let sessions: ConsoleSessionStore
    private let active = Atomic(false)

    init(id: String, sessions: ConsoleSessionStore) {
        self.id = id
        self.sessions = sessions
    }

    func wasActive() { active.store(true, ordering: .relaxed) }

    /// Waits one check interval; false once the browser is signed out (or the wait is
    /// cancelled because the socket ended).
    func staysSignedIn() async -> Bool {
        do { try await Task.sleep(for: Self.checkInterval) } catch { return false }
        if active.exchange(false, ordering: .relaxed) { return sessions.session(id: id) != nil }
        return sessions.isLive(id: id)
    }
}

extension WebConsole {
    /// The router that answers WebSocket upgrades (the terminal), or nil when terminals are
    /// off: then the platform server speaks plain HTTP/1 and the terminal path is a 404.
    public func webSocketRouter() -> Router<TerminalRequestContext>? {
        guard let terminals = services.terminals else { return nil }
        return TerminalRoute(terminals: terminals, cluster: services.connection, sessions: sessions, logger: logger).router()
    }

    /// How the platform address serves HTTP/1: with the WebSocket upgrade when terminals are
    /// on (frame size and keep-alive pings as ``TerminalRoute`` sets them), plainly otherwise.
    public func httpServer(http1: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        guard let router = webSocketRouter() else { return .http1(configuration: http1) }
        return .http1WebSocketUpgrade(
            webSocketRouter: router, configuration: .init(http1: http1, ws: TerminalRoute.configuration))
    }
}
