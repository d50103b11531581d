import Foundation
import KubeModel
import Synchronization

/// The API server's storage: every object in memory (the watch cache), made durable by a
/// ``Persistence`` before a write is acknowledged, with a bounded history of events from
/// which watches resume.
///
/// All writes go through ``mutate(_:_:)``, whose decision closure runs under the store's
/// lock: checking a resourceVersion and writing the new object is one atomic step, the way
/// etcd's compare-and-swap backs Kubernetes' optimistic concurrency.
public final class ObjectStore: Sendable {
    struct State {
        var objects: [GroupResource: [NamespacedName: StoredObject]] = [:]
        var resourceVersion: Int64 = 0
        var history: RingBuffer<StoreEvent>
        /// Resource version just before the oldest event in `history`: watches from an
        /// older version get 410 Gone.
        var historyFloor: Int64 = 0
        var watchers: [Int: Watcher] = [:]
        var nextWatcherID = 0
        var uidIndex: [String: ObjectKey] = [:]
        var dependents: [String: Set<ObjectKey>] = [:]
        /// Objects with a deletionTimestamp: what garbage collection revisits.
        var terminating: Set<ObjectKey> = []
    }

    struct NamespacedName: Hashable, Comparable {
        var namespace: String
        var name: String

        static func < (lhs: NamespacedName, rhs: NamespacedName) -> Bool {
            (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
        }
    }

    struct Watcher {
        var filter: WatchFilter
        var continuation: AsyncStream<WatchEvent>.Continuation
    }

    private let state: Mutex<State>
    private let persistence: (any Persistence)?

    /// Events kept for resuming watches.
    public let historyLimit: Int

    /// Opens a store, loading what `persistence` holds. With no persistence the store lives
    /// in memory only (unit tests).
    public init(persistence: (any Persistence)?, historyLimit: Int = 10_000) throws {
        self.persistence = persistence
        self.historyLimit = max(historyLimit, 1)
        var initial = State(history: RingBuffer(capacity: max(historyLimit, 1)))
        if let persistence {
            let snapshot = try persistence.load()
            var highest = snapshot.resourceVersion
            for record in snapshot.objects {
                guard let object = try? JSONValue(parsing: record.body) else { continue }
                let resourceVersion = Int64(object.resourceVersion ?? "") ?? 0
                highest = max(highest, resourceVersion)
                let stored = StoredObject(object: object, bytes: record.body, resourceVersion: resourceVersion)
                initial.objects[record.key.resource, default: [:]][
                    NamespacedName(namespace: record.key.namespace, name: record.key.name)] = stored
                Self.index(&initial, key: record.key, object: object)
            }
            initial.resourceVersion = highest
            initial.historyFloor = highest
        }
        state = Mutex(initial)
    }

    /// The newest resourceVersion written.
    public var currentResourceVersion: Int64 { state.withLock { $0.resourceVersion } }

    // MARK: Reads

    public func get(_ key: ObjectKey) -> StoredObject? {
        state.withLock { $0.objects[key.resource]?[NamespacedName(namespace: key.namespace, name: key.name)] }
    }

    /// Objects of a resource sorted by namespace and name, and the resourceVersion the list
    /// is consistent with. `namespace` nil or empty lists all namespaces.
    public func list(_ resource: GroupResource, namespace: String? = nil) -> (items: [StoredObject], resourceVersion: Int64) {
        let (entries, resourceVersion) = state.withLock { state -> ([(NamespacedName, StoredObject)], Int64) in
            guard let objects = state.objects[resource] else { return ([], state.resourceVersion) }
            if let namespace, !namespace.isEmpty {
                return (objects.filter { $0.key.namespace == namespace }.map { ($0.key, $0.value) }, state.resourceVersion)
            }
            return (objects.map { ($0.key, $0.value) }, state.resourceVersion)
        }
        return (entries.sorted { $0.0 < $1.0 }.map(\.1), resourceVersion)
    }

