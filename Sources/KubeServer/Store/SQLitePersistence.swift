import Foundation
import GRDB
import KubeModel
import Synchronization

/// Objects in one SQLite database (WAL mode), the way k3s keeps Kubernetes in SQLite.
///
/// Group commit: the first writer to wait becomes the leader and writes every operation
/// queued so far in one transaction; writers arriving meanwhile wait for the next batch,
/// which the same leader writes before it returns. Under load one transaction carries many
/// writes; alone, a write commits at once.
public final class SQLitePersistence: Persistence {
    private struct State {
        var pending: [PersistedOperation] = []
        var durableVersion: Int64 = 0
        var flushing = false
        var waiters: [(version: Int64, continuation: CheckedContinuation<Void, any Error>)] = []
        var failure: (any Error)?
    }

    private let database: DatabaseQueue
    private let state = Mutex(State())
    private let batchSizes = Mutex<(batches: Int, operations: Int)>((0, 0))

    /// Opens (creating if needed) the database at `path`.
    ///
    /// `synchronous = NORMAL` with WAL keeps every committed write across a crash of the
    /// process (`kill -9`); `fsync: true` makes each commit also survive power loss.
    public init(path: String, fsync: Bool = false) throws {
        var configuration = Configuration()
        configuration.label = "virtyard-store"
        configuration.prepareDatabase { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = \(fsync ? "FULL" : "NORMAL")")
            // The store serves every read from memory and reads the database only at start-up:
            // the cache need hold little more than the B-tree's interior pages for the writes.
            try db.execute(sql: "PRAGMA cache_size = -512")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS objects (
                        resource TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        resource_version INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (resource, namespace, name)
                    ) WITHOUT ROWID;
                    CREATE TABLE IF NOT EXISTS store_state (
                        key TEXT PRIMARY KEY NOT NULL,
                        value INTEGER NOT NULL
                    );
                    CREATE TABLE IF NOT EXISTS quarantined_objects (
                        resource TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        body BLOB NOT NULL,
                        reason TEXT NOT NULL,
                        quarantined_at TEXT NOT NULL
                    );
                    """)
        }
    }

    public func load() throws -> PersistedSnapshot {
        try database.read { db in
            var records: [PersistedSnapshot.Record] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT resource, namespace, name, body FROM objects")
            while let row = try rows.next() {
                let resource: String = row["resource"]
                let body: Data = row["body"]
                records.append(
                    PersistedSnapshot.Record(
                        key: StorageKey(Self.groupResource(from: resource), namespace: row["namespace"], name: row["name"]),
                        body: Array(body)))
            }
            let version = try Int64.fetchOne(db, sql: "SELECT value FROM store_state WHERE key = 'resourceVersion'") ?? 0
            state.withLock { $0.durableVersion = version }
            return PersistedSnapshot(objects: records, resourceVersion: version)
        }
    }

    /// Moves the record into `quarantined_objects` (bytes, reason and time kept), in one
    /// transaction, so it no longer blocks the start and can still be recovered by hand.
    public func quarantine(_ key: StorageKey, reason: String) throws {
        try database.write { db in
            let arguments: StatementArguments = [key.resource.description, key.namespace, key.name]
            try db.execute(
                sql: """
                    INSERT INTO quarantined_objects (resource, namespace, name, body, reason, quarantined_at)
                    SELECT resource, namespace, name, body, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM objects
                    WHERE resource = ? AND namespace = ? AND name = ?
                    """, arguments: [reason] + arguments)
            try db.execute(sql: "DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?", arguments: arguments)
        }
    }

    public func enqueue(_ operation: PersistedOperation) {
        state.withLock { $0.pending.append(operation) }
    }

    public func waitUntilDurable(_ version: Int64) async throws {
        enum Role { case done, leader, follower }
        let role = try state.withLock { state throws -> Role in
            if let failure = state.failure { throw failure }
            if state.durableVersion >= version { return .done }
            if state.flushing { return .follower }
            state.flushing = true
            return .leader
        }
        switch role {
        case .done:
            return
        case .follower:
            try await withCheckedThrowingContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.durableVersion >= version { return true }
                    state.waiters.append((version, continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        case .leader:
            try await flushAsLeader()
        }
    }

    /// Writes batches until nothing is pending, waking each waiter whose write is in.
    private func flushAsLeader() async throws {
        while true {
            let batch = state.withLock { state -> [PersistedOperation] in
                defer { state.pending.removeAll(keepingCapacity: true) }
                return state.pending
            }
            if batch.isEmpty {
                let finished = state.withLock { state -> Bool in
                    if state.pending.isEmpty {
                        state.flushing = false
                        return true
                    }
                    return false
                }
                if finished { return }
                continue
            }
            do {
                try await write(batch)
            } catch {
                let waiters = state.withLock { state in
                    state.failure = error
                    state.flushing = false
                    defer { state.waiters.removeAll() }
                    return state.waiters
                }
                for waiter in waiters { waiter.continuation.resume(throwing: error) }
                throw error
            }
            let highest = batch.last?.resourceVersion ?? 0
            let ready = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
                state.durableVersion = max(state.durableVersion, highest)
                let durable = state.durableVersion
                let ready = state.waiters.filter { $0.version <= durable }.map(\.continuation)
                state.waiters.removeAll { $0.version <= durable }
                return ready
            }
            batchSizes.withLock {
                $0.batches += 1
                $0.operations += batch.count
            }
            for continuation in ready { continuation.resume() }
        }
    }

    private func write(_ batch: [PersistedOperation]) async throws {
        try await database.write { db in
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO objects (resource, namespace, name, resource_version, body) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (resource, namespace, name) DO UPDATE SET
                        resource_version = excluded.resource_version, body = excluded.body
                    """)
            let remove = try db.cachedStatement(sql: "DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?")
            var highest: Int64 = 0
            for operation in batch {
                switch operation {
                case .put(let key, let body, let version):
                    try upsert.execute(arguments: [key.resource.description, key.namespace, key.name, version, Data(body)])
                    highest = max(highest, version)
                case .delete(let key, let version):
                    try remove.execute(arguments: [key.resource.description, key.namespace, key.name])
                    highest = max(highest, version)
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO store_state (key, value) VALUES ('resourceVersion', ?)
                    ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
                    """, arguments: [highest])
        }
    }

    /// Transactions written and operations they carried (operations ÷ batches is the
    /// group-commit factor).
    public var commitStatistics: (batches: Int, operations: Int) { batchSizes.withLock { $0 } }

    /// `pods` → core group; `widgets.example.com` → group `example.com`.
    static func groupResource(from text: String) -> GroupResource {
        guard let dot = text.firstIndex(of: ".") else { return GroupResource(group: "", resource: text) }
        return GroupResource(group: String(text[text.index(after: dot)...]), resource: String(text[..<dot]))
    }
}
