import KubeClient
import KubeModel
import Logging
import ServiceLifecycle
import Synchronization

/// A local, indexed, always-current copy of one resource, kept by list + watch, that tells
/// handlers about every change: client-go's shared index informer.
///
/// Controllers never poll the API server. An informer lists the objects once, then watches
/// from the list's resourceVersion; its ``Indexer`` answers reads in memory and its handlers
/// learn about each change in order. It survives what a long-lived watch meets:
///
/// - the server ending the stream (timeouts, restarts): re-watch from the last resourceVersion
///   seen, so no event is lost or repeated, with ``Backoff`` when streams keep ending empty or
///   failing;
/// - `410 Gone` (the resourceVersion fell out of the server's history): re-list, replace the
///   cache, and emit exactly the additions, updates and deletions that the missed events would
///   have carried (``Indexer/replace(with:isInitialList:)``);
/// - bookmarks: advance the resourceVersion without touching the cache.
///
/// One informer per resource serves every controller that needs it (see
/// ``SharedInformerFactory``). Each handler has its own ordered buffer and delivery task, so a
/// slow handler delays only itself. The informer is a `Service`: ``run()`` lists, watches and
/// delivers until cancelled or until graceful shutdown.
public final class Informer: Service, Sendable {
    /// Notifications queued for one handler: events, and the marker that the initial state
    /// has been delivered.
    enum HandlerNotification: Sendable {
        case event(InformerEvent)
        case synced
    }

    /// A registered handler with its buffer.
    struct HandlerSlot: Sendable {
        let registration: EventHandlerRegistration
        let handler: @Sendable (InformerEvent) async -> Void
        let stream: AsyncStream<HandlerNotification>
        let continuation: AsyncStream<HandlerNotification>.Continuation
        /// True until the marker that closes the initial state has been queued.
        var awaitingSyncMarker: Bool
    }

    enum Phase {
        case idle
        /// Running; new handlers are passed to the run loop, which starts their delivery.
        case running(AsyncStream<HandlerSlot>.Continuation)
        case finished
    }

    struct State {
        var indexer = Indexer()
        var hasSynced = false
        var lastResourceVersion: ResourceVersion?
        var handlers: [HandlerSlot] = []
        var nextHandlerID: UInt64 = 0
        var phase = Phase.idle
    }

    /// The resource this informer mirrors.
    public let resource: ResourceType
    /// The namespace it is limited to; nil for all namespaces (and for cluster-scoped resources).
    public let namespace: String?
    /// The label selector passed to list and watch, in Kubernetes' string syntax.
    public let labelSelector: String?
    /// The field selector passed to list and watch.
    public let fieldSelector: String?

    let api: any KubernetesAPI
    let configuration: InformerConfiguration
    let logger: Logger
    let time: TimeSource
    let state = Mutex(State())
    let synced = OneShotLatch()