    /// Every object of every resource, in key order.
    public func allObjects() -> [(key: ObjectKey, object: JSONValue)] {
        let entries = state.withLock { state in
            state.objects.flatMap { resource, objects in
                objects.map { (ObjectKey(resource, namespace: $0.key.namespace, name: $0.key.name), $0.value.object) }
            }
        }
        return entries.sorted { $0.0.description < $1.0.description }.map { (key: $0.0, object: $0.1) }
    }

    /// Number of objects of a resource, optionally in one namespace.
    public func count(_ resource: GroupResource, namespace: String? = nil) -> Int {
        state.withLock { state in
            guard let objects = state.objects[resource] else { return 0 }
            guard let namespace, !namespace.isEmpty else { return objects.count }
            return objects.keys.filter { $0.namespace == namespace }.count
        }
    }

    /// Resources that have at least one object in `namespace`.
    public func resources(inNamespace namespace: String) -> [GroupResource] {
        state.withLock { state in
            state.objects.compactMap { resource, objects in
                objects.keys.contains { $0.namespace == namespace } ? resource : nil
            }
        }
    }

    /// The key of the object with this uid, if it exists.
    public func key(forUID uid: String) -> ObjectKey? {
        state.withLock { $0.uidIndex[uid] }
    }

    /// Objects being deleted (they have a deletionTimestamp), with their current state.
    public func terminatingObjects() -> [(ObjectKey, StoredObject)] {
        state.withLock { state in
            state.terminating.compactMap { key in
                state.objects[key.resource]?[NamespacedName(namespace: key.namespace, name: key.name)].map { (key, $0) }
            }
        }
    }

    /// Objects whose ownerReferences name `uid`.
    public func dependents(ofUID uid: String) -> [ObjectKey] {
        state.withLock { Array($0.dependents[uid] ?? []) }
    }

    // MARK: Writes

    /// Reads the current object (nil if absent), lets `decide` choose what to write, writes
    /// it with the next resourceVersion and returns once it is durable.
    ///
    /// `decide` runs under the store's lock: keep it short and free of I/O.
    @discardableResult
    public func mutate(_ key: ObjectKey, _ decide: (StoredObject?) throws(APIError) -> Mutation) async throws(APIError) -> MutationResult {
        let (result, writtenVersion) = try commit(key, decide)
        if let writtenVersion, let persistence {
            do {
                try await persistence.waitUntilDurable(writtenVersion)
            } catch {
                throw APIError.internalError("storage write failed: \(error)")
            }
        }
        return result
    }

    /// Applies a mutation in memory, records the event and hands the write to persistence.
    private func commit(_ key: ObjectKey, _ decide: (StoredObject?) throws(APIError) -> Mutation) throws(APIError) -> (MutationResult, Int64?) {
        let slot = NamespacedName(namespace: key.namespace, name: key.name)
        // Watchers that fell behind are closed after the lock is released: finishing a stream
        // runs its termination handler at once, and that handler takes this lock.
        var closing: [Watcher] = []
        defer { for watcher in closing { watcher.continuation.finish() } }
        return try state.withLock { (state: inout State) throws(APIError) -> (MutationResult, Int64?) in
            let before = state.objects[key.resource]?[slot]
            switch try decide(before) {
            case .unchanged:
                return (MutationResult(before: before, after: before), nil)
            case .put(var object):
                state.resourceVersion += 1
                let version = state.resourceVersion
                object.resourceVersion = String(version)
                let stored = StoredObject(object: object, bytes: object.serialized(), resourceVersion: version)
                state.objects[key.resource, default: [:]][slot] = stored
                if let before { Self.unindex(&state, key: key, object: before.object) }
                Self.index(&state, key: key, object: object)
                let event = StoreEvent(kind: before == nil ? .added : .modified, key: key, object: stored,
                                       previous: before?.object)
                closing += record(event, in: &state)
                persistence?.enqueue(.put(key, stored.bytes, version))
                return (MutationResult(before: before, after: stored), version)
            case .delete:
                guard let before else { return (MutationResult(before: nil, after: nil), nil) }
                state.resourceVersion += 1
                let version = state.resourceVersion
                state.objects[key.resource]?[slot] = nil
                if state.objects[key.resource]?.isEmpty == true { state.objects[key.resource] = nil }
                Self.unindex(&state, key: key, object: before.object)
                var last = before.object
                last.resourceVersion = String(version)
                let tombstone = StoredObject(object: last, bytes: last.serialized(), resourceVersion: version)
                closing += record(StoreEvent(kind: .deleted, key: key, object: tombstone, previous: before.object), in: &state)
                persistence?.enqueue(.delete(key, version))
                return (MutationResult(before: before, after: nil), version)
            }
        }
    }

