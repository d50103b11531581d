import KubeModel
import Testing

@testable import KubeServer

private let configMaps = GroupResource(group: "", resource: "configmaps")

private func configMap(_ name: String, data: String = "1", labels: [String: JSONValue] = [:], owner: String? = nil) -> JSONValue {
    var object: JSONValue = [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name), "namespace": "default", "uid": .string("uid-\(name)"), "labels": .object(labels)],
        "data": ["value": .string(data)],
    ]
    if let owner {
        object[path: ["metadata", "ownerReferences"]] = [["uid": .string(owner), "name": "o", "kind": "X", "apiVersion": "v1"]]
    }
    return object
}

private func key(_ name: String) -> StorageKey { StorageKey(configMaps, namespace: "default", name: name) }

/// Stored objects keep their encoding, not their tree (issue 17's memory aim): what is read
/// back, indexed and sent to watchers must be what was written.
@Suite struct EncodedStorageTests {
    @Test func whatIsReadBackIsWhatWasWrittenWithItsVersion() async throws {
        let store = try ObjectStore(persistence: nil)
        let written = configMap("a", labels: ["tier": "web"])
        _ = try await store.mutate(key("a")) { _ throws(APIError) in .put(written) }
        let stored = try #require(store.list(configMaps).items.first)
        #expect(stored.tree == nil)
        var expected = written
        expected.resourceVersion = String(stored.resourceVersion)
        #expect(stored.object == expected)
        #expect(stored.bytes == expected.serialized())
        #expect(stored.apiVersion == "v1")
        #expect(stored.metadata == StoredMetadata(expected))
        #expect(stored.metadata.uid == "uid-a")
    }

    @Test func metadataFollowsOwnersFinalizersAndDeletion() async throws {
        let store = try ObjectStore(persistence: nil)
        _ = try await store.mutate(key("child")) { _ throws(APIError) in .put(configMap("child", owner: "uid-owner")) }
        #expect(store.dependents(ofUID: "uid-owner") == [key("child")])
        _ = try await store.mutate(key("child")) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var object = current?.object else { return .unchanged }
            object.ownerReferences = []
            object.finalizers = ["example.com/hold"]
            object.deletionTimestamp = "2026-12-06T00:00:00Z"
            return .put(object)
        }
        let stored = try #require(store.get(key("child")))
        #expect(stored.metadata.ownerUIDs.isEmpty)
        #expect(stored.metadata.finalizers == ["example.com/hold"])
        #expect(stored.metadata.isTerminating)
        #expect(store.dependents(ofUID: "uid-owner").isEmpty)
        #expect(store.terminatingObjects().map(\.0) == [key("child")])
        #expect(store.content(ofNamespace: "default").notDeleting == 0)
        #expect(store.content(ofNamespace: "default").finalizers == ["example.com/hold": 1])
    }

    /// A write right after another reads the tree its writer held; once the budget has moved
    /// on, the same read parses the encoding and sees the same object.
    @Test func recentTreesAreHandedOutThenForgottenWithinTheirBudget() async throws {
        let store = try ObjectStore(persistence: nil)
        _ = try await store.mutate(key("a")) { _ throws(APIError) in .put(configMap("a")) }
        let fresh = try #require(store.get(key("a")))
        #expect(fresh.tree != nil)
        #expect(try fresh.tree == JSONValue(parsing: fresh.bytes))
        let large = String(repeating: "x", count: 64 << 10)
        for index in 0..<8 {
            _ = try await store.mutate(key("filler-\(index)")) { _ throws(APIError) in .put(configMap("filler-\(index)", data: large)) }
        }
        let old = try #require(store.get(key("a")))
        #expect(old.tree == nil)
        #expect(old.object == fresh.object)
        #expect(store.withState { $0.recentTrees.count } <= 4)
    }

    @Test func recentTreesKeepToTheirBudget() {
        var trees = RecentTrees(byteLimit: 100, countLimit: 3)
        var forgotten: [JSONValue] = []
        trees.insert("a", version: 1, size: 40, forgotten: &forgotten)
        trees.insert("b", version: 2, size: 40, forgotten: &forgotten)
        #expect(trees[1] == "a" && trees[2] == "b" && forgotten.isEmpty)
        trees.insert("c", version: 3, size: 40, forgotten: &forgotten)
        #expect(trees[1] == nil && trees[2] == "b" && trees[3] == "c")
        trees.insert("d", version: 4, size: 10, forgotten: &forgotten)
        trees.insert("e", version: 5, size: 10, forgotten: &forgotten)
        #expect(trees[2] == nil && trees.count == 3)
        trees.insert("huge", version: 6, size: 101, forgotten: &forgotten)
        #expect(trees[6] == nil)
        // What was pushed out is handed back, oldest first, each once.
        #expect(forgotten == ["a", "b"])
    }

    /// Events in the history must not keep trees alive, or the history would cost what the
    /// store saved; a selector watch resuming from it still tells objects leaving apart.
    @Test func historyHoldsNoTreesAndSelectorWatchesStillSeeTransitions() async throws {
        let store = try ObjectStore(persistence: nil)
        _ = try await store.mutate(key("a")) { _ throws(APIError) in .put(configMap("a", labels: ["tier": "web"])) }
        let start = store.currentResourceVersion
        _ = try await store.mutate(key("a")) { (current: StoredObject?) throws(APIError) -> Mutation in
            #expect(current?.tree != nil)
            return .put(configMap("a", labels: ["tier": "db"]))
        }
        #expect(store.withState { state in state.history.allSatisfy { $0.object.tree == nil } })
        // Resumed from the history, the change is a DELETED for a watcher of tier=web.
        let filter = WatchFilter(resource: configMaps, predicate: { $0[path: ["metadata", "labels", "tier"]] == "web" })
        var events = try store.watch(filter, from: .after(start)).makeAsyncIterator()
        let event = try #require(await events.next())
        #expect(event.kind == .deleted)
        #expect(event.object.object[path: ["metadata", "labels", "tier"]] == "db")
    }

    @Test func decodedViewsFollowEachVersionAndStayBounded() async throws {
        let store = try ObjectStore(persistence: nil)
        _ = try await store.mutate(key("a")) { _ throws(APIError) in .put(configMap("a", data: "1")) }
        let first = try #require(store.get(key("a")))
        let views = DecodedViews(limit: 2)
        var decodes = 0
        func value(_ stored: StoredObject) -> String {
            views.value(of: stored, at: key(stored.object.name ?? "")) { object -> String in
                decodes += 1
                return object["data"]?["value"]?.stringValue ?? ""
            }
        }
        #expect(value(first) == "1" && value(first) == "1" && decodes == 1)
        _ = try await store.mutate(key("a")) { _ throws(APIError) in .put(configMap("a", data: "2")) }
        let second = try #require(store.get(key("a")))
        #expect(value(second) == "2" && decodes == 2)
        _ = try await store.mutate(key("b")) { _ throws(APIError) in .put(configMap("b")) }
        _ = value(try #require(store.get(key("b"))))
        #expect(views.count <= 2)
    }
}

