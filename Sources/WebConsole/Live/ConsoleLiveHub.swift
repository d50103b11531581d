import ControllerKit
import Foundation
import KubeClient
import Logging
import PlatformHTTP
import Synchronization

/// Pushes page fragments to browsers over Server-Sent Events when the objects behind them
/// change. The hub listens to the shared informers once (not once per browser, and never by
/// polling the API), gathers changes for a short while, renders each changed topic once per
/// caller and hands the HTML to every subscribed browser of that caller.
///
/// A slow browser never holds the others up: each has a bounded buffer, and one that falls
/// behind is told to `resync` (reload its page) instead of being sent a backlog.
public final class ConsoleLiveHub: Sendable {
    public typealias AccessRule = @Sendable (_ argument: String?) -> Access
    public typealias Render = @Sendable (_ session: ConsoleSession, _ argument: String?) async throws -> ConsoleView

    public struct Topic: Sendable {
        public var name: String
        public var resources: [ResourceType]
        public var access: AccessRule
        public var render: Render
    }

    /// One change for one browser: the topic and its new HTML, or `resync`.
    public struct Event: Sendable, Equatable {
        public var topic: String
        public var html: String
    }

    struct Subscriber: Sendable {
        let session: ConsoleSession
        let topics: Set<String>
        let continuation: AsyncStream<Event>.Continuation
    }

    struct State {
        var topics: [String: Topic] = [:]
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 0
        var dirty: Set<String> = []
        var flushScheduled = false
        /// This term's informers, and the listeners added to them so far: a resource is
        /// listened to from the first subscriber of a topic that shows it, so a page no one
        /// opens costs no cluster-wide informer.
        var informers: SharedInformerFactory?
        var registrations: [ResourceType: (Informer, EventHandlerRegistration)] = [:]
    }

    private let state = Mutex(State())
    let renderer: ConsoleRenderer
    let coalescing: Duration
    let bufferSize: Int
    /// Streams one signed-in browser may hold open (tabs), and the server in all.
    let streamsPerSession: Int
    let maximumStreams: Int
    let logger: Logger

    public init(
        renderer: ConsoleRenderer, coalescing: Duration = .milliseconds(250), bufferSize: Int = 32,
        streamsPerSession: Int = 8, maximumStreams: Int = 2000, logger: Logger
    ) {
        self.renderer = renderer
        self.coalescing = coalescing
        self.bufferSize = bufferSize
        self.streamsPerSession = streamsPerSession
        self.maximumStreams = maximumStreams
        self.logger = logger
    }

    func register(_ topic: Topic) {
        state.withLock { $0.topics[topic.name] = topic }
    }

    /// Takes this term's informers: the earlier term's listeners are removed, and the
    /// resources of topics that browsers already follow are listened to again.
    public func attach(informers: SharedInformerFactory) {
        let (old, followed) = state.withLock { state in
            defer {
                state.registrations = [:]
                state.informers = informers
            }
            return (Array(state.registrations.values), Set(state.subscribers.values.flatMap(\.topics).map(Self.baseName)))
        }
        for (informer, registration) in old { informer.removeEventHandler(registration) }
        listen(for: followed)
    }

    /// Listens to the resources behind `topics` (registered names) that no listener covers yet.
    func listen(for topics: Set<String>) {
        let wanted = state.withLock { state -> (SharedInformerFactory, [ResourceType: Set<String>])? in
            guard let informers = state.informers else { return nil }
            let resources = Set(topics.compactMap { state.topics[$0] }.flatMap(\.resources))
                .filter { state.registrations[$0] == nil }
            guard !resources.isEmpty else { return nil }
            // Every topic that shows the resource, followed or not yet: the listener stays for
            // the term.
            var names: [ResourceType: Set<String>] = [:]
            for topic in state.topics.values {
                for resource in topic.resources where resources.contains(resource) { names[resource, default: []].insert(topic.name) }
            }
            return (informers, names)
        }
        guard let (informers, names) = wanted else { return }
        for (resource, topics) in names {
            let informer = informers.informer(for: resource)
            let registration = informer.addEventHandler { [weak self] _ in self?.changed(topics) }
            let kept = state.withLock { state -> Bool in
                // Another term began, or another subscriber got here first.
                guard state.informers === informers, state.registrations[resource] == nil else { return false }
                state.registrations[resource] = (informer, registration)
                return true
            }
            if !kept { informer.removeEventHandler(registration) }
        }
    }

