import KubeModel
import Logging

/// An endless list+watch of one resource: what an informer needs to keep a cache equal to
/// the server's state, with none of the reconnect logic in the informer.
///
/// Iterating it first lists (``Event/relisted(_:resourceVersion:)``), then watches from the
/// list's resourceVersion (``Event/event(_:)`` for `ADDED`, `MODIFIED`, `DELETED`). When a
/// watch ends — the server's timeout, a broken connection, a server restart — it watches
/// again from the last resourceVersion seen (bookmarks included), so no event is lost or
/// repeated; failures are retried after a jittered, capped exponential ``ReconnectBackoff``. When
/// the server no longer has that resourceVersion (410 Gone) it lists again and yields
/// another ``Event/relisted(_:resourceVersion:)``: the consumer replaces its whole cache
/// with those items, since events in between are gone for good.
///
/// The sequence never throws and never ends on its own; it ends when the iterating task is
/// cancelled. All work happens in that task (the watch's body pump aside), so cancelling
/// it stops everything. Bookmarks are consumed here and not yielded.
public struct ResilientWatch: AsyncSequence, Sendable {
    public typealias Element = Event
    public typealias Failure = Never

    /// What the consumer sees.
    public enum Event: Sendable {
        /// The complete current state, from a (re-)list: replace the cache with `items`.
        case relisted([JSONValue], resourceVersion: ResourceVersion)
        /// One change after the last list.
        case event(WatchEventObject)
    }

    /// Tuning of one ``ResilientWatch``.
    public struct Configuration: Sendable {
        /// Restricts list and watch to objects with matching labels.
        public var labelSelector: String?
        /// Restricts list and watch to objects with matching fields.
        public var fieldSelector: String?
        /// Delay between attempts after failures.
        public var backoff: ReconnectBackoff
        /// Each watch asks the server to end it after a random number of seconds in this
        /// range (client-go uses 5–10 minutes), so a silently dead connection is noticed
        /// and many watchers do not reconnect in step.
        public var watchTimeoutSeconds: ClosedRange<Int>
        /// Ask for `BOOKMARK` events, which move the resume point forward while nothing
        /// this watch sees changes, so a reconnect stays inside the server's history.
        public var allowBookmarks: Bool
        /// Told about every failed list or watch before it is retried (for health
        /// reporting); the watch itself keeps going.
        public var onError: (@Sendable (KubeClientError) -> Void)?

        /// Defaults suit a controller: client-go's backoff and timeouts, bookmarks on.
        public init(
            labelSelector: String? = nil, fieldSelector: String? = nil, backoff: ReconnectBackoff = .default,
            watchTimeoutSeconds: ClosedRange<Int> = 300...600, allowBookmarks: Bool = true,
            onError: (@Sendable (KubeClientError) -> Void)? = nil
        ) {
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
            self.backoff = backoff
            self.watchTimeoutSeconds = watchTimeoutSeconds
            self.allowBookmarks = allowBookmarks
            self.onError = onError
        }
    }

    /// The API listed and watched.
    public let api: any KubernetesAPI
    /// The resource listed and watched.
    public let resource: ResourceType
    /// The namespace listed and watched; nil means all namespaces.
    public let namespace: String?
    /// Selectors, backoff and timeouts.
    public let configuration: Configuration
    let logger: Logger

