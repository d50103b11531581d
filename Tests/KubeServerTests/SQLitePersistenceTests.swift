import Foundation
import GRDB
import KubeModel
import Testing

@testable import KubeServer

private let configMaps = GroupResource(group: "", resource: "configmaps")
private let namespaces = GroupResource(group: "", resource: "namespaces")

private func configMap(_ name: String, data: String = "1") -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "default"],
        "data": ["value": .string(data)],
    ]
}

/// The rows as SQLite holds them: (version, name), in version order.
private func rows(_ path: String) throws -> [(version: Int64, name: String)] {
    let database = try DatabaseQueue(path: path)
    defer { try? database.close() }
    return try database.read { db in
        try Row.fetchAll(db, sql: "SELECT resource_version, name FROM objects ORDER BY resource_version").map {
            ($0["resource_version"], $0["name"])
        }
    }
}

/// Writes a row the way something other than the store would: `object` stored at `version`.
private func insertRow(_ path: String, version: Int64, _ object: JSONValue) async throws {
    let database = try DatabaseQueue(path: path)
    try await database.write { db in
        try db.execute(
            sql: "INSERT INTO objects (resource_version, resource, namespace, name, body) VALUES (?, 'configmaps', 'default', ?, ?)",
            arguments: [version, object.name ?? "", Data(object.serialized())])
    }
    try database.close()
}

/// The store's database: one row per object, keyed by the version it was written at.
@Suite struct SQLitePersistenceTests {
    @Test func eachObjectKeepsOneRowAtItsCurrentVersionThroughUpdatesAndDeletes() async throws {
        let path = try temporaryDirectory() + "/store.db"
        do {
            let store = try ObjectStore(persistence: SQLitePersistence(path: path))
            for round in 0..<5 {
                for index in 0..<10 { try await store.putConfigMap(configMap("cm-\(index)", data: "\(round)")) }
            }
            for index in [2, 5, 7] { try await store.deleteConfigMap("cm-\(index)") }
            let stored = try rows(path)
            #expect(stored.map(\.name).sorted() == ["cm-0", "cm-1", "cm-3", "cm-4", "cm-6", "cm-8", "cm-9"])
            for row in stored {
                #expect(store.get(StorageKey.configMap(row.name))?.resourceVersion == row.version, "\(row.name)")
            }
        }
        let reopened = try ObjectStore(persistence: SQLitePersistence(path: path))
        #expect(reopened.count(configMaps) == 7)
        #expect(reopened.get(StorageKey.configMap("cm-9"))?.object["data"]?["value"] == "4")
        #expect(reopened.get(StorageKey.configMap("cm-5")) == nil)
        #expect(reopened.currentResourceVersion == 53)
        // An object loaded at start-up is replaced by its next write, not doubled.
        try await reopened.putConfigMap(configMap("cm-0", data: "after"))
        #expect(try rows(path).filter { $0.name == "cm-0" }.map(\.version) == [54])
    }

