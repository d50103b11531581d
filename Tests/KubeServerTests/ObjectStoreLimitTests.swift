import Foundation
import GRDB
import KubeModel
import Testing

@testable import KubeServer

private let configMaps = GroupResource(group: "", resource: "configmaps")

private func configMap(_ name: String, data: JSONValue = ["value": "1"]) -> JSONValue {
    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "default"], "data": data]
}

/// What the store refuses to hold, and what it does with what it cannot read back.
@Suite struct ObjectStoreLimitTests {
    @Test func anObjectNestedTooDeeplyIsNeverStored() async throws {
        let store = try ObjectStore(persistence: nil)
        var deep: JSONValue = "leaf"
        for _ in 0..<JSONValue.maximumNestingDepth { deep = ["x": deep] }
        let before = store.currentResourceVersion
        let error = await #expect(throws: APIError.self) { try await store.putConfigMap(configMap("deep", data: deep)) }
        #expect(error?.code == 422)
        #expect(error?.message.contains("deeper than 128 levels") == true)
        #expect(store.get(StorageKey.configMap("deep")) == nil)
        #expect(store.currentResourceVersion == before)
    }

    @Test func anObjectOverOnePointFiveMebibytesIsRefusedNamingItsSize() async throws {
        let store = try ObjectStore(persistence: nil)
        let big = configMap("big", data: ["blob": .string(String(repeating: "x", count: ObjectStore.maximumObjectBytes))])
        let error = await #expect(throws: APIError.self) { try await store.putConfigMap(big) }
        #expect(error?.code == 422)
        #expect(error?.message.contains("1572864") == true)
        try await store.putConfigMap(configMap("small"))
        #expect(store.usage.objects == 1)
    }

    @Test func anUnreadableRecordIsQuarantinedNotDropped() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/store.db"
        do {
            let store = try ObjectStore(persistence: SQLitePersistence(path: path))
            try await store.putConfigMap(configMap("good"))
        }
        // A record written by something else (an older build, a disk error): not JSON.
        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO objects (resource, namespace, name, resource_version, body) VALUES (?, ?, ?, ?, ?)",
                arguments: ["configmaps", "default", "broken", 99, Data("{\"kind\": ".utf8)])
        }
        try await database.close()

        let reopened = try ObjectStore(persistence: SQLitePersistence(path: path))
        #expect(reopened.quarantined.map(\.key) == [StorageKey.configMap("broken")])
        #expect(reopened.get(StorageKey.configMap("good")) != nil)
        // Its version still counts: a version once written is never handed out again, at
        // this start or any later one.
        #expect(reopened.currentResourceVersion == 99)
        #expect(try ObjectStore(persistence: SQLitePersistence(path: path)).currentResourceVersion == 99)
        let check = try DatabaseQueue(path: path)
        let kept = try await check.read { db in
            try Row.fetchAll(db, sql: "SELECT name, body, reason FROM quarantined_objects")
        }
        #expect(kept.count == 1)
        #expect(kept.first?["name"] == "broken")
        #expect((kept.first?["body"] as Data?) == Data("{\"kind\": ".utf8))
        #expect((kept.first?["reason"] as String?)?.contains("invalid JSON") == true)
        let left = try await check.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM objects WHERE name = 'broken'") }
        #expect(left == 0)
    }

    @Test func aQuotaBoundsObjectsAndBytesButNeverACleanUp() async throws {
        let store = try ObjectStore(persistence: nil, quota: StoreQuota(maximumObjects: 3, maximumBytes: 4_000))
        for name in ["a", "b", "c"] { try await store.putConfigMap(configMap(name)) }
        let full = await #expect(throws: APIError.self) { try await store.putConfigMap(configMap("d")) }
        #expect(full?.code == 403)
        #expect(full?.message.contains("exceeded quota") == true)
        // Updating an existing object within the byte quota is fine; growing past it is not.
        try await store.putConfigMap(configMap("a", data: ["value": "2"]))
        let grown = await #expect(throws: APIError.self) {
            try await store.putConfigMap(configMap("a", data: ["value": .string(String(repeating: "y", count: 5_000))]))
        }
        #expect(grown?.code == 403)
        try await store.deleteConfigMap("b")
        try await store.putConfigMap(configMap("d"))
        #expect(store.usage.objects == 3)
    }

    @Test func theWatchHistoryIsBoundedInBytes() async throws {
        let store = try ObjectStore(persistence: nil, historyLimit: 10_000, historyByteLimit: 20_000)
        let start = store.currentResourceVersion
        for index in 0..<50 {
            try await store.putConfigMap(configMap("c\(index)", data: ["value": .string(String(repeating: "z", count: 1_000))]))
        }
        // About a thousand bytes an event: only the last twenty or so fit.
        #expect(throws: APIError.self) { try store.watch(WatchFilter(resource: configMaps), from: .after(start)) }
        _ = try store.watch(WatchFilter(resource: configMaps), from: .after(store.currentResourceVersion - 10))
    }

    @Test func aBookmarkNeverOvertakesQueuedEvents() async throws {
        let store = try ObjectStore(persistence: nil)
        let watch = try store.openWatch(WatchFilter(resource: configMaps), from: .after(store.currentResourceVersion))
        for index in 0..<20 { try await store.putConfigMap(configMap("m\(index)")) }
        store.requestBookmark(watch)
        try await store.putConfigMap(configMap("after"))
        var seen: [(WatchEvent.Kind, Int64)] = []
        for await event in watch.events {
            seen.append((event.kind, event.object.resourceVersion))
            if seen.count == 22 { break }
        }
        let bookmark = try #require(seen.firstIndex { $0.0 == .bookmark })
        #expect(bookmark == 20)
        // Every event at or below the bookmark's resourceVersion came before it.
        #expect(seen[..<bookmark].allSatisfy { $0.1 <= seen[bookmark].1 })
        #expect(seen[(bookmark + 1)...].allSatisfy { $0.1 > seen[bookmark].1 })
    }

    @Test func concurrentCallersShareOneVirtualClusterCreation() async throws {
        let directory = try temporaryDirectory()
        let clusters = VirtualClusters(historyLimit: 100, directory: directory, logger: .init(label: "test"))
        let created = try await withThrowingTaskGroup(of: ObjectIdentifier.self) { group in
            for _ in 0..<20 { group.addTask { ObjectIdentifier(try await clusters.ensure(id: "lab1")) } }
            var identities = Set<ObjectIdentifier>()
            for try await identity in group { identities.insert(identity) }
            return identities
        }
        #expect(created.count == 1)
        #expect(clusters.ids == ["lab1"])
        await clusters.stopAll()
    }
}