    /// Records the event and hands it to every watcher; returns the watchers that could not
    /// take it, removed, for the caller to close once it has released the lock.
    private func record(_ event: StoreEvent, in state: inout State) -> [Watcher] {
        if let evicted = state.history.append(event) {
            state.historyFloor = evicted.resourceVersion
        }
        var overflowed: [Int] = []
        for (id, watcher) in state.watchers {
            guard let visible = watcher.filter.translate(event) else { continue }
            if case .dropped = watcher.continuation.yield(visible) { overflowed.append(id) }
        }
        // A watcher that cannot keep up is closed, as kube-apiserver does; its client
        // re-lists or resumes from the last resourceVersion it saw.
        return overflowed.compactMap { state.watchers.removeValue(forKey: $0) }
    }

    private static func index(_ state: inout State, key: ObjectKey, object: JSONValue) {
        if let uid = object.uid { state.uidIndex[uid] = key }
        if object.deletionTimestamp != nil { state.terminating.insert(key) }
        for owner in object.ownerReferences { state.dependents[owner.uid, default: []].insert(key) }
    }

    private static func unindex(_ state: inout State, key: ObjectKey, object: JSONValue) {
        if let uid = object.uid, state.uidIndex[uid] == key { state.uidIndex[uid] = nil }
        state.terminating.remove(key)
        for owner in object.ownerReferences {
            state.dependents[owner.uid]?.remove(key)
            if state.dependents[owner.uid]?.isEmpty == true { state.dependents[owner.uid] = nil }
        }
    }

    // MARK: Watch

    /// How a watch starts.
    public enum WatchStart: Sendable {
        /// Send the current objects as ADDED events, then changes (no resourceVersion, or "0").
        case currentState
        /// Send every change after this resourceVersion.
        case after(Int64)
    }

    /// Starts a watch. Registration and the replay of history happen under one lock, so no
    /// event falls between them. Events after `start` that the history no longer holds
    /// make this throw 410 Gone.
    public func watch(_ filter: WatchFilter, from start: WatchStart, bufferLimit: Int = 100_000) throws(APIError) -> AsyncStream<WatchEvent> {
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit))
        let id = try state.withLock { (state: inout State) throws(APIError) -> Int in
            switch start {
            case .currentState:
                var initial: [(NamespacedName, StoredObject, GroupResource)] = []
                for (resource, objects) in state.objects where filter.resource == nil || filter.resource == resource {
                    for (slot, object) in objects { initial.append((slot, object, resource)) }
                }
                initial.sort { $0.1.resourceVersion < $1.1.resourceVersion }
                for (slot, object, resource) in initial {
                    let key = ObjectKey(resource, namespace: slot.namespace, name: slot.name)
                    guard filter.admits(key), filter.predicate?(object.object) ?? true else { continue }
                    continuation.yield(WatchEvent(kind: .added, key: key, object: object))
                }
            case .after(let version):
                if version < state.historyFloor {
                    throw APIError(code: 410, reason: .gone,
                                   message: "too old resource version: \(version) (\(state.historyFloor))")
                }
                for event in state.history where event.resourceVersion > version {
                    if let visible = filter.translate(event) { continuation.yield(visible) }
                }
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[id] = Watcher(filter: filter, continuation: continuation)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Number of open watches (for metrics).
    public var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// Ends every watch, so streaming responses finish on shutdown.
    public func closeAllWatches() {
        let watchers = state.withLock { state -> [Watcher] in
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.continuation.finish() }
    }
}
