import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Tells a long response (a watch) that its client went away, without reading from the
/// connection.
///
/// A watch must end as soon as its client disconnects, not at its timeout 30–60 minutes
/// later. Reading the connection to learn that (Hummingbird's
/// `consumeWithInboundCloseHandler`) steals the reader from the HTTP/1.1 loop, so the
/// connection had to close after every watch — and a client that reuses it for its next
/// request (Go's and Python's keep-alive pools do) saw that request fail. This handler
/// sits in the pipeline instead and only observes: the end of the client's input or of
/// the channel.
final class ConnectionCloseObserver: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private struct State {
        var closed = false
        var nextID = 0
        var actions: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    init() {}

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { markClosed() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        markClosed()
        context.fireChannelInactive()
    }

    private func markClosed() {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.closed else { return [] }
            state.closed = true
            defer { state.actions.removeAll() }
            return Array(state.actions.values)
        }
        for action in actions { action() }
    }

    /// Runs `action` once when the client's side closes (at once if it has). Returns the
    /// registration, to ``cancel(_:)`` when the response ends first.
    @discardableResult
    func onClose(_ action: @escaping @Sendable () -> Void) -> Int? {
        let id = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            defer { state.nextID += 1 }
            state.actions[state.nextID] = action
            return state.nextID
        }
        if id == nil { action() }
        return id
    }

    func cancel(_ registration: Int?) {
        guard let registration else { return }
        _ = state.withLock { $0.actions.removeValue(forKey: registration) }
    }
}

/// The connection a request arrived on, for the responders below ``ConnectionTrackingResponder``
/// (a task-local, so the routing layers in between need not know about channels).
struct ClientConnection: Sendable {
    let channel: any Channel

    @TaskLocal static var current: ClientConnection?

    /// The connection's ``ConnectionCloseObserver``; nil when the pipeline has none (the
    /// in-process test client).
    func closeObserver() async -> ConnectionCloseObserver? {
        try? await channel.pipeline.handler(type: ConnectionCloseObserver.self).get()
    }
}

/// A request context that keeps the channel (Hummingbird's `BasicRequestContext` drops it).
struct ConnectionRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// The outermost responder of the embedded API: makes the request's connection known to
/// the layers below as ``ClientConnection/current``.
struct ConnectionTrackingResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    typealias Context = ConnectionRequestContext

    let inner: Inner

    func respond(to request: Request, context: Context) async throws -> Response {
        let source = ApplicationRequestContextSource(channel: context.channel, logger: context.logger)
        return try await ClientConnection.$current.withValue(ClientConnection(channel: context.channel)) {
            try await inner.respond(to: request, context: BasicRequestContext(source: source))
        }
    }
}
