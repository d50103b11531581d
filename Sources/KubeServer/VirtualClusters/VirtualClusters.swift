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
    private let clusters = Mutex<[String: VirtualCluster]>([:])
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
        let taken = clusters.withLock { clusters -> Bool in
            guard clusters[id] == nil else { return true }
            clusters[id] = cluster
            return false
        }
        if taken {
            await cluster.stop()
            throw Failure(description: "virtual cluster \"\(id)\" already exists")
        }
        try await cluster.tree.ensureDefaultNamespaces()
        logger.info("virtual cluster created", metadata: ["cluster": "\(id)"])
        return cluster
    }

    public func cluster(_ id: String) -> VirtualCluster? {
        clusters.withLock { $0[id] }
    }

    public var ids: [String] {
        clusters.withLock { Array($0.keys) }.sorted()
    }

    /// Removes the cluster and everything in it (its stored objects too); its clients get 404
    /// from then on.
    public func remove(_ id: String) async {
        guard let cluster = clusters.withLock({ $0.removeValue(forKey: id) }) else { return }
        await cluster.stop()
        if let directory {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: "\(directory)/\(id).db\(suffix)") }
            try? FileManager.default.removeItem(atPath: "\(directory)/\(id).sa-signing.key")
        }
        logger.info("virtual cluster removed", metadata: ["cluster": "\(id)"])
    }

    /// Stops serving every cluster, keeping what is stored (the server is stopping).
    func stopAll() async {
        let all = clusters.withLock { clusters in
            defer { clusters.removeAll() }
            return Array(clusters.values)
        }
        for cluster in all { await cluster.stop() }
    }

    func closeAllWatches() {
        for cluster in clusters.withLock({ Array($0.values) }) { cluster.tree.store.closeAllWatches() }
    }
}
