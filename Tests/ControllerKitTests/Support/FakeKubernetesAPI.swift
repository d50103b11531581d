import KubeClient
import KubeModel
import Synchronization

/// An in-memory ``KubernetesAPI`` with the semantics ControllerKit relies on: monotonic
/// resourceVersions, 409 on stale updates and duplicate creates, label selectors, paged lists,
/// and watches replayed from a history that can be compacted (410 Gone) — plus knobs to
/// break things on purpose (close watch streams, hold new watches, fail or delay writes).
final class FakeKubernetesAPI: KubernetesAPI {
    enum Verb: String, Sendable {
        case create, update, delete
    }

    /// Runs before a write is applied; returning an error fails the write with it.
    typealias WriteHook = @Sendable (Verb, ResourceType, JSONValue) async -> KubeClientError?

    private struct StoreKey: Hashable {
        var resource: String
        var namespace: String?
        var name: String
    }

    private struct HistoryEvent {
        var resourceVersion: Int
        var resource: String
        var event: WatchEventObject
    }

    private struct Watcher {
        var resource: String
        var namespace: String?
        var selector: LabelSelector
        var fieldSelector: FieldSelector
        var continuation: AsyncThrowingStream<WatchEventObject, any Error>.Continuation
    }

    private struct State {
        var objects: [StoreKey: JSONValue] = [:]
        var resourceVersion = 100
        var history: [HistoryEvent] = []
        /// Watches from a resourceVersion older than this fail with 410.
        var oldestWatchable = 0
        var watchers: [UInt64: Watcher] = [:]
        var nextWatcherID: UInt64 = 0
        var listCalls = 0
        var watchCalls = 0
        var conflicts = 0
        var failWatches = 0
        var goneAsErrorEvent = false
        var watchesHeld = false
        var heldWatchers: [CheckedContinuation<Void, Never>] = []
        var writeHook: WriteHook?
    }

    private let state = Mutex(State())

    init() {}

    // MARK: Knobs and counters

    var listCalls: Int { state.withLock { $0.listCalls } }
    var watchCalls: Int { state.withLock { $0.watchCalls } }
    var conflicts: Int { state.withLock { $0.conflicts } }
    var openWatches: Int { state.withLock { $0.watchers.count } }
    var currentResourceVersion: ResourceVersion { state.withLock { ResourceVersion(String($0.resourceVersion)) } }

    /// Makes the next `count` watch calls fail with a 500.
    func failNextWatches(_ count: Int) { state.withLock { $0.failWatches = count } }

    /// Reports an expired resourceVersion as an `ERROR` event (as kube-apiserver's watch cache
    /// does) instead of failing the watch call.
    func reportGoneAsErrorEvent(_ flag: Bool) { state.withLock { $0.goneAsErrorEvent = flag } }

    func setWriteHook(_ hook: WriteHook?) { state.withLock { $0.writeHook = hook } }

    /// New watch calls wait until ``releaseWatches()``.
    func holdWatches() { state.withLock { $0.watchesHeld = true } }