    /// Data directories written before the store was keyed by version: the objects, the
    /// recorded newest version and the quarantine table all carry over.
    @Test func aDatabaseInTheFormerLayoutIsMigratedWithEverythingInIt() async throws {
        let path = try temporaryDirectory() + "/store.db"
        do {
            let database = try DatabaseQueue(path: path)
            try await database.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE objects (
                            resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                            resource_version INTEGER NOT NULL, body BLOB NOT NULL,
                            PRIMARY KEY (resource, namespace, name)
                        ) WITHOUT ROWID;
                        CREATE TABLE store_state (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                        INSERT INTO store_state VALUES ('resourceVersion', 12);
                        """)
                for (name, version) in [("b", 7), ("a", 9), ("c", 3)] {
                    var object = configMap(name, data: "old-\(name)")
                    object.resourceVersion = String(version)
                    try db.execute(
                        sql: "INSERT INTO objects VALUES ('configmaps', 'default', ?, ?, ?)",
                        arguments: [name, version, Data(object.serialized())])
                }
            }
            try await database.close()
        }
        let store = try ObjectStore(persistence: SQLitePersistence(path: path))
        #expect(store.count(configMaps) == 3)
        #expect(store.get(StorageKey.configMap("a"))?.object["data"]?["value"] == "old-a")
        #expect(store.get(StorageKey.configMap("b"))?.resourceVersion == 7)
        #expect(store.currentResourceVersion == 12)
        #expect(try rows(path).map(\.version) == [3, 7, 9])
        let check = try DatabaseQueue(path: path)
        let primaryKey = try await check.read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(objects)").filter { ($0["pk"] as Int) > 0 }.map { $0["name"] as String }
        }
        try await check.close()
        #expect(primaryKey == ["resource_version"])
        try await store.putConfigMap(configMap("b", data: "new"))
        #expect(try rows(path).map(\.version) == [3, 9, 13])
        // A second open finds the migration done and changes nothing.
        #expect(
            try ObjectStore(persistence: SQLitePersistence(path: path)).get(StorageKey.configMap("b"))?.object["data"]?["value"] == "new")
    }

    @Test func aDatabaseWrittenByANewerVersionIsRefusedNotRewritten() async throws {
        let path = try temporaryDirectory() + "/store.db"
        do {
            let store = try ObjectStore(persistence: SQLitePersistence(path: path))
            try await store.putConfigMap(configMap("kept"))
        }
        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('a format from the future')")
        }
        try await database.close()
        let error = #expect(throws: SQLitePersistence.SchemaError.self) { try SQLitePersistence(path: path) }
        #expect(error.map { "\($0)" }?.contains(path) == true)
        #expect(try rows(path).map(\.name) == ["kept"])
    }

    /// Rows are removed by the version the store holds for an object; a body that carried a
    /// different version would leave the old row behind. The next start keeps the newer.
    @Test func twoRowsForOneObjectComeBackAsTheNewer() async throws {
        let path = try temporaryDirectory() + "/store.db"
        do {
            let store = try ObjectStore(persistence: SQLitePersistence(path: path))
            try await store.putConfigMap(configMap("a", data: "first"))
        }
        var newer = configMap("a", data: "second")
        newer.resourceVersion = "40"
        try await insertRow(path, version: 40, newer)
        let store = try ObjectStore(persistence: SQLitePersistence(path: path))
        #expect(store.get(StorageKey.configMap("a"))?.object["data"]?["value"] == "second")
        #expect(store.count(configMaps) == 1)
        #expect(try rows(path).map(\.version) == [40])
    }

    /// A body that carries a version other than its row's (written by something else) must
    /// not make the object's next write remove the row of the object stored at that version.
    @Test func anObjectIsKnownByItsRowsVersionNotItsBodys() async throws {
        let path = try temporaryDirectory() + "/store.db"
        do {
            let store = try ObjectStore(persistence: SQLitePersistence(path: path))
            try await store.putConfigMap(configMap("first"))
        }
        var misnumbered = configMap("misnumbered", data: "kept")
        misnumbered.resourceVersion = "1"
        try await insertRow(path, version: 30, misnumbered)
        do {
            let store = try ObjectStore(persistence: SQLitePersistence(path: path))
            #expect(store.get(StorageKey.configMap("misnumbered"))?.resourceVersion == 30)
            #expect(store.get(StorageKey.configMap("misnumbered"))?.object.resourceVersion == "30")
            try await store.putConfigMap(configMap("misnumbered", data: "updated"))
        }
        let reopened = try ObjectStore(persistence: SQLitePersistence(path: path))
        #expect(reopened.get(StorageKey.configMap("first"))?.object["data"]?["value"] == "1")
        #expect(reopened.get(StorageKey.configMap("misnumbered"))?.object["data"]?["value"] == "updated")
        #expect(try rows(path).map(\.name) == ["first", "misnumbered"])
    }

    @Test func namespacesLifecycleFollowsItsWritesAndSurvivesARestart() async throws {
        let path = try temporaryDirectory() + "/store.db"
        let namespaceKey = StorageKey(namespaces, name: "team")
        var namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]]
        do {
            let store = try ObjectStore(persistence: SQLitePersistence(path: path))
            #expect(store.namespaceLifecycle("team") == nil)
            let active = namespace
            try await store.mutate(namespaceKey) { _ throws(APIError) in .put(active) }
            #expect(store.namespaceLifecycle("team") == .active)
            namespace["metadata"]?["deletionTimestamp"] = "2026-12-06T00:00:00Z"
            let terminating = namespace
            try await store.mutate(namespaceKey) { _ throws(APIError) in .put(terminating) }
            #expect(store.namespaceLifecycle("team") == .terminating)
        }
        let store = try ObjectStore(persistence: SQLitePersistence(path: path))
        #expect(store.namespaceLifecycle("team") == .terminating)
        try await store.mutate(namespaceKey) { _ throws(APIError) in .delete }
        #expect(store.namespaceLifecycle("team") == nil)
        // Another resource's object of the same name is not a namespace.
        try await store.putConfigMap(configMap("team"))
        #expect(store.namespaceLifecycle("team") == nil)
    }
}