    /// Creates an informer; nothing is listed until ``run()``.
    ///
    /// - Parameters:
    ///   - namespace: limits the informer to one namespace; ignored for cluster-scoped resources.
    ///   - clock: paces retries; tests pass a fast or manual clock.
    public init(
        api: any KubernetesAPI, resource: ResourceType, namespace: String? = nil, labelSelector: String? = nil,
        fieldSelector: String? = nil, configuration: InformerConfiguration = InformerConfiguration(),
        logger: Logger = Logger(label: "virtyard.informer"), clock: some Clock<Duration> = ContinuousClock()
    ) {
        self.api = api
        self.resource = resource
        self.namespace = resource.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
        self.labelSelector = labelSelector.flatMap { $0.isEmpty ? nil : $0 }
        self.fieldSelector = fieldSelector.flatMap { $0.isEmpty ? nil : $0 }
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "resource"] = "\(resource)"
        if let namespace = self.namespace { logger[metadataKey: "namespace"] = "\(namespace)" }
        self.logger = logger
        self.time = TimeSource(clock)
    }

    // MARK: Reading the cache

    /// True once the first list has been stored: from then on the cache reflects the server
    /// (up to the events in flight).
    public var hasSynced: Bool { synced.isSet }

    /// Waits until ``hasSynced`` is true.
    public func waitForSync() async throws(CancellationError) {
        try await synced.wait()
    }

    /// The resourceVersion of the last list, event or bookmark processed.
    public var lastSyncResourceVersion: ResourceVersion? {
        state.withLock { $0.lastResourceVersion }
    }

    /// A consistent copy of the whole cache (cheap: copied only when the informer next writes).
    public var indexer: Indexer {
        state.withLock { $0.indexer }
    }

    /// The cached object with this key.
    public func get(_ key: ObjectKey) -> JSONValue? {
        state.withLock { $0.indexer[key] }
    }

    /// The cached object with this namespace and name.
    public func get(namespace: String?, name: String) -> JSONValue? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// Cached objects in a namespace (every namespace for nil) matching a label selector.
    public func list(namespace: String? = nil, matching selector: LabelSelector = .everything) -> [JSONValue] {
        state.withLock { $0.indexer.list(namespace: namespace, matching: selector) }
    }

    /// Cached objects under `value` in the index `name`.
    public func byIndex(_ name: String, _ value: String) -> [JSONValue] {
        state.withLock { $0.indexer.byIndex(name, value) }
    }

    /// Adds a custom index (for example pods by node); existing objects are indexed at once.
    public func addIndex(_ name: String, _ function: @escaping Indexer.IndexFunction) {
        state.withLock { $0.indexer.addIndex(name, function) }
    }

    // MARK: Handlers

    /// Adds a handler that receives every change, in order, from the informer's run loop.
    ///
    /// A handler added after the first list first receives an addition for every cached object
    /// (`isInInitialList: true`), so late subscribers start from the same state as early ones.
    /// Handlers should be quick — typically they queue a key — since events for one handler
    /// are delivered one at a time.
    @discardableResult
    public func addEventHandler(_ handler: @escaping @Sendable (InformerEvent) async -> Void) -> EventHandlerRegistration {
        state.withLock { state in
            let registration = EventHandlerRegistration(id: state.nextHandlerID)
            state.nextHandlerID += 1
            let (stream, continuation) = AsyncStream.makeStream(of: HandlerNotification.self)
            let slot = HandlerSlot(
                registration: registration, handler: handler, stream: stream,
                continuation: continuation, awaitingSyncMarker: !state.hasSynced)
            if state.hasSynced {
                for object in state.indexer.list() {
                    continuation.yield(.event(.added(object, isInInitialList: true)))
                }
                continuation.yield(.synced)
            }
            state.handlers.append(slot)
            switch state.phase {
            case .running(let starter): starter.yield(slot)
            case .finished: continuation.finish()
            case .idle: break
            }
            return registration
        }
    }

    /// Removes a handler; events already queued for it are still delivered.
    public func removeEventHandler(_ registration: EventHandlerRegistration) {
        state.withLock { state in
            guard let index = state.handlers.firstIndex(where: { $0.registration == registration }) else { return }
            state.handlers.remove(at: index).continuation.finish()
        }
    }

    /// Queues events for every handler; called with the state locked so that the order handlers
    /// see is the order the cache changed in.
    static func publish(_ events: [InformerEvent], to state: inout State) {
        guard !events.isEmpty else { return }
        for slot in state.handlers {
            for event in events { slot.continuation.yield(.event(event)) }
        }
    }

    /// Closes the initial state of every handler that was waiting for it.
    static func publishSynced(to state: inout State) {
        for index in state.handlers.indices where state.handlers[index].awaitingSyncMarker {
            state.handlers[index].awaitingSyncMarker = false
            state.handlers[index].continuation.yield(.synced)
        }
    }

    // MARK: Running

    /// Lists, watches and delivers events until the task is cancelled or graceful shutdown
    /// is triggered; an informer runs once.
    ///
    /// On graceful shutdown the informer stops watching and delivers the events already
    /// queued before returning; on cancellation it stops at once.
    public func run() async throws {
        let (starts, starter) = AsyncStream.makeStream(of: HandlerSlot.self)
        try state.withLock { state throws(InformerError) in
            guard case .idle = state.phase else { throw .alreadyStarted(resource: resource, namespace: namespace) }
            state.phase = .running(starter)
            for slot in state.handlers { starter.yield(slot) }
        }
        logger.debug("informer starting")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await cancelWhenGracefulShutdown { await self.listAndWatch() }
                self.finishRun()
            }
            for await slot in starts {
                group.addTask { await Self.deliver(slot) }
            }
        }
        logger.debug("informer stopped")
    }

    /// Ends the run: no more handlers start, and every handler's buffer is closed so that its
    /// delivery task ends once it has drained.
    private func finishRun() {
        state.withLock { state in
            if case .running(let starter) = state.phase { starter.finish() }
            state.phase = .finished
            for slot in state.handlers { slot.continuation.finish() }
        }
    }

    private static func deliver(_ slot: HandlerSlot) async {
        for await notification in slot.stream {
            switch notification {
            case .event(let event): await slot.handler(event)
            case .synced: slot.registration.synced.set()
            }
        }
    }
}