    func releaseWatches() {
        let waiting = state.withLock { state in
            state.watchesHeld = false
            defer { state.heldWatchers = [] }
            return state.heldWatchers
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Ends every open watch stream, as a server restart or a watch timeout does.
    func closeAllWatches() {
        let continuations = state.withLock { state in
            defer { state.watchers = [:] }
            return state.watchers.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }

    /// Forgets the history: every watch from a resourceVersion issued so far gets 410.
    func compactHistory() {
        state.withLock { state in
            state.oldestWatchable = state.resourceVersion + 1
            state.history = []
        }
    }

    /// Sends a BOOKMARK carrying a fresh resourceVersion to every watcher of `resource`.
    func sendBookmark(_ resource: ResourceType) -> ResourceVersion {
        state.withLock { state in
            state.resourceVersion += 1
            let version = String(state.resourceVersion)
            let bookmark = WatchEventObject(
                type: .bookmark,
                object: [
                    "kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion),
                    "metadata": ["resourceVersion": .string(version)],
                ])
            for watcher in state.watchers.values where watcher.resource == resource.description {
                watcher.continuation.yield(bookmark)
            }
            return ResourceVersion(version)
        }
    }

    /// The stored object, without going through the protocol.
    func object(_ resource: ResourceType, namespace: String?, name: String) -> JSONValue? {
        state.withLock { $0.objects[StoreKey(resource: resource.description, namespace: namespace, name: name)] }
    }

    // MARK: KubernetesAPI

    func get(_ resource: ResourceType, namespace: String?, name: String, subresource: String?) async throws(KubeClientError) -> JSONValue {
        let key = StoreKey(resource: resource.description, namespace: namespace, name: name)
        guard let object = state.withLock({ $0.objects[key] }) else {
            throw Self.error(404, "NotFound", "\(resource) \"\(name)\" not found", "GET")
        }
        return object
    }

    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList {
        let selector = try Self.labelSelector(options.labelSelector)
        let fieldSelector = try Self.fieldSelector(options.fieldSelector)
        return state.withLock { state in
            state.listCalls += 1
            let all = state.objects
                .filter { key, object in
                    key.resource == resource.description && (namespace == nil || key.namespace == namespace)
                        && selector.matches(object.labels) && fieldSelector.matches(object)
                }
                .sorted { ($0.key.namespace ?? "", $0.key.name) < ($1.key.namespace ?? "", $1.key.name) }
                .map(\.value)
            let start = options.continueToken.flatMap { Int($0) } ?? 0
            guard let limit = options.limit, start + limit < all.count else {
                return ObjectList(
                    items: Array(all[min(start, all.count)...]), resourceVersion: ResourceVersion(String(state.resourceVersion)))
            }
            return ObjectList(
                items: Array(all[start..<start + limit]), resourceVersion: ResourceVersion(String(state.resourceVersion)),
                continueToken: String(start + limit))
        }
    }

    func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        throw Self.error(404, "NotFound", "the fake serves no subresource \(subresource)", "POST")
    }

    func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        if let failure = await runWriteHook(.create, resource, object) { throw failure }
        return try state.withLock { state throws(KubeClientError) in
            guard let name = object.name else { throw Self.error(422, "Invalid", "name is required", "POST") }
            let key = StoreKey(resource: resource.description, namespace: namespace, name: name)
            guard state.objects[key] == nil else {
                state.conflicts += 1
                throw Self.error(409, "AlreadyExists", "\(resource) \"\(name)\" already exists", "POST")
            }
            var stored = object
            state.resourceVersion += 1
            stored.resourceVersion = String(state.resourceVersion)
            stored.uid = "uid-\(name)-\(state.resourceVersion)"
            if let namespace { stored.namespace = namespace }
            state.objects[key] = stored
            Self.record(.added, stored, resource: resource, in: &state)
            return stored
        }
    }

    func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions)
        async throws(KubeClientError) -> JSONValue
    {
        if let failure = await runWriteHook(.update, resource, object) { throw failure }
        return try state.withLock { state throws(KubeClientError) in
            guard let name = object.name else { throw Self.error(422, "Invalid", "name is required", "PUT") }
            let key = StoreKey(resource: resource.description, namespace: namespace, name: name)
            guard let current = state.objects[key] else {
                throw Self.error(404, "NotFound", "\(resource) \"\(name)\" not found", "PUT")
            }
            if let expected = object.resourceVersion, !expected.isEmpty, expected != current.resourceVersion {
                state.conflicts += 1
                throw Self.error(
                    409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again", "PUT")
            }
            var stored = object
            state.resourceVersion += 1
            stored.resourceVersion = String(state.resourceVersion)
            stored.uid = current.uid
            if let namespace { stored.namespace = namespace }
            state.objects[key] = stored
            Self.record(.modified, stored, resource: resource, in: &state)
            return stored
        }
    }

    func patch(
        _ resource: ResourceType, namespace: String?, name: String, patch: JSONValue, type: PatchType, subresource: String?,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        var current = try await get(resource, namespace: namespace, name: name, subresource: subresource)
        current = MergePatch.apply(patch, to: current)
        current.resourceVersion = nil
        return try await update(resource, namespace: namespace, object: current, subresource: subresource, options: options)
    }

    func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        let key = StoreKey(resource: resource.description, namespace: namespace, name: name)
        if let existing = state.withLock({ $0.objects[key] }), let failure = await runWriteHook(.delete, resource, existing) {
            throw failure
        }
        return try state.withLock { state throws(KubeClientError) in
            guard var removed = state.objects.removeValue(forKey: key) else {
                throw Self.error(404, "NotFound", "\(resource) \"\(name)\" not found", "DELETE")
            }
            state.resourceVersion += 1
            removed.resourceVersion = String(state.resourceVersion)
            Self.record(.deleted, removed, resource: resource, in: &state)
            return removed
        }
    }

