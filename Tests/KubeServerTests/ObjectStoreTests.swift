import Foundation
import KubeModel
import Testing

@testable import KubeServer

private let configMaps = GroupResource(group: "", resource: "configmaps")

private func configMap(_ name: String, namespace: String = "default", data: String = "1") -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "data": ["value": .string(data)],
    ]
}

private func put(_ store: ObjectStore, _ object: JSONValue) async throws -> StoredObject {
    let key = StorageKey(configMaps, namespace: object.namespace ?? "", name: object.name ?? "")
    let result = try await store.mutate(key) { _ throws(APIError) in .put(object) }
    return try #require(result.after)
}

@Suite struct ObjectStoreTests {
    @Test func resourceVersionsIncreaseWithEveryWrite() async throws {
        let store = try ObjectStore(persistence: nil)
        let first = try await put(store, configMap("a"))
        let second = try await put(store, configMap("b"))
        let third = try await put(store, configMap("a", data: "2"))
        #expect(first.resourceVersion < second.resourceVersion)
        #expect(second.resourceVersion < third.resourceVersion)
        #expect(store.get(StorageKey(configMaps, namespace: "default", name: "a"))?.object["data"]?["value"] == "2")
        #expect(third.object.resourceVersion == String(third.resourceVersion))
    }

    @Test func decisionErrorsLeaveTheStoreUnchanged() async throws {
        let store = try ObjectStore(persistence: nil)
        _ = try await put(store, configMap("a"))
        let before = store.currentResourceVersion
        let key = StorageKey(configMaps, namespace: "default", name: "a")
        await #expect(throws: APIError.self) {
            try await store.mutate(key) { _ throws(APIError) in throw APIError.conflict("configmaps", group: "", name: "a", "stale") }
        }
        #expect(store.currentResourceVersion == before)
    }

    @Test func listIsSortedAndScopedToNamespace() async throws {
        let store = try ObjectStore(persistence: nil)
        for name in ["c", "a", "b"] { _ = try await put(store, configMap(name)) }
        _ = try await put(store, configMap("z", namespace: "other"))
        #expect(store.list(configMaps, namespace: "default").items.compactMap(\.object.name) == ["a", "b", "c"])
        #expect(store.list(configMaps).items.count == 4)
    }

    /// Lists are kept between calls; every write must show in the next list, in key order.
    @Test func keptListsFollowEveryWrite() async throws {
        let store = try ObjectStore(persistence: nil)
        for name in ["c", "a"] { _ = try await put(store, configMap(name)) }
        _ = try await put(store, configMap("m", namespace: "other"))
        func names(_ namespace: String?) -> [String] {
            store.list(configMaps, namespace: namespace).items.map { "\($0.object.namespace ?? "")/\($0.object.name ?? "")" }
        }
        func values(_ namespace: String?) -> [String] {
            store.list(configMaps, namespace: namespace).items.compactMap { $0.object["data"]?["value"]?.stringValue }
        }
        #expect(names("default") == ["default/a", "default/c"])
        #expect(names(nil) == ["default/a", "default/c", "other/m"])
        // A change is replaced in place, in both the namespace's list and the list of all.
        let changed = try await put(store, configMap("c", data: "2"))
        #expect(values("default") == ["1", "2"])
        #expect(values(nil) == ["1", "2", "1"])
        #expect(store.list(configMaps, namespace: "default").items.last?.resourceVersion == changed.resourceVersion)
        // An object added lands in order; one deleted leaves; other namespaces are unaffected.
        _ = try await put(store, configMap("b"))
        #expect(names("default") == ["default/a", "default/b", "default/c"])
        #expect(names(nil) == ["default/a", "default/b", "default/c", "other/m"])
        try await store.mutate(StorageKey(configMaps, namespace: "default", name: "a")) { _ throws(APIError) in .delete }
        #expect(names("default") == ["default/b", "default/c"])
        #expect(names("other") == ["other/m"])
        _ = try await put(store, configMap("m", namespace: "other", data: "3"))
        #expect(values("other") == ["3"])
        #expect(values(nil) == ["1", "2", "3"])
        #expect(store.list(configMaps, namespace: "none").items.isEmpty)
    }

    @Test func watchResumesFromAResourceVersionWithoutLossOrReordering() async throws {
        let store = try ObjectStore(persistence: nil)
        let start = try await put(store, configMap("a")).resourceVersion
        _ = try await put(store, configMap("b"))
        _ = try await put(store, configMap("a", data: "2"))
        try await store.mutate(StorageKey(configMaps, namespace: "default", name: "b")) { _ throws(APIError) in .delete }
        let stream = try store.watch(WatchFilter(resource: configMaps), from: .after(start))
        var iterator = stream.makeAsyncIterator()
        var seen: [String] = []
        for _ in 0..<3 {
            let event = try #require(await iterator.next())
            seen.append("\(event.kind.rawValue) \(event.object.object.name ?? "")")
        }
        #expect(seen == ["ADDED b", "MODIFIED a", "DELETED b"])
        _ = try await put(store, configMap("c"))
        let live = try #require(await iterator.next())
        #expect(live.kind == .added && live.object.object.name == "c")
    }

    /// A watcher that falls behind is closed, and closing it must not take the store's lock
    /// again from inside the write (that once froze the whole server).
    @Test(.timeLimit(.minutes(1))) func aWatcherThatFallsBehindIsClosedAndWritesGoOn() async throws {
        let store = try ObjectStore(persistence: nil)
        let slow = try store.watch(WatchFilter(resource: configMaps), from: .after(store.currentResourceVersion), bufferLimit: 3)
        let keeping = try store.watch(WatchFilter(resource: configMaps), from: .after(store.currentResourceVersion))
        for index in 0..<6 { _ = try await put(store, configMap("cm-\(index)")) }
        #expect(store.watcherCount == 1)
        // The slow watcher gets what fitted, then its end.
        var received = 0
        for await _ in slow { received += 1 }
        #expect(received == 3)
        // The store still takes writes, and the other watcher sees all of them.
        _ = try await put(store, configMap("after"))
        var iterator = keeping.makeAsyncIterator()
        var names: [String] = []
        for _ in 0..<7 { names.append(try #require(await iterator.next()).object.object.name ?? "") }
        #expect(names == (0..<6).map { "cm-\($0)" } + ["after"])
    }

    @Test func watchFromBeforeTheHistoryIsGone() async throws {
        let store = try ObjectStore(persistence: nil, historyLimit: 3)
        for index in 0..<6 { _ = try await put(store, configMap("cm-\(index)")) }
        #expect(throws: APIError.self) { try store.watch(WatchFilter(resource: configMaps), from: .after(1)) }
        do {
            _ = try store.watch(WatchFilter(resource: configMaps), from: .after(1))
        } catch {
            #expect(error.code == 410)
        }
        _ = try store.watch(WatchFilter(resource: configMaps), from: .after(store.currentResourceVersion - 2))
    }

    @Test func selectorWatchSeesObjectsLeavingAndEntering() async throws {
        let store = try ObjectStore(persistence: nil)
        var labelled = configMap("a")
        labelled.labels = ["app": "web"]
        let filter = WatchFilter(resource: configMaps, predicate: { $0.labels["app"] == "web" })
        let stream = try store.watch(filter, from: .after(store.currentResourceVersion))
        _ = try await put(store, labelled)
        _ = try await put(store, configMap("a"))
        _ = try await put(store, labelled)
        var iterator = stream.makeAsyncIterator()
        var kinds: [WatchEvent.Kind] = []
        for _ in 0..<3 { kinds.append(try #require(await iterator.next()).kind) }
        #expect(kinds == [.added, .deleted, .added])
    }

    /// The garbage collector's watch: only the writes it acts on, each as the change it is
    /// (a write it does not want is dropped, never turned into ADDED or DELETED).
    @Test func theGarbageCollectorIsSentOnlyTheWritesItActsOn() async throws {
        let store = try ObjectStore(persistence: nil)
        let filter = WatchFilter(resource: nil, wants: GarbageCollector.needsAttention)
        let stream = try store.watch(filter, from: .after(store.currentResourceVersion))
        var owned = configMap("owned")
        owned[path: ["metadata", "ownerReferences"]] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "plain", "uid": "u-1"]]
        var terminating = configMap("held")
        terminating[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        _ = try await put(store, configMap("plain")) // not sent
        _ = try await put(store, owned) // ADDED owned
        _ = try await put(store, configMap("plain", data: "2")) // not sent
        _ = try await put(store, terminating) // not sent
        terminating[path: ["metadata", "deletionTimestamp"]] = "2026-12-06T00:00:00Z"
        _ = try await put(store, terminating) // MODIFIED held
        owned[path: ["metadata", "ownerReferences"]] = []
        _ = try await put(store, owned) // not sent: no owners any more
        try await store.mutate(StorageKey(configMaps, namespace: "default", name: "plain")) { _ throws(APIError) in .delete }
        _ = try await put(store, configMap("last", data: "x")) // not sent
        owned[path: ["metadata", "ownerReferences"]] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "last", "uid": "u-2"]]
        _ = try await put(store, owned) // MODIFIED owned (the end marker)
        var iterator = stream.makeAsyncIterator()
        var seen: [String] = []
        for _ in 0..<4 {
            let event = try #require(await iterator.next())
            seen.append("\(event.kind.rawValue) \(event.object.object.name ?? "")")
        }
        #expect(seen == ["ADDED owned", "MODIFIED held", "DELETED plain", "MODIFIED owned"])
        // The same filter replaying history skips the same writes.
        let replay = try store.watch(filter, from: .after(1))
        var replayed: [String] = []
        for await event in replay {
            replayed.append("\(event.kind.rawValue) \(event.object.object.name ?? "")")
            if replayed.count == 4 { break }
        }
        #expect(replayed == seen)
    }

    /// A write visits the watchers of its resource and those of every resource, and no
    /// others; a watcher removed is visited no more.
    @Test func watchersAreFoundByTheirResource() {
        var registry = ObjectStore.WatcherRegistry()
        func watcher(_ resource: GroupResource?) -> ObjectStore.Watcher {
            let (_, continuation) = AsyncStream<WatchEvent>.makeStream()
            return ObjectStore.Watcher(filter: WatchFilter(resource: resource), continuation: continuation)
        }
        func visited(_ resource: GroupResource) -> [Int] {
            var ids: [Int] = []
            registry.forEach(watching: resource) { id, _ in ids.append(id) }
            return ids.sorted()
        }
        let pods = GroupResource(group: "", resource: "pods")
        registry.insert(watcher(configMaps), id: 1)
        registry.insert(watcher(pods), id: 2)
        registry.insert(watcher(nil), id: 3)
        registry.insert(watcher(configMaps), id: 4)
        #expect(visited(configMaps) == [1, 3, 4])
        #expect(visited(pods) == [2, 3])
        #expect(visited(GroupResource(group: "apps", resource: "deployments")) == [3])
        #expect(registry.remove(1) != nil)
        #expect(registry.remove(1) == nil)
        #expect(visited(configMaps) == [3, 4])
        registry.remove(3)
        #expect(visited(pods) == [2])
        #expect(registry.count == 2)
        #expect(registry[4] != nil && registry[3] == nil)
        #expect(registry.removeAll().count == 2)
        #expect(registry.count == 0)
        #expect(visited(configMaps).isEmpty)
    }

    /// Through the store: each watch sees its own resource's writes, a watch of every
    /// resource sees all, and an ended watch is dropped from the resource it watched.
    @Test func eachWatchSeesItsResourceAndAWatchOfEverythingSeesAll() async throws {
        let store = try ObjectStore(persistence: nil)
        let secrets = GroupResource(group: "", resource: "secrets")
        let start = store.currentResourceVersion
        let ofConfigMaps = try store.watch(WatchFilter(resource: configMaps), from: .after(start))
        let ofSecrets = try store.watch(WatchFilter(resource: secrets), from: .after(start))
        let ofEverything = try store.watch(WatchFilter(resource: nil), from: .after(start))
        var ended: AsyncStream<WatchEvent>? = try store.watch(WatchFilter(resource: secrets), from: .after(start))
        #expect(store.watcherCount == 4)
        ended = nil
        #expect(ended == nil)
        #expect(store.watcherCount == 3)
        _ = try await put(store, configMap("a"))
        try await store.mutate(StorageKey(secrets, namespace: "default", name: "s")) { _ throws(APIError) in
            .put(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "namespace": "default"]])
        }
        _ = try await put(store, configMap("b"))
        func names(_ stream: AsyncStream<WatchEvent>, _ count: Int) async -> [String] {
            var iterator = stream.makeAsyncIterator()
            var names: [String] = []
            for _ in 0..<count { names.append(await iterator.next()?.object.object.name ?? "-") }
            return names
        }
        #expect(await names(ofConfigMaps, 2) == ["a", "b"])
        #expect(await names(ofSecrets, 1) == ["s"])
        #expect(await names(ofEverything, 3) == ["a", "s", "b"])
    }

    /// A write encoded before the lock stores, sends and persists exactly what the same
    /// write made under the lock does; the bounds hold for it too.
    @Test func anObjectEncodedAheadIsStoredAsTheSameWriteMadeUnderTheLock() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ObjectStore(persistence: SQLitePersistence(path: directory + "/store.db"))
        var events = try store.watch(WatchFilter(resource: configMaps), from: .currentState).makeAsyncIterator()
        var object = configMap("ahead")
        object[path: ["metadata", "labels", "resourceVersion"]] = ""
        object[path: ["metadata", "annotations", "note"]] = "\"resourceVersion\":\"\""
        object[path: ["metadata", "uid"]] = "uid-ahead"
        let encoded = try store.encode(object, key: .configMap("ahead"))
        let ahead = try await store.mutate(.configMap("ahead")) { _ throws(APIError) in .putEncoded(encoded) }
        var plainObject = object
        plainObject.name = "plain"
        let plain = try await store.putConfigMap(plainObject)
        let aheadStored = try #require(ahead.after)
        let plainStored = try #require(plain.after)
        #expect(aheadStored.resourceVersion + 1 == plainStored.resourceVersion)
        var expected = object
        expected.resourceVersion = String(aheadStored.resourceVersion)
        #expect(aheadStored.bytes == expected.serialized())
        #expect(aheadStored.tree == expected)
        #expect(aheadStored.metadata == StoredMetadata(expected) && aheadStored.apiVersion == "v1")
        #expect(plainStored.bytes.count == aheadStored.bytes.count - "ahead".utf8.count + "plain".utf8.count)
        #expect(store.get(.configMap("ahead"))?.bytes == expected.serialized())
        let first = try #require(await events.next())
        #expect(first.kind == .added && first.object.object == expected)
        // What a restart reads back.
        let persisted = try SQLitePersistence(path: directory + "/store.db").load().objects
        #expect(persisted.first { $0.key.name == "ahead" }?.body == expected.serialized())
        // Too deep is refused before any lock is taken.
        var deep: JSONValue = "leaf"
        for _ in 0..<(JSONValue.maximumNestingDepth + 1) { deep = ["d": deep] }
        var tooDeep = configMap("deep")
        tooDeep["data"] = deep
        let error = #expect(throws: APIError.self) { try store.encode(tooDeep, key: .configMap("deep")) }
        #expect(error?.code == 422)
    }

    @Test func writesSurviveReopeningTheDatabase() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var lastVersion: Int64 = 0
        do {
            let store = try ObjectStore(persistence: SQLitePersistence(path: directory + "/store.db"))
            for index in 0..<20 { lastVersion = try await put(store, configMap("cm-\(index)")).resourceVersion }
            try await store.mutate(StorageKey(configMaps, namespace: "default", name: "cm-3")) { _ throws(APIError) in .delete }
            lastVersion += 1
        }
        let reopened = try ObjectStore(persistence: SQLitePersistence(path: directory + "/store.db"))
        #expect(reopened.list(configMaps).items.count == 19)
        #expect(reopened.get(StorageKey(configMaps, namespace: "default", name: "cm-3")) == nil)
        #expect(reopened.currentResourceVersion == lastVersion)
        let next = try await put(reopened, configMap("after-restart"))
        #expect(next.resourceVersion > lastVersion)
    }

    /// Only a batch with a delete records the version apart from the rows (a put leaves it in
    /// its row): every order of puts and deletes must come back with the newest version.
    @Test func theNewestVersionSurvivesARestartWhateverTheLastWriteWas() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/store.db"
        func reopen() throws -> ObjectStore { try ObjectStore(persistence: SQLitePersistence(path: path)) }
        func remove(_ store: ObjectStore, _ name: String) async throws {
            try await store.mutate(StorageKey(configMaps, namespace: "default", name: name)) { _ throws(APIError) in .delete }
        }
        var store = try reopen()
        _ = try await put(store, configMap("a"))
        _ = try await put(store, configMap("b"))
        try await remove(store, "b")
        #expect(store.currentResourceVersion == 3)
        store = try reopen()
        #expect(store.currentResourceVersion == 3)
        _ = try await put(store, configMap("c"))
        _ = try await put(store, configMap("a", data: "2"))
        // The recorded version is still 3: the persistence itself finds 5 in the rows.
        #expect(try SQLitePersistence(path: path).load().resourceVersion == 5)
        store = try reopen()
        #expect(store.currentResourceVersion == 5)
        try await remove(store, "a")
        try await remove(store, "c")
        store = try reopen()
        #expect(store.currentResourceVersion == 7)
        #expect(store.count(configMaps) == 0)
        #expect(try await put(store, configMap("d")).resourceVersion == 8)
    }

    @Test func concurrentWritesAreGroupCommitted() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let persistence = try SQLitePersistence(path: directory + "/store.db")
        let store = try ObjectStore(persistence: persistence)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<400 {
                group.addTask { _ = try await put(store, configMap("cm-\(index)")) }
            }
            try await group.waitForAll()
        }
        let statistics = persistence.commitStatistics
        #expect(statistics.operations == 400)
        #expect(statistics.batches < statistics.operations)
        let reopened = try ObjectStore(persistence: SQLitePersistence(path: directory + "/store.db"))
        #expect(reopened.list(configMaps).items.count == 400)
    }
}