    /// The topic's registered name: `session:abc` → `session`.
    static func baseName(_ topic: String) -> String {
        String(topic.prefix { $0 != ":" })
    }

    static func argument(_ topic: String) -> String? {
        guard let colon = topic.firstIndex(of: ":") else { return nil }
        return String(topic[topic.index(after: colon)...])
    }

    /// Whether `session` may follow `topic` (registered, and allowed by its access rule).
    public func mayFollow(_ topic: String, session: ConsoleSession) -> Bool {
        guard topic.utf8.count <= 200, let registered = state.withLock({ $0.topics[Self.baseName(topic)] }) else { return false }
        return (try? registered.access(Self.argument(topic)).authorize(session.caller)) != nil
    }

    /// A stream of changes to `topics` for this browser, until it disconnects; nil when the
    /// browser's session or the server already holds as many streams as allowed.
    public func subscribe(session: ConsoleSession, topics: Set<String>) -> AsyncStream<Event>? {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state -> UInt64? in
            guard state.subscribers.count < maximumStreams,
                state.subscribers.values.filter({ $0.session.id == session.id }).count < streamsPerSession
            else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(session: session, topics: topics, continuation: continuation)
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return nil
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        listen(for: Set(topics.map(Self.baseName)))
        return stream
    }

    /// The topic's region as it is now, for a browser that has just connected (changes made
    /// between its page load and the stream opening would otherwise be missed).
    public func current(_ topic: String, session: ConsoleSession) async -> Event? {
        guard let registered = state.withLock({ $0.topics[Self.baseName(topic)] }),
            let view = try? await registered.render(session, Self.argument(topic))
        else { return nil }
        return Event(topic: topic, html: renderer.html(view))
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Marks topics changed and makes sure one flush is coming.
    func changed(_ names: Set<String>) {
        let schedule = state.withLock { state -> Bool in
            state.dirty.formUnion(names)
            guard !state.flushScheduled else { return false }
            state.flushScheduled = true
            return true
        }
        guard schedule else { return }
        Task { [coalescing] in
            // One flush at a time: changes that arrive meanwhile wait for the next round, so a
            // slow render can never deliver older HTML after newer.
            while true {
                try? await Task.sleep(for: coalescing)
                await self.flush()
                let again = self.state.withLock { state -> Bool in
                    if state.dirty.isEmpty { state.flushScheduled = false }
                    return !state.dirty.isEmpty
                }
                if !again { return }
            }
        }
    }

    /// Renders every dirty topic once per (topic, caller) and sends it to its subscribers.
    func flush() async {
        let (dirty, subscribers, topics) = state.withLock { state in
            defer { state.dirty = [] }
            return (state.dirty, Array(state.subscribers.values), state.topics)
        }
        var rendered: [String: String] = [:]
        for subscriber in subscribers {
            for topic in subscriber.topics where dirty.contains(Self.baseName(topic)) {
                guard let registered = topics[Self.baseName(topic)] else { continue }
                let key = "\(topic)\u{0}\(subscriber.session.caller)"
                if rendered[key] == nil {
                    do {
                        let view = try await registered.render(subscriber.session, Self.argument(topic))
                        rendered[key] = renderer.html(view)
                    } catch {
                        logger.debug("console live topic \(topic) not rendered: \(String(describing: error))")
                        rendered[key] = ""
                    }
                }
                guard let html = rendered[key], !html.isEmpty else { continue }
                if case .dropped = subscriber.continuation.yield(Event(topic: topic, html: html)) {
                    subscriber.continuation.yield(Event(topic: "resync", html: ""))
                }
            }
        }
    }

    /// The SSE wire form of an event.
    static func encode(_ event: Event) -> String {
        var text = "event: \(event.topic)\n"
        // Browsers end an event-stream line at CR as well as LF: a CR in page data must not
        // start a field of its own.
        let html = event.html.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        for line in html.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        return text + "\n"
    }
}
