import Foundation
import GRDB
import KubeModel
import Synchronization

/// Objects in one SQLite database (WAL mode), the way k3s keeps Kubernetes in SQLite.
///
/// Group commit on a serial writer queue: a write handed over while the queue is idle starts
/// a drain there, which writes everything queued so far in one transaction, wakes the
/// requests whose writes are in, and goes on with whatever arrived meanwhile until nothing is
/// left. Under load one transaction carries many writes; alone, a write commits at once. The
/// drain never waits for a request's task to be scheduled (a request used to lead the drain
/// and lost its turn on the busy cooperative pool between batches).
public final class SQLitePersistence: Persistence {
    private struct State {
        var pending: [PersistedOperation] = []
        var durableVersion: Int64 = 0
        var draining = false
        var waiters: [(version: Int64, continuation: CheckedContinuation<Void, any Error>)] = []
        var failure: (any Error)?
        var statistics: (batches: Int, operations: Int) = (0, 0)
    }

    private let database: DatabaseQueue
    private let state = Mutex(State())
    private let writer = DispatchQueue(label: "virtyard-store-writer")

    /// Opens (creating if needed) the database at `path`.
    ///
    /// `synchronous = NORMAL` with WAL keeps every committed write across a crash of the
    /// process (`kill -9`); `fsync: true` makes each commit also survive power loss.
    ///
    /// `checkpointPages` is how far the WAL grows (in 4 KiB pages) before a commit copies it
    /// into the database. That copy, and its `fdatasync`, happen inside a commit and hold up
    /// every write waiting behind it; a page written many times between checkpoints is copied
    /// once. SQLite's default, 1,000, suits small databases; a busy one gains from more.
    public init(path: String, fsync: Bool = false, checkpointPages: Int = 1000) throws {
        var configuration = Configuration()
        configuration.label = "virtyard-store"
        configuration.prepareDatabase { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = \(fsync ? "FULL" : "NORMAL")")
            // The store serves every read from memory and reads the database only at start-up:
            // the cache need hold little more than the B-tree's interior pages for the writes.
            try db.execute(sql: "PRAGMA cache_size = -512")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(max(checkpointPages, 1))")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.write { db in
            if try Self.migrator.hasBeenSuperseded(db) { throw SchemaError.writtenByANewerVersion(path: path) }
        }
        try Self.migrator.migrate(database)
    }

    /// The database's own format history. Databases written before the migrator existed
    /// hold the first format without its record; its `IF NOT EXISTS` lets the migrator
    /// adopt them.
    private static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("objects keyed by name") { db in
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
        // Keyed by name, generated names put each create on a random leaf page, which the
        // commit reads back and writes whole to the WAL. Keyed by version, every write
        // appends: a batch of creates fills the same last pages. The store knows each
        // object's current version, so a write removes the row it replaces by that key.
        migrator.registerMigration("objects keyed by resource version") { db in
            try db.execute(
                sql: """
                    CREATE TABLE objects_by_version (
                        resource_version INTEGER PRIMARY KEY,
                        resource TEXT NOT NULL,
                        namespace TEXT NOT NULL,
                        name TEXT NOT NULL,
                        body BLOB NOT NULL
                    );
                    INSERT INTO objects_by_version (resource_version, resource, namespace, name, body)
                    SELECT resource_version, resource, namespace, name, body FROM objects ORDER BY resource_version;
                    DROP TABLE objects;
                    ALTER TABLE objects_by_version RENAME TO objects;
                    """)
        }
        return migrator
    }()

    /// Why a database cannot be opened.
    public enum SchemaError: Error, CustomStringConvertible {
        case writtenByANewerVersion(path: String)

        public var description: String {
            switch self {
            case .writtenByANewerVersion(let path):
                return "\(path) was written by a newer version of virtyard, whose storage format this one does not know"
            }
        }
    }

    public func load() throws -> PersistedSnapshot {
        try database.write { db in
            var records: [PersistedSnapshot.Record] = []
            var positions: [StorageKey: Int] = [:]
            var superseded: [Int64] = []
            // The newest version is the highest of the rows' and the recorded one (see
            // `write(_:to:)`), read from the column so that a row whose body is quarantined
            // still counts.
            var newest = try Int64.fetchOne(db, sql: "SELECT value FROM store_state WHERE key = 'resourceVersion'") ?? 0
            let rows = try Row.fetchCursor(
                db, sql: "SELECT resource, namespace, name, resource_version, body FROM objects ORDER BY resource_version")
            while let row = try rows.next() {
                let resource: String = row["resource"]
                let body: Data = row["body"]
                let version: Int64 = row["resource_version"]
                newest = max(newest, version)
                let record = PersistedSnapshot.Record(
                    key: StorageKey(Self.groupResource(from: resource), namespace: row["namespace"], name: row["name"]),
                    body: Array(body), resourceVersion: version)
                // One row per object is the rule; a second (a write that named a version its
                // object's body did not carry) loses to the newer, as the next write would.
                if let earlier = positions[record.key] {
                    superseded.append(records[earlier].resourceVersion)
                    records[earlier] = record
                } else {
                    positions[record.key] = records.count
                    records.append(record)
                }
            }
            for version in superseded {
                try db.execute(sql: "DELETE FROM objects WHERE resource_version = ?", arguments: [version])
            }
            state.withLock { $0.durableVersion = newest }
            return PersistedSnapshot(objects: records, resourceVersion: newest)
        }
    }