/// Watches with selectors read objects along the selector's paths when the store has no
/// tree at hand (from the current state, from the history): the same events as a whole
/// parse would give.
@Suite struct SelectorWatchPathTests {
    static func tier(_ object: JSONValue) -> Bool { object[path: ["metadata", "labels", "tier"]] == "web" }

    @Test(arguments: [true, false])
    func eventsAreTheSameWithOrWithoutPaths(withPaths: Bool) async throws {
        let store = try ObjectStore(persistence: nil)
        for name in ["a", "b", "c"] {
            let labels: [String: JSONValue] = name == "b" ? ["tier": "db"] : ["tier": "web"]
            _ = try await store.mutate(key(name)) { _ throws(APIError) in .put(configMap(name, labels: labels)) }
        }
        let start = store.currentResourceVersion
        // a leaves the selection, b enters it, c changes within it.
        for (name, tier) in [("a", "db"), ("b", "web"), ("c", "web")] {
            _ = try await store.mutate(key(name)) { _ throws(APIError) in .put(configMap(name, data: "2", labels: ["tier": .string(tier)]))
            }
        }
        // Push the trees out, so history replay parses.
        let large = String(repeating: "x", count: 64 << 10)
        for index in 0..<4 {
            _ = try await store.mutate(key("filler-\(index)")) { _ throws(APIError) in .put(configMap("filler-\(index)", data: large)) }
        }
        let paths = withPaths ? JSONPathSet([["metadata", "labels"]]) : nil
        let filter = WatchFilter(resource: configMaps, predicate: Self.tier, predicatePaths: paths)
        var replay = try store.watch(filter, from: .after(start)).makeAsyncIterator()
        var seen: [String] = []
        for _ in 0..<3 {
            let event = try #require(await replay.next())
            seen.append("\(event.kind.rawValue) \(event.key?.name ?? "")")
        }
        #expect(seen == ["DELETED a", "ADDED b", "MODIFIED c"])
        var current = try store.watch(filter, from: .currentState).makeAsyncIterator()
        var names: Set<String> = []
        for _ in 0..<2 { names.insert(try #require(await current.next()).key?.name ?? "") }
        #expect(names == ["b", "c"])
        let byName = try store.watch(WatchFilter(resource: configMaps, name: "c"), from: .after(start))
        var onlyC = byName.makeAsyncIterator()
        #expect(try #require(await onlyC.next()).key?.name == "c")
    }
}
