import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /ui/events?topic=…&topic=…`: the Server-Sent Events stream a page opens for its live
/// topics. Every topic must be one this browser may follow (403 otherwise). The stream starts
/// with each topic's current region, so nothing changed between the page load and the
/// connection is missed; a comment line every 15 s keeps proxies from closing an idle stream,
/// and ends the stream once its console session has (signed out, idle, or its lab session
/// over).
struct LiveEventsRoute {
    let hub: ConsoleLiveHub
    let sessions: ConsoleSessionStore
    static let maximumTopics = 16
    /// Lines waiting for a browser that does not read: past this, the stream ends and the
    /// browser reconnects (and gets the current regions) instead of the server buffering.
    static let pendingLines = 64

    func register(on group: RouterGroup<ConsoleRequestContext>) {
        let hub = self.hub
        let sessions = self.sessions
        group.get("/events") { request, context -> Response in
            guard let session = context.session else {
                throw ConsoleError(.unauthorized, "Sign in first.")
            }
            let topics = Set(request.uri.queryParameters.getAll("topic").map { String($0) })
            guard !topics.isEmpty, topics.count <= Self.maximumTopics else {
                throw ConsoleError(.badRequest, "Name between 1 and \(Self.maximumTopics) topics.")
            }
            for topic in topics where topic.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw ConsoleError(.badRequest, "A topic may not contain control characters.")
            }
            for topic in topics where !hub.mayFollow(topic, session: session) {
                throw ConsoleError(.forbidden, "You may not follow \(topic.prefix(64)).")
            }
            guard let events = hub.subscribe(session: session, topics: topics) else {
                throw ConsoleError(.tooManyRequests, "Too many live pages are open; close some tabs.")
            }
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
                for topic in topics.sorted() {
                    if let event = await hub.current(topic, session: session) {
                        try await writer.write(ByteBuffer(string: ConsoleLiveHub.encode(event)))
                    }
                }
                try await Self.stream(events, to: &writer) { sessions.isLive(id: session.id) }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no"],
                body: body)
        }
    }

    /// Writes each event, and a comment line every 15 s, until the browser goes away, falls too
    /// far behind, its session ends, or the server shuts down (a stream never ends by itself,
    /// and a graceful shutdown waits for every open response).
    static func stream(
        _ events: AsyncStream<ConsoleLiveHub.Event>, to writer: inout some ResponseBodyWriter,
        stillSignedIn: @escaping @Sendable () -> Bool
    ) async throws {
        let (lines, line) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(pendingLines))
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in events {
                        if case .dropped = line.yield(ConsoleLiveHub.encode(event)) { break }
                    }
                    line.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(15))
                        guard stillSignedIn() else { break }
                        if case .dropped = line.yield(": ping\n\n") { break }
                    }
                    line.finish()
                }
                for await text in lines { try await writer.write(ByteBuffer(string: text)) }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            line.finish()
        }
    }
}
