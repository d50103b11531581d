import Foundation
import KubeModel
import Logging
import Synchronization

/// The virtual clusters of one embedded server, by id.
public final class VirtualClusters: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let historyLimit: Int
    /// Where each cluster's `<id>.db` lives; nil keeps them in memory.
    let directory: String?
    let logger: Logger
    /// The CA the lab kubeconfigs trust: what each cluster's `kube-root-ca.crt` publishes.
    let rootCAPEM: String?
    /// The clusters served, and who is told when one comes or goes; one lock, so an observer
    /// sees every change exactly once and in order.
    private let clusters = Mutex(Served())
    /// Clusters being created, so that concurrent callers of ``ensure(id:quota:)`` share one
    /// creation instead of opening the same database twice.
    private let creating = Mutex<[String: AsyncValue<VirtualCluster>]>([:])

    init(historyLimit: Int, directory: String?, rootCAPEM: String? = nil, logger: Logger) {
        self.historyLimit = historyLimit
        self.rootCAPEM = rootCAPEM
        self.directory = directory
        self.logger = logger
    }

    /// The cluster `id`, created (or loaded from its database) if this server does not serve
    /// it yet. Concurrent calls for one id wait for the same creation.
    public func ensure(id: String, quota: StoreQuota = .virtualClusterDefault) async throws -> VirtualCluster {
        if let existing = cluster(id) { return existing }
        let (pending, isCreator) = creating.withLock { creating -> (AsyncValue<VirtualCluster>, Bool) in
            if let pending = creating[id] { return (pending, false) }
            let pending = AsyncValue<VirtualCluster>()
            creating[id] = pending
            return (pending, true)
        }
        guard isCreator else { return try await pending.wait() }
        defer { _ = creating.withLock { $0.removeValue(forKey: id) } }
        do {
            let created: VirtualCluster
            if let existing = cluster(id) {
                created = existing
            } else {
                created = try await create(id: id, tokens: [], quota: quota)
            }
            pending.set(created)
            return created
        } catch {
            pending.fail(error)
            throw error
        }
    }

    /// A new, empty cluster (default namespaces only) admitting `tokens`.
    public func create(id: String, tokens: Set<String>, quota: StoreQuota = .virtualClusterDefault) async throws -> VirtualCluster {
        guard NameValidation.dnsLabel(id) == nil else {
            throw Failure(description: "virtual cluster id \"\(id)\" must be a DNS label (lower-case letters, digits, '-')")
        }
        guard cluster(id) == nil else { throw Failure(description: "virtual cluster \"\(id)\" already exists") }
        var persistence: SQLitePersistence?
        if let directory {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            persistence = try SQLitePersistence(path: "\(directory)/\(id).db")
        }
        let cluster = try VirtualCluster(
            id: id, tokens: TokenSet(tokens), persistence: persistence,
            historyLimit: historyLimit, quota: quota, rootCAPEM: rootCAPEM,
            serviceAccountKeyPath: directory.map { "\($0)/\(id).sa-signing.key" }, logger: logger)
        let taken = clusters.withLock { served -> Bool in
            guard served.byID[id] == nil else { return true }
            served.byID[id] = cluster
            served.notify(.added(cluster))
            return false
        }
        if taken {
            await cluster.stop()
            throw Failure(description: "virtual cluster \"\(id)\" already exists")
        }
        // The control-plane node's address (the first node of a lab cluster).
        try await cluster.tree.ensureDefaultNamespaces(apiServerAddress: "192.168.122.10")
        logger.info("virtual cluster created", metadata: ["cluster": "\(id)"])
        return cluster
    }

    public func cluster(_ id: String) -> VirtualCluster? {
        clusters.withLock { $0.byID[id] }
    }

    /// Whether cluster `id` is served, or kept in the data directory by an earlier run
    /// (``ensure(id:quota:)`` then loads it rather than making an empty one).
    public func exists(_ id: String) -> Bool {
        if cluster(id) != nil { return true }
        guard let directory, NameValidation.dnsLabel(id) == nil else { return false }
        return FileManager.default.fileExists(atPath: "\(directory)/\(id).db")
    }

    public var ids: [String] {
        clusters.withLock { Array($0.byID.keys) }.sorted()
    }

    /// Brings cluster `id` back to `snapshot` (``VirtualCluster/restore(_:)``) with its
    /// controllers stopped meanwhile, as a real cluster's control plane is down while its
    /// etcd is restored: a controller working on the old state would write into the new one.
    public func restore(_ id: String, to snapshot: VirtualCluster.Snapshot) async throws {
        guard let cluster = cluster(id) else { throw Failure(description: "no virtual cluster \"\(id)\"") }
        let quiescer = quiescer.withLock { $0 }
        await quiescer?.quiesce(id)
        defer { quiescer?.resume(id) }
        try await cluster.restore(snapshot)
    }

    /// Who stops and restarts the clusters' controllers around a restore; set once by the
    /// server that runs them.
    public func setQuiescer(_ quiescer: any VirtualClusterQuiescing) {
        self.quiescer.withLock { $0 = quiescer }
    }

    private let quiescer = Mutex<(any VirtualClusterQuiescing)?>(nil)

    /// A cluster coming or going, as ``observe(_:)`` reports it.
    public enum Change: Sendable {
        case added(VirtualCluster)
        case removed(id: String)
    }

    /// Calls `handler` with `.added` for every cluster served now, then for every change until
    /// the returned observation is cancelled. The handler runs under this object's lock: it
    /// must only hand the change on (yield it into a stream), never wait.
    public func observe(_ handler: @escaping @Sendable (Change) -> Void) -> Observation {
        let id = clusters.withLock { served in
            let id = served.nextObserver
            served.nextObserver += 1
            served.observers[id] = handler
            for cluster in served.byID.values.sorted(by: { $0.id < $1.id }) { handler(.added(cluster)) }
            return id
        }
        return Observation { [weak self] in _ = self?.clusters.withLock { $0.observers.removeValue(forKey: id) } }
    }

    /// Ends an ``observe(_:)`` registration.
    public struct Observation: Sendable {
        let end: @Sendable () -> Void

        public func cancel() { end() }
    }

    struct Served {
        var byID: [String: VirtualCluster] = [:]
        var observers: [Int: @Sendable (Change) -> Void] = [:]
        var nextObserver = 0

        func notify(_ change: Change) {
            for observer in observers.values { observer(change) }
        }
    }

    /// Removes the cluster and everything in it (its stored objects too); its clients get 404
    /// from then on.
    public func remove(_ id: String) async {
        let removed = clusters.withLock { served -> VirtualCluster? in
            guard let cluster = served.byID.removeValue(forKey: id) else { return nil }
            served.notify(.removed(id: id))
            return cluster
        }
        guard let cluster = removed else { return }
        await cluster.stop()
        if let directory {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(directory)/\(id).db\(suffix)") }
            try? FileManager.default.removeItem(atPath: "\(directory)/\(id).sa-signing.key")
        }
        logger.info("virtual cluster removed", metadata: ["cluster": "\(id)"])
    }

    /// Stops serving every cluster, keeping what is stored (the server is stopping).
    func stopAll() async {
        let all = clusters.withLock { served in
            defer { served.byID.removeAll() }
            for id in served.byID.keys { served.notify(.removed(id: id)) }
            return Array(served.byID.values)
        }
        for cluster in all { await cluster.stop() }
    }

    func closeAllWatches() {
        for cluster in clusters.withLock({ Array($0.byID.values) }) { cluster.tree.store.closeAllWatches() }
    }
}

/// Stops a virtual cluster's controllers (and waits until they have) and starts them again:
/// what ``VirtualClusters/restore(_:to:)`` needs of whoever runs them.
public protocol VirtualClusterQuiescing: Sendable {
    func quiesce(_ id: String) async
    func resume(_ id: String)
}