    /// Describes the list+watch; nothing is sent until the sequence is iterated.
    public init(
        _ api: any KubernetesAPI, resource: ResourceType, namespace: String? = nil,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "virtyard.kubeclient.watch")
    ) {
        self.api = api
        self.resource = resource
        self.namespace = namespace
        self.configuration = configuration
        self.logger = logger
    }

    /// Starts a fresh list+watch; each iterator has its own connection and position.
    public func makeAsyncIterator() -> Iterator {
        Iterator(watch: self)
    }

    /// Runs the list/watch state machine, one step per ``next()``.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = Event
        public typealias Failure = Never

        enum State {
            case needsList
            case needsWatch
            case watching(
                AsyncThrowingStream<WatchEventObject, any Error>.AsyncIterator, since: ContinuousClock.Instant,
                delivered: Bool)
        }

        let watch: ResilientWatch
        var state = State.needsList
        /// Where the next watch resumes: the list's resourceVersion, then each event's.
        var resourceVersion: ResourceVersion = ""
        /// Consecutive failures, for the backoff; reset by a delivered event or a watch that ran its course.
        var failures = 0

        init(watch: ResilientWatch) {
            self.watch = watch
        }

        /// The next list or change; nil only once the iterating task is cancelled.
        public mutating func next() async -> Event? {
            while !Task.isCancelled {
                switch state {
                case .needsList:
                    if let listed = await relist() { return listed }
                case .needsWatch:
                    await startWatch()
                case .watching(var events, let since, let delivered):
                    let event: WatchEventObject?
                    do {
                        event = try await events.next()
                    } catch {
                        if Task.isCancelled { return nil }
                        await watchFailed(error)
                        continue
                    }
                    guard let event else {
                        if Task.isCancelled { return nil }
                        // Like client-go: a watch that closed within a second having
                        // delivered nothing is a failure, not a normal end.
                        if !delivered, ContinuousClock.now - since < .seconds(1) {
                            state = .needsWatch
                            await failed(
                                KubeClientError(
                                    code: 0, reason: "ShortWatch",
                                    message: "the watch closed within a second without events",
                                    request: "WATCH \(watch.resource)"))
                        } else {
                            // A watch that ran its course is a success: start the backoff over.
                            state = .needsWatch
                            failures = 0
                        }
                        continue
                    }
                    state = .watching(events, since: since, delivered: true)
                    failures = 0
                    if let version = event.object[path: ["metadata", "resourceVersion"]]?.stringValue, !version.isEmpty {
                        resourceVersion = ResourceVersion(version)
                    }
                    if event.type == .bookmark { continue }
                    return .event(event)
                }
            }
            return nil
        }

        private mutating func relist() async -> Event? {
            let options = ListOptions(
                labelSelector: watch.configuration.labelSelector,
                fieldSelector: watch.configuration.fieldSelector)
            do {
                let list = try await watch.api.list(watch.resource, namespace: watch.namespace, options: options)
                resourceVersion = list.resourceVersion
                state = .needsWatch
                return .relisted(list.items, resourceVersion: list.resourceVersion)
            } catch {
                if !Task.isCancelled { await failed(error) }
                return nil
            }
        }

        private mutating func startWatch() async {
            let configuration = watch.configuration
            let options = ListOptions(
                labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
                resourceVersion: resourceVersion,
                timeoutSeconds: Int.random(in: configuration.watchTimeoutSeconds),
                allowWatchBookmarks: configuration.allowBookmarks)
            do {
                let events = try await watch.api.watch(watch.resource, namespace: watch.namespace, options: options)
                state = .watching(events.makeAsyncIterator(), since: .now, delivered: false)
            } catch {
                if Task.isCancelled { return }
                await watchFailed(error)
            }
        }

        /// A watch could not start or broke: re-list after 410, else resume after a pause.
        private mutating func watchFailed(_ error: any Error) async {
            let failure =
                error as? KubeClientError
                ?? KubeClientError(code: 0, reason: "TransportError", message: "\(error)", request: "WATCH \(watch.resource)")
            if failure.isGone || failure.isTooLargeResourceVersion {
                watch.logger.info(
                    "watch history expired; listing again",
                    metadata: ["resource": "\(watch.resource)", "resourceVersion": "\(resourceVersion)"])
                state = .needsList
                // Right after a list a second 410 means the history is shorter than the
                // time between list and watch; pause rather than spin.
                if failures > 0 { await failed(failure) } else { failures += 1 }
                return
            }
            state = .needsWatch
            await failed(failure)
        }

        /// Reports a failure and waits out the backoff (returning early when cancelled).
        private mutating func failed(_ error: KubeClientError) async {
            failures += 1
            watch.configuration.onError?(error)
            let delay = watch.configuration.backoff.delay(afterFailures: failures)
            watch.logger.warning(
                "list/watch failed; retrying",
                metadata: [
                    "resource": "\(watch.resource)", "error": "\(error)", "retryIn": "\(delay)",
                ])
            try? await Task.sleep(for: delay)
        }
    }
}