    /// Moves the record into `quarantined_objects` (bytes, reason and time kept), in one
    /// transaction, so it no longer blocks the start and can still be recovered by hand.
    public func quarantine(_ record: PersistedSnapshot.Record, reason: String) throws {
        try database.write { db in
            let version: StatementArguments = [record.resourceVersion]
            // The row may hold the newest version (puts record it only in their rows): keep it,
            // or a restart after this one would hand it out again.
            try db.execute(
                sql: """
                    INSERT INTO store_state (key, value) VALUES ('resourceVersion', ?)
                    ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
                    """, arguments: version)
            try db.execute(
                sql: """
                    INSERT INTO quarantined_objects (resource, namespace, name, body, reason, quarantined_at)
                    SELECT resource, namespace, name, body, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM objects
                    WHERE resource_version = ?
                    """, arguments: [reason] + version)
            try db.execute(sql: "DELETE FROM objects WHERE resource_version = ?", arguments: version)
        }
    }

    public func enqueue(_ operation: PersistedOperation) {
        let startDrain = state.withLock { state -> Bool in
            // After a failed write nothing more is written (each waiter is told): keep nothing.
            guard state.failure == nil else { return false }
            state.pending.append(operation)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if startDrain { writer.async { self.drain() } }
    }

    public func waitUntilDurable(_ version: Int64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> Result<Bool, any Error> in
                // A write committed before a later batch failed is still durable.
                if state.durableVersion >= version { return .success(true) }
                if let failure = state.failure { return .failure(failure) }
                state.waiters.append((version, continuation))
                return .success(false)
            }
            switch outcome {
            case .success(true): continuation.resume()
            case .success(false): break
            case .failure(let error): continuation.resume(throwing: error)
            }
        }
    }

    /// Writes batches until nothing is pending. Runs on `writer`, while `draining` is set.
    private func drain() {
        while writeNextBatch() {}
    }

    /// Writes everything pending in one transaction and wakes each waiter whose write is in.
    /// Returns whether more is pending (`draining` then stays set; otherwise it is cleared).
    private func writeNextBatch() -> Bool {
        let batch = state.withLock { state -> [PersistedOperation] in
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
        do {
            if !batch.isEmpty { try database.writeWithoutTransaction { db in try Self.commit(batch, to: db) } }
        } catch {
            // The store cannot promise durability any more: every waiter, now and later, is
            // told so, and nothing else is written.
            let waiters = state.withLock { state in
                state.failure = error
                state.draining = false
                state.pending.removeAll()
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            for waiter in waiters { waiter.continuation.resume(throwing: error) }
            return false
        }
        let (ready, more) = state.withLock { state in
            if let highest = batch.last?.resourceVersion {
                state.durableVersion = max(state.durableVersion, highest)
                state.statistics.batches += 1
                state.statistics.operations += batch.count
            }
            let durable = state.durableVersion
            let ready = state.waiters.filter { $0.version <= durable }.map(\.continuation)
            state.waiters.removeAll { $0.version <= durable }
            if state.pending.isEmpty { state.draining = false }
            return (ready, !state.pending.isEmpty)
        }
        for continuation in ready { continuation.resume() }
        return more
    }

    /// Writes `batch` in one transaction, begun and committed with prepared statements:
    /// GRDB's `write` compiles its `BEGIN` and `COMMIT` again for every transaction, and
    /// the writer commits thousands a second.
    private static func commit(_ batch: [PersistedOperation], to db: Database) throws {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
        do {
            try write(batch, to: db)
            try db.cachedStatement(sql: "COMMIT").execute()
        } catch {
            if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
            throw error
        }
    }

    private static func write(_ batch: [PersistedOperation], to db: Database) throws {
        let insert = try db.cachedStatement(
            sql: "INSERT INTO objects (resource_version, resource, namespace, name, body) VALUES (?, ?, ?, ?, ?)")
        let remove = try db.cachedStatement(sql: "DELETE FROM objects WHERE resource_version = ?")
        var removed = false
        for operation in batch {
            switch operation {
            case .put(let key, let body, let version, let replacing):
                if let replacing { try remove.execute(arguments: [replacing]) }
                try insert.execute(arguments: [version, key.resource.description, key.namespace, key.name, Data(body)])
            case .delete(_, _, let removing):
                try remove.execute(arguments: [removing])
                removed = true
            }
        }
        // `load` takes the newest version among the rows and this record. A batch of puts
        // leaves its newest version in a row; only a delete can take the newest one away, so
        // only then is the record written (one page fewer in most commits).
        if removed, let highest = batch.last?.resourceVersion {
            try db.cachedStatement(
                sql: """
                    INSERT INTO store_state (key, value) VALUES ('resourceVersion', ?)
                    ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
                    """
            ).execute(arguments: [highest])
        }
    }

    /// Transactions written and operations they carried (operations ÷ batches is the
    /// group-commit factor).
    public var commitStatistics: (batches: Int, operations: Int) { state.withLock { $0.statistics } }

    /// `pods` → core group; `widgets.example.com` → group `example.com`.
    static func groupResource(from text: String) -> GroupResource {
        guard let dot = text.firstIndex(of: ".") else { return GroupResource(group: "", resource: text) }
        return GroupResource(group: String(text[text.index(after: dot)...]), resource: String(text[..<dot]))
    }
}