    func watch(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> AsyncThrowingStream<
        WatchEventObject, any Error
    > {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let held = state.withLock { state in
                state.watchCalls += 1
                if state.watchesHeld { state.heldWatchers.append(continuation) }
                return state.watchesHeld
            }
            if !held { continuation.resume() }
        }
        let selector = try Self.labelSelector(options.labelSelector)
        let fieldSelector = try Self.fieldSelector(options.fieldSelector)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEventObject.self)
        let id = try state.withLock { state throws(KubeClientError) -> UInt64 in
            if state.failWatches > 0 {
                state.failWatches -= 1
                throw Self.error(500, "InternalError", "injected watch failure", "GET watch")
            }
            let from = options.resourceVersion.flatMap { Int($0.rawValue) } ?? state.resourceVersion
            if from < state.oldestWatchable - 1 {
                guard state.goneAsErrorEvent else {
                    throw Self.error(410, "Expired", "too old resource version: \(from)", "GET watch")
                }
                continuation.yield(
                    WatchEventObject(
                        type: .error,
                        object: [
                            "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired", "code": 410,
                            "message": .string("too old resource version: \(from)"),
                        ]))
                continuation.finish()
                return UInt64.max
            }
            for past in state.history where past.resourceVersion > from && past.resource == resource.description {
                if Self.matches(past.event.object, namespace: namespace, selector, fieldSelector) {
                    continuation.yield(past.event)
                }
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[id] = Watcher(
                resource: resource.description, namespace: namespace, selector: selector,
                fieldSelector: fieldSelector, continuation: continuation)
            return id
        }
        if id != UInt64.max {
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
            }
        }
        return stream
    }

    // MARK: Helpers

    /// Creates (or replaces) an object directly, as another client would.
    @discardableResult
    func put(_ resource: ResourceType, _ object: JSONValue) async -> JSONValue {
        let namespace = resource.namespaced ? object.namespace : nil
        var object = object
        object.resourceVersion = nil
        do {
            return try await update(resource, namespace: namespace, object: object, subresource: nil, options: .default)
        } catch {
            do {
                return try await create(resource, namespace: namespace, object: object, options: .default)
            } catch {
                return .null
            }
        }
    }

    private func runWriteHook(_ verb: Verb, _ resource: ResourceType, _ object: JSONValue) async -> KubeClientError? {
        guard let hook = state.withLock({ $0.writeHook }) else { return nil }
        return await hook(verb, resource, object)
    }

    private static func record(
        _ type: WatchEventObject.EventType, _ object: JSONValue, resource: ResourceType,
        in state: inout State
    ) {
        let event = WatchEventObject(type: type, object: object)
        state.history.append(HistoryEvent(resourceVersion: state.resourceVersion, resource: resource.description, event: event))
        for watcher in state.watchers.values where watcher.resource == resource.description {
            if matches(object, namespace: watcher.namespace, watcher.selector, watcher.fieldSelector) {
                watcher.continuation.yield(event)
            }
        }
    }

    private static func matches(
        _ object: JSONValue, namespace: String?, _ selector: LabelSelector,
        _ fieldSelector: FieldSelector
    ) -> Bool {
        (namespace == nil || object.namespace == namespace) && selector.matches(object.labels) && fieldSelector.matches(object)
    }

    private static func labelSelector(_ text: String?) throws(KubeClientError) -> LabelSelector {
        do {
            return try LabelSelector(parsing: text ?? "")
        } catch {
            throw Self.error(400, "BadRequest", "\(error)", "GET")
        }
    }

    private static func fieldSelector(_ text: String?) throws(KubeClientError) -> FieldSelector {
        do {
            return try FieldSelector(parsing: text ?? "")
        } catch {
            throw Self.error(400, "BadRequest", "\(error)", "GET")
        }
    }

    static func error(_ code: Int, _ reason: String, _ message: String, _ request: String) -> KubeClientError {
        KubeClientError(code: code, reason: reason, message: message, request: request)
    }
}
