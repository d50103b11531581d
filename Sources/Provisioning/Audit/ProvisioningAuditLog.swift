import Foundation
import KubeClient
import KubeModel
import Synchronization

/// The persisted audit log (`GET /api/v1/safety/audit`): entries are objects in the API
/// (so they survive `kill -9` and are shared by every replica), newest kept up to a bound.
///
/// Each entry is an `AuditEntry` (`auditentries.virtyard.io`) named
/// `audit-<time to the millisecond>-<random>`, so that the names sort in time order. The log
/// keeps the newest ``maximumEntries``: every ``pruneInterval``-th write from this log lists
/// the entries and deletes the oldest beyond the bound (one list per hundred writes rather
/// than one per write).
public struct ProvisioningAuditLog: Sendable {
    /// moxxie kept 1,000 entries in memory; a persisted log can afford more.
    public static let defaultMaximumEntries = 10_000

    let api: any KubernetesAPI
    let namespace: String
    let maximumEntries: Int
    let pruneInterval: Int
    private let writes = WriteCounter()

    public init(api: any KubernetesAPI, namespace: String = ProvisioningObjects.defaultNamespace) {
        self.init(api: api, namespace: namespace, maximumEntries: Self.defaultMaximumEntries)
    }

    /// - Parameter maximumEntries: the bound (tests use a small one); checked every
    ///   `maximumEntries / 100` writes, at least every write.
    public init(api: any KubernetesAPI, namespace: String, maximumEntries: Int) {
        self.api = api
        self.namespace = namespace
        self.maximumEntries = max(1, maximumEntries)
        self.pruneInterval = max(1, maximumEntries / 100)
    }

    /// Appends `entry`. Never throws for a full log: the oldest entries go.
    public func record(_ entry: AuditEntry) async throws(KubeClientError) {
        var random = SystemRandomNumberGenerator()
        let name = AuditEntry.objectName(for: entry.timestamp, random: &random)
        let object = entry.object(name: name, namespace: namespace)
        do {
            _ = try await api.create(.auditEntries, namespace: namespace, object: object)
        } catch {
            guard error.isNotFound else { throw error }
            // The namespace does not exist yet (the first entry of a new installation).
            try await ProvisioningNamespace.ensure(namespace, api: api)
            _ = try await api.create(.auditEntries, namespace: namespace, object: object)
        }
        if writes.next() % pruneInterval == 0 {
            try await prune()
        }
    }

    /// Entries at or after `since`, oldest first, at most `limit`.
    public func entries(since: Date?, limit: Int) async throws(KubeClientError) -> [AuditEntry] {
        guard limit > 0 else { return [] }
        let entries = try await sortedObjects().compactMap(AuditEntry.init(object:))
        let selected = since.map { since in entries.filter { $0.timestamp >= since } } ?? entries
        return Array(selected.prefix(limit))
    }

    /// Deletes the oldest entries beyond ``maximumEntries``.
    func prune() async throws(KubeClientError) {
        let objects = try await sortedObjects()
        guard objects.count > maximumEntries else { return }
        for object in objects.prefix(objects.count - maximumEntries) {
            guard let name = object.name else { continue }
            do {
                try await api.delete(.auditEntries, namespace: namespace, name: name)
            } catch {
                // Another writer may have pruned it first.
                guard error.isNotFound else { throw error }
            }
        }
    }

    /// Every entry object, oldest first (by name, which starts with the time).
    private func sortedObjects() async throws(KubeClientError) -> [JSONValue] {
        let items: [JSONValue]
        do {
            items = try await api.list(.auditEntries, namespace: namespace).items
        } catch {
            // No namespace yet: nothing was ever recorded.
            guard error.isNotFound else { throw error }
            return []
        }
        return items.sorted { ($0.name ?? "") < ($1.name ?? "") }
    }
}

/// How many entries this log has written, shared by its copies.
private final class WriteCounter: Sendable {
    private let count = Mutex(0)

    func next() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
}

/// The namespace REST-provisioned clusters, their operations and the audit log live in.
enum ProvisioningNamespace {
    /// Creates `name` when it does not exist.
    static func ensure(_ name: String, api: any KubernetesAPI) async throws(KubeClientError) {
        do {
            _ = try await api.get(.namespaces, name: name)
            return
        } catch {
            guard error.isNotFound else { throw error }
        }
        let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
        do {
            _ = try await api.create(.namespaces, object: namespace)
        } catch {
            // Created meanwhile by another request.
            guard error.isAlreadyExists else { throw error }
        }
    }
}
