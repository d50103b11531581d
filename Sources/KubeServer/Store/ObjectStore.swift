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
        var watchers = WatcherRegistry()
        var nextWatcherID = 0
        var uidIndex: [String: StorageKey] = [:]
        var dependents: [String: Set<StorageKey>] = [:]
        /// Objects with a deletionTimestamp: what garbage collection revisits.
        var terminating: Set<StorageKey> = []
        /// Per namespace (absent when empty): what namespace termination reads.
        var namespaceContent: [String: NamespaceContent] = [:]
        var objectCount = 0
        /// Encoded size of every stored object.
        var storedBytes = 0
        var historyBytes = 0
        /// Lists in key order, kept from one list to the next: replaced in place when an
        /// object changes, dropped when one comes or goes. Namespace "" is every namespace.
        var sortedLists: [ListKey: [(key: NamespacedName, object: StoredObject)]] = [:]
        var recentTrees: RecentTrees
    }

    struct ListKey: Hashable {
        var resource: GroupResource
        var namespace: String
    }

    struct NamespacedName: Hashable, Comparable {
        var namespace: String
        var name: String

        static func < (lhs: NamespacedName, rhs: NamespacedName) -> Bool {
            (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
        }
    }

    /// A class: every write walks the watchers of its resource, and copying a reference is
    /// one retain where copying the filter (strings, a closure, paths) was several.
    final class Watcher: Sendable {
        let filter: WatchFilter
        let continuation: AsyncStream<WatchEvent>.Continuation

        init(filter: WatchFilter, continuation: AsyncStream<WatchEvent>.Continuation) {
            self.filter = filter
            self.continuation = continuation
        }
    }

    private let state: Mutex<State>
    /// Watches whose streams ended, to be removed under `state` by the next writer or watch.
    private let endedWatchers = Mutex<[Int]>([])
    /// Each namespace by name, and whether it is terminating. Written under `state`'s lock
    /// and read without it: every namespaced create checks its namespace, and waiting for
    /// `state` there queued it behind the writes of every other request.
    private let namespaceLifecycles: Mutex<[String: NamespaceLifecycle]>
    private let persistence: (any Persistence)?
    /// The Service address allocator's short-lived reservations in this store.
    let addressHolds = AddressHolds()
    /// What readers decoded from stored objects (RBAC bindings and rules, Services' addresses,
    /// ClusterRoles' aggregation), kept so that each version of an object is parsed once, not
    /// on every request.
    let decoded = DecodedViews()

    /// Events kept for resuming watches.
    public let historyLimit: Int
    /// Bytes of events kept for resuming watches: a burst of large objects shortens the
    /// history instead of growing the process.
    public let historyByteLimit: Int
    /// How much this store may hold; nil is unbounded (the host's own store).
    public let quota: StoreQuota?

    /// The largest object stored, encoded: etcd's default request limit, which Kubernetes
    /// users know as the size an object cannot pass.
    public static let maximumObjectBytes = 1_572_864

    /// Encoded bytes of the objects written last whose trees are kept (``RecentTrees``): about
    /// half a megabyte of trees, enough for the runs of writes controllers make on one object.
    static let recentTreeBytes = 128 << 10

    /// Stored records that could not be read back at start-up, moved aside by the
    /// persistence (never dropped): what an operator should look at.
    public let quarantined: [QuarantinedRecord]

    /// Opens a store, loading what `persistence` holds. With no persistence the store lives
    /// in memory only (unit tests).
    public init(
        persistence: (any Persistence)?, historyLimit: Int = 10_000, historyByteLimit: Int = 256 << 20,
        quota: StoreQuota? = nil
    ) throws {
        self.persistence = persistence
        self.historyLimit = max(historyLimit, 1)
        self.historyByteLimit = max(historyByteLimit, 1)
        self.quota = quota
        var initial = State(
            history: RingBuffer(capacity: max(historyLimit, 1)), recentTrees: RecentTrees(byteLimit: Self.recentTreeBytes))
        var quarantinedRecords: [QuarantinedRecord] = []
        var lifecycles: [String: NamespaceLifecycle] = [:]
        if let persistence {
            let snapshot = try persistence.load()
            for record in snapshot.objects {
                var object: JSONValue
                do {
                    object = try JSONValue(parsing: record.body)
                    guard object.objectValue != nil else { throw JSONParseError(offset: 0, reason: "not a JSON object") }
                } catch {
                    // Acknowledged data is never dropped silently: the record is moved to the
                    // quarantine table, where it stays until someone looks at it.
                    let reason = "\(error)"
                    try persistence.quarantine(record, reason: reason)
                    quarantinedRecords.append(QuarantinedRecord(key: record.key, reason: reason))
                    continue
                }
                // The next write of the object removes its row by the version the store holds
                // for it: the row's. A body written by something else may carry another one
                // (or one that is another object's row), so the row's version wins.
                var body = record.body
                if object.resourceVersion != String(record.resourceVersion) {
                    object.resourceVersion = String(record.resourceVersion)
                    body = object.serialized()
                }
                let stored = StoredObject(object: object, bytes: body, resourceVersion: record.resourceVersion)
                initial.objectCount += 1
                initial.storedBytes += body.count
                initial.objects[record.key.resource, default: [:]][
                    NamespacedName(namespace: record.key.namespace, name: record.key.name)] = stored
                Self.index(&initial, key: record.key, metadata: stored.metadata)
                if record.key.resource == Self.namespacesResource {
                    lifecycles[record.key.name] = NamespaceLifecycle(stored.metadata)
                }
            }
            // The persistence's newest version covers every row, quarantined ones too.
            initial.resourceVersion = snapshot.resourceVersion
            initial.historyFloor = snapshot.resourceVersion
        }
        quarantined = quarantinedRecords
        namespaceLifecycles = Mutex(lifecycles)
        state = Mutex(initial)
    }

    /// How many objects the store holds, and their encoded size.
    public var usage: (objects: Int, bytes: Int) { state.withLock { ($0.objectCount, $0.storedBytes) } }

    /// The newest resourceVersion written.
    public var currentResourceVersion: Int64 { state.withLock { $0.resourceVersion } }

    // MARK: Reads

    public func get(_ key: StorageKey) -> StoredObject? {
        state.withLock { state in
            Self.withRecentTree(state.objects[key.resource]?[NamespacedName(namespace: key.namespace, name: key.name)], in: state)
        }
    }

    /// Whether the namespace exists and is being deleted, without waiting for the writes in
    /// progress (a write of the namespace itself shows once its commit is done).
    public func namespaceLifecycle(_ name: String) -> NamespaceLifecycle? {
        namespaceLifecycles.withLock { $0[name] }
    }

    private static let namespacesResource = GroupResource(group: "", resource: "namespaces")

    /// `stored` carrying its tree, when the store still has the tree its writer held.
    private static func withRecentTree(_ stored: StoredObject?, in state: State) -> StoredObject? {
        guard var stored, let tree = state.recentTrees[stored.resourceVersion] else { return stored }
        stored.tree = tree
        return stored
    }

    /// Objects of a resource sorted by namespace and name, and the resourceVersion the list
    /// is consistent with. `namespace` nil or empty lists all namespaces.
    public func list(_ resource: GroupResource, namespace: String? = nil) -> (items: [StoredObject], resourceVersion: Int64) {
        let (entries, resourceVersion) = sortedEntries(resource, namespace: namespace)
        return (entries.map(\.object), resourceVersion)
    }

    /// As ``list(_:namespace:)``, each object with its namespace and name (read without
    /// parsing it).
    func sortedEntries(_ resource: GroupResource, namespace: String? = nil) -> (
        entries: [(key: NamespacedName, object: StoredObject)], resourceVersion: Int64
    ) {
        let listKey = ListKey(resource: resource, namespace: namespace ?? "")
        let (cached, resourceVersion) = state.withLock { state in (state.sortedLists[listKey], state.resourceVersion) }
        if let cached { return (cached, resourceVersion) }
        // Sorted outside the lock, then kept unless a write came in meanwhile.
        let (entries, version) = state.withLock { state -> ([(key: NamespacedName, object: StoredObject)], Int64) in
            guard let objects = state.objects[resource] else { return ([], state.resourceVersion) }
            if !listKey.namespace.isEmpty {
                let matching = objects.lazy.filter { $0.key.namespace == listKey.namespace }
                return (matching.map { (key: $0.key, object: $0.value) }, state.resourceVersion)
            }
            return (objects.map { (key: $0.key, object: $0.value) }, state.resourceVersion)
        }
        let sorted = entries.sorted { $0.key < $1.key }
        // Empty lists are not kept: any namespace name can be asked for, existing or not.
        if !sorted.isEmpty {
            state.withLock { state in
                if state.resourceVersion == version { state.sortedLists[listKey] = sorted }
            }
        }
        return (sorted, version)
    }

    /// Keeps the cached lists a write touches right: a changed object is replaced where it
    /// sits; an object added or removed drops the lists it belongs to.
    private static func updateSortedLists(_ state: inout State, key: StorageKey, slot: NamespacedName, stored: StoredObject?, existed: Bool)
    {
        let keys = [ListKey(resource: key.resource, namespace: key.namespace), ListKey(resource: key.resource, namespace: "")]
        for listKey in keys where state.sortedLists[listKey] != nil {
            guard existed, let stored else {
                state.sortedLists[listKey] = nil
                continue
            }
            state.sortedLists[listKey]!.withUnsafeMutableBufferPointer { entries in
                var low = 0
                var high = entries.count
                while low < high {
                    let middle = (low + high) / 2
                    if entries[middle].key < slot { low = middle + 1 } else { high = middle }
                }
                if low < entries.count, entries[low].key == slot { entries[low].object = stored }
            }
        }
    }

    /// Every object of every resource, in key order, parsed.
    public func allObjects() -> [(key: StorageKey, object: JSONValue)] {
        allStoredObjects().map { (key: $0.key, object: $0.object.object) }
    }

    /// Every stored object of every resource, in key order, as stored (not parsed).
    public func allStoredObjects() -> [(key: StorageKey, object: StoredObject)] {
        let entries = state.withLock { state in
            state.objects.flatMap { resource, objects in
                objects.map { (key: StorageKey(resource, namespace: $0.key.namespace, name: $0.key.name), object: $0.value) }
            }
        }
        return entries.sorted { $0.key.description < $1.key.description }
    }

    /// Number of objects of a resource, optionally in one namespace.
    public func count(_ resource: GroupResource, namespace: String? = nil) -> Int {
        state.withLock { state in
            guard let namespace, !namespace.isEmpty else { return state.objects[resource]?.count ?? 0 }
            return state.namespaceContent[namespace]?.objects[resource] ?? 0
        }
    }

    /// Resources that have at least one object in `namespace`.
    public func resources(inNamespace namespace: String) -> [GroupResource] {
        guard !namespace.isEmpty else {
            return state.withLock { state in
                state.objects.compactMap { resource, objects in objects.keys.contains { $0.namespace.isEmpty } ? resource : nil }
            }
        }
        return Array(content(ofNamespace: namespace).objects.keys)
    }

    /// What `namespace` holds, counted (empty for a namespace with no objects).
    func content(ofNamespace namespace: String) -> NamespaceContent {
        state.withLock { $0.namespaceContent[namespace] ?? NamespaceContent() }
    }

    /// The key of the object with this uid, if it exists.
    public func key(forUID uid: String) -> StorageKey? {
        state.withLock { $0.uidIndex[uid] }
    }

    /// Objects being deleted (they have a deletionTimestamp), with their current state.
    public func terminatingObjects() -> [(StorageKey, StoredObject)] {
        state.withLock { state in
            state.terminating.compactMap { key in
                state.objects[key.resource]?[NamespacedName(namespace: key.namespace, name: key.name)].map { (key, $0) }
            }
        }
    }

    /// Objects whose ownerReferences name `uid`.
    public func dependents(ofUID uid: String) -> [StorageKey] {
        state.withLock { Array($0.dependents[uid] ?? []) }
    }

    // MARK: Writes

    /// Reads the current object (nil if absent), lets `decide` choose what to write, writes
    /// it with the next resourceVersion and returns once it is durable.
    ///
    /// `decide` runs under the store's lock: keep it short and free of I/O.
    @discardableResult
    public func mutate(_ key: StorageKey, _ decide: (StoredObject?) throws(APIError) -> Mutation) async throws(APIError) -> MutationResult {
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
    private func commit(_ key: StorageKey, _ decide: (StoredObject?) throws(APIError) -> Mutation) throws(APIError) -> (
        MutationResult, Int64?
    ) {
        let slot = NamespacedName(namespace: key.namespace, name: key.name)
        // Watchers that fell behind are closed after the lock is released: finishing a stream
        // runs its termination handler at once, and that handler takes this lock.
        var closing: [Watcher] = []
        defer { for watcher in closing { watcher.continuation.finish() } }
        // Trees the write pushes out of the recent ones, freed after the lock is released.
        var forgottenTrees: [JSONValue] = []
        defer { withExtendedLifetime(forgottenTrees) {} }
        return try state.withLock { (state: inout State) throws(APIError) -> (MutationResult, Int64?) in
            let before = Self.withRecentTree(state.objects[key.resource]?[slot], in: state)
            switch try decide(before) {
            case .unchanged:
                return (MutationResult(before: before, after: before), nil)
            case .put(let object):
                return try put(
                    encode(object, key: key), replacing: before, key: key, slot: slot, in: &state, closing: &closing,
                    forgottenTrees: &forgottenTrees)
            case .putEncoded(let encoded):
                return try put(
                    encoded, replacing: before, key: key, slot: slot, in: &state, closing: &closing,
                    forgottenTrees: &forgottenTrees)
            case .delete:
                guard let before else { return (MutationResult(before: nil, after: nil), nil) }
                state.resourceVersion += 1
                let version = state.resourceVersion
                state.objects[key.resource]?[slot] = nil
                if state.objects[key.resource]?.isEmpty == true { state.objects[key.resource] = nil }
                Self.updateSortedLists(&state, key: key, slot: slot, stored: nil, existed: true)
                state.objectCount -= 1
                state.storedBytes -= before.bytes.count
                Self.unindex(&state, key: key, metadata: before.metadata)
                if key.resource == Self.namespacesResource { namespaceLifecycles.withLock { $0[key.name] = nil } }
                var last = before.object
                last.resourceVersion = String(version)
                let tombstone = StoredObject(object: last, bytes: last.serialized(), resourceVersion: version)
                var event = StoreEvent(kind: .deleted, key: key, object: tombstone, previous: before.bytes)
                event.footprint = tombstone.bytes.count + before.bytes.count
                closing += record(event, in: &state, object: last, previous: before.tree)
                persistence?.enqueue(.delete(key, version: version, removing: before.resourceVersion))
                return (MutationResult(before: before, after: nil), version)
            }
        }
    }

    /// Stores `encoded` at the next resourceVersion: indexes, history, watchers,
    /// persistence. Under `state`'s lock.
    private func put(
        _ encoded: EncodedObject, replacing before: StoredObject?, key: StorageKey, slot: NamespacedName,
        in state: inout State, closing: inout [Watcher], forgottenTrees: inout [JSONValue]
    ) throws(APIError) -> (MutationResult, Int64?) {
        let version = state.resourceVersion + 1
        var tree = encoded.object
        tree.resourceVersion = String(version)
        let bytes = encoded.bytes(resourceVersion: version)
        guard bytes.count <= Self.maximumObjectBytes else {
            throw APIError(
                code: 422, reason: .invalid,
                message: "\(key): the object is \(bytes.count) bytes; at most \(Self.maximumObjectBytes) may be stored")
        }
        if let quota {
            try quota.admit(
                adding: before == nil ? 1 : 0, bytes: bytes.count - (before?.bytes.count ?? 0),
                to: (state.objectCount, state.storedBytes), key: key)
        }
        state.resourceVersion = version
        let stored = StoredObject(encoded: encoded, bytes: bytes, resourceVersion: version)
        state.recentTrees.insert(tree, version: version, size: bytes.count, forgotten: &forgottenTrees)
        if before == nil { state.objectCount += 1 }
        state.storedBytes += bytes.count - (before?.bytes.count ?? 0)
        state.objects[key.resource, default: [:]][slot] = stored
        Self.updateSortedLists(&state, key: key, slot: slot, stored: stored, existed: before != nil)
        if let before { Self.unindex(&state, key: key, metadata: before.metadata) }
        Self.index(&state, key: key, metadata: stored.metadata)
        if key.resource == Self.namespacesResource {
            namespaceLifecycles.withLock { $0[key.name] = NamespaceLifecycle(stored.metadata) }
        }
        var event = StoreEvent(kind: before == nil ? .added : .modified, key: key, object: stored, previous: before?.bytes)
        event.footprint = bytes.count + (before?.bytes.count ?? 0)
        closing += record(event, in: &state, object: tree, previous: before?.tree)
        persistence?.enqueue(.put(key, body: stored.bytes, version: version, replacing: before?.resourceVersion))
        var after = stored
        after.tree = tree
        return (MutationResult(before: before, after: after), version)
    }

    /// Encodes `object` for a write to `key`: every put is encoded here, a create's before
    /// it takes the store's lock (``Mutation/putEncoded(_:)``), other writes under it.
    public func encode(_ object: JSONValue, key: StorageKey) throws(APIError) -> EncodedObject {
        // Whatever is stored must parse again at the next start: bounded here, for every path
        // that writes (requests, patches, defaults, restores).
        if object.nestingDepthExceeds(JSONValue.maximumNestingDepth) {
            throw APIError(
                code: 422, reason: .invalid,
                message: "\(key): the object nests deeper than \(JSONValue.maximumNestingDepth) levels")
        }
        var object = object
        // Its value is not written (the slot is); the key makes `metadata` an object holding it.
        object.resourceVersion = ""
        guard let (encoding, slot) = object.serializedWithResourceVersionSlot() else {
            throw APIError.internalError("\(key): its encoding has no resourceVersion to fill in")
        }
        return EncodedObject(
            object: object, encoding: encoding, slot: slot, apiVersion: object.apiVersion, metadata: StoredMetadata(object))
    }

    /// Removes the watches whose streams ended (see `openWatch`). Under `state`'s lock.
    private func removeEndedWatchers(_ state: inout State) {
        let ended = endedWatchers.withLock { ended -> [Int] in
            defer { ended.removeAll() }
            return ended
        }
        for id in ended { state.watchers.remove(id) }
    }

    /// Records the event and hands it to the watchers of its resource (and of every
    /// resource); returns the watchers that could not take it, removed, for the caller to
    /// close once it has released the lock. `object` is the event's object as the writer
    /// holds it, and `previous` the object before when the store had its tree, so predicates
    /// need not parse them again.
    private func record(_ event: StoreEvent, in state: inout State, object: JSONValue, previous: JSONValue?) -> [Watcher] {
        removeEndedWatchers(&state)
        if let evicted = state.history.append(event) {
            state.historyFloor = evicted.resourceVersion
            state.historyBytes -= evicted.footprint
        }
        state.historyBytes += event.footprint
        while state.historyBytes > historyByteLimit, state.history.count > 1, let evicted = state.history.removeFirst() {
            state.historyFloor = evicted.resourceVersion
            state.historyBytes -= evicted.footprint
        }
        var overflowed: [Int] = []
        let trees = EventTrees(event, object: object, previous: previous)
        state.watchers.forEach(watching: event.key.resource) { id, watcher in
            guard let visible = watcher.filter.translate(event, trees: trees) else { return }
            if case .dropped = watcher.continuation.yield(visible) { overflowed.append(id) }
        }
        // A watcher that cannot keep up is closed, as kube-apiserver does; its client
        // re-lists or resumes from the last resourceVersion it saw.
        return overflowed.compactMap { state.watchers.remove($0) }
    }

    private static func index(_ state: inout State, key: StorageKey, metadata: StoredMetadata) {
        if let uid = metadata.uid { state.uidIndex[uid] = key }
        if metadata.isTerminating { state.terminating.insert(key) }
        for owner in metadata.ownerUIDs { state.dependents[owner, default: []].insert(key) }
        if !key.namespace.isEmpty { state.namespaceContent[key.namespace, default: NamespaceContent()].add(key.resource, metadata) }
    }

    private static func unindex(_ state: inout State, key: StorageKey, metadata: StoredMetadata) {
        if let uid = metadata.uid, state.uidIndex[uid] == key { state.uidIndex[uid] = nil }
        state.terminating.remove(key)
        for owner in metadata.ownerUIDs {
            state.dependents[owner]?.remove(key)
            if state.dependents[owner]?.isEmpty == true { state.dependents[owner] = nil }
        }
        if !key.namespace.isEmpty, var content = state.namespaceContent.removeValue(forKey: key.namespace) {
            content.remove(key.resource, metadata)
            if !content.isEmpty { state.namespaceContent[key.namespace] = content }
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
    public func watch(_ filter: WatchFilter, from start: WatchStart, bufferLimit: Int = 100_000) throws(APIError) -> AsyncStream<WatchEvent>
    {
        try openWatch(filter, from: start, bufferLimit: bufferLimit).events
    }

    /// An open watch: its events, and the handle for asking it for bookmarks.
    public struct WatchRegistration: Sendable {
        public let events: AsyncStream<WatchEvent>
        let id: Int
    }

    /// Puts a BOOKMARK stamped with the current resourceVersion into the watch's stream,
    /// behind every event already queued for it. Stamped anywhere else, a bookmark could
    /// overtake events still in flight, and a client resuming from it would skip them.
    public func requestBookmark(_ registration: WatchRegistration) {
        state.withLock { state in
            guard let watcher = state.watchers[registration.id] else { return }
            let version = state.resourceVersion
            _ = watcher.continuation.yield(
                WatchEvent(
                    kind: .bookmark, key: nil,
                    object: StoredObject(object: [:], bytes: [], resourceVersion: version)))
        }
    }

    /// Starts a watch (see ``watch(_:from:bufferLimit:)``) that can be asked for bookmarks.
    public func openWatch(_ filter: WatchFilter, from start: WatchStart, bufferLimit: Int = 100_000) throws(APIError) -> WatchRegistration {
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
                    let key = StorageKey(resource, namespace: slot.namespace, name: slot.name)
                    guard filter.admits(key), filter.admits(object) else { continue }
                    continuation.yield(WatchEvent(kind: .added, key: key, object: object))
                }
            case .after(let version):
                if version < state.historyFloor {
                    throw APIError(
                        code: 410, reason: .gone,
                        message: "too old resource version: \(version) (\(state.historyFloor))")
                }
                for event in state.history where event.resourceVersion > version {
                    if let visible = filter.translate(event) { continuation.yield(visible) }
                }
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            removeEndedWatchers(&state)
            state.watchers.insert(Watcher(filter: filter, continuation: continuation), id: id)
            return id
        }
        // Not the store's lock: a stream ends here when its consumer's task is cancelled, and
        // the runtime calls this holding that task's status lock, while a writer holding the
        // store's lock may be yielding to the same task, which takes that status lock — both
        // would wait for ever (seen as `serve` freezing on SIGTERM during a burst of writes).
        // The watcher is removed by the next writer or watch instead.
        continuation.onTermination = { [weak self] _ in
            self?.endedWatchers.withLock { $0.append(id) }
        }
        return WatchRegistration(events: stream, id: id)
    }

    /// Runs `body` on the store's state under its lock: for tests that look inside.
    func withState<Result: Sendable>(_ body: (inout State) -> sending Result) -> sending Result {
        state.withLock { state in body(&state) }
    }

    /// Number of open watches (for metrics).
    public var watcherCount: Int {
        state.withLock { state in
            removeEndedWatchers(&state)
            return state.watchers.count
        }
    }

    /// Ends every watch, so streaming responses finish on shutdown.
    public func closeAllWatches() {
        let watchers = state.withLock { state -> [Watcher] in state.watchers.removeAll() }
        for watcher in watchers { watcher.continuation.finish() }
    }
}
