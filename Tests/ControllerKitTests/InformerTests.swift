import KubeClient
import KubeModel
import Testing

@testable import ControllerKit

@Suite("Informer")
struct InformerTests {
    private let pods = Fixtures.pods
    /// Fast retries so that re-watches and re-lists happen within milliseconds.
    private let fast = InformerConfiguration(
        pageSize: 2, backoff: Backoff(initial: .milliseconds(5), maximum: .milliseconds(20), jitter: 0))

    private func seed(_ api: FakeKubernetesAPI, _ names: [String], namespace: String = "ns") async {
        for name in names { await api.put(pods, Fixtures.object(pods, namespace, name)) }
    }

    /// A short, stable rendering of events for comparisons.
    private static func describe(_ event: InformerEvent) -> String {
        switch event {
        case .added(let object, let initial): return "add \(object.name ?? "?")\(initial ? " (initial)" : "")"
        case .updated(let old, let new):
            return "update \(new.name ?? "?") \(old["data"]?["v"]?.intValue ?? 0)->\(new["data"]?["v"]?.intValue ?? 0)"
        case .deleted(let object, let unknown): return "delete \(object.name ?? "?")\(unknown ? " (inferred)" : "")"
        }
    }

    @Test func initialSyncFillsTheCacheAcrossPages() async throws {
        let api = FakeKubernetesAPI()
        await seed(api, ["a", "b", "c", "d", "e"])
        let informer = Informer(api: api, resource: pods, configuration: fast)
        #expect(!informer.hasSynced)
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            #expect(informer.hasSynced)
            #expect(informer.list().compactMap(\.name) == ["a", "b", "c", "d", "e"])
            #expect(informer.get(namespace: "ns", name: "c")?.name == "c")
            #expect(informer.lastSyncResourceVersion == api.currentResourceVersion)
            // Page size 2: three list calls for five objects.
            #expect(api.listCalls == 3)
        }
    }

    @Test func handlersSeeEveryChangeInOrder() async throws {
        let api = FakeKubernetesAPI()
        await seed(api, ["a"])
        let informer = Informer(api: api, resource: pods, configuration: fast)
        let first = Recorder<String>()
        let second = Recorder<String>()
        let registration = informer.addEventHandler { first.append(Self.describe($0)) }
        informer.addEventHandler { second.append(Self.describe($0)) }
        try await withRunning({ try await informer.run() }) {
            try await registration.waitForSync()
            #expect(first.all == ["add a (initial)"])
            await api.put(pods, Fixtures.object(pods, "ns", "b"))
            await api.put(pods, Fixtures.object(pods, "ns", "a", data: ["v": 1]))
            await api.put(pods, Fixtures.object(pods, "ns", "a", data: ["v": 2]))
            _ = try await api.delete(pods, namespace: "ns", name: "b")
            let expected = ["add a (initial)", "add b", "update a 0->1", "update a 1->2", "delete b"]
            #expect(await eventually { first.count == expected.count && second.count == expected.count })
            #expect(first.all == expected)
            #expect(second.all == expected)
            #expect(informer.list().compactMap(\.name) == ["a"])
        }
    }

    @Test func lateHandlerGetsTheCacheReplayedFirst() async throws {
        let api = FakeKubernetesAPI()
        await seed(api, ["a", "b"])
        let informer = Informer(api: api, resource: pods, configuration: fast)
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            let late = Recorder<String>()
            let registration = informer.addEventHandler { late.append(Self.describe($0)) }
            try await registration.waitForSync()
            await api.put(pods, Fixtures.object(pods, "ns", "c"))
            #expect(await eventually { late.count == 3 })
            #expect(late.all == ["add a (initial)", "add b (initial)", "add c"])

            informer.removeEventHandler(registration)
            await api.put(pods, Fixtures.object(pods, "ns", "d"))
            #expect(await eventually { informer.get(namespace: "ns", name: "d") != nil })
            #expect(late.count == 3)
        }
    }

    @Test func reListAfterGoneReportsExactlyTheMissedChanges() async throws {
        let api = FakeKubernetesAPI()
        await seed(api, ["a", "b", "c"])
        let informer = Informer(api: api, resource: pods, configuration: fast)
        let events = Recorder<String>()
        let registration = informer.addEventHandler { events.append(Self.describe($0)) }
        try await withRunning({ try await informer.run() }) {
            try await registration.waitForSync()
            #expect(await eventually { api.openWatches == 1 })

            // Cut the watch and keep the informer from re-watching while the world changes and
            // the server forgets the history: its next watch must get 410.
            api.holdWatches()
            api.closeAllWatches()
            #expect(await eventually { api.openWatches == 0 })
            await api.put(pods, Fixtures.object(pods, "ns", "b", data: ["v": 7]))
            _ = try await api.delete(pods, namespace: "ns", name: "c")
            await api.put(pods, Fixtures.object(pods, "ns", "d"))
            api.compactHistory()
            api.releaseWatches()

            let expected = [
                "add a (initial)", "add b (initial)", "add c (initial)",
                "update b 0->7", "add d", "delete c (inferred)",
            ]
            #expect(await eventually { events.count >= expected.count && api.openWatches == 1 })
            #expect(events.all == expected)
            #expect(api.listCalls == 2 * 2) // two lists, each two pages
            #expect(informer.list().compactMap(\.name) == ["a", "b", "d"])
            #expect(informer.lastSyncResourceVersion == api.currentResourceVersion)
        }
    }

    @Test func goneAsAWatchErrorEventAlsoReLists() async throws {
        let api = FakeKubernetesAPI()
        api.reportGoneAsErrorEvent(true)
        await seed(api, ["a", "b"])
        let informer = Informer(
            api: api, resource: pods,
            configuration: InformerConfiguration(
                pageSize: nil, backoff: Backoff(initial: .milliseconds(5), maximum: .milliseconds(20), jitter: 0)))
        let events = Recorder<String>()
        informer.addEventHandler { events.append(Self.describe($0)) }
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            #expect(await eventually { api.openWatches == 1 })
            api.holdWatches()
            api.closeAllWatches()
            _ = try await api.delete(pods, namespace: "ns", name: "a")
            api.compactHistory()
            api.releaseWatches()
            #expect(await eventually { events.count == 3 })
            #expect(events.all == ["add a (initial)", "add b (initial)", "delete a (inferred)"])
            #expect(api.listCalls == 2)
        }
    }

    @Test func reWatchAfterStreamEndLosesNothing() async throws {
        let api = FakeKubernetesAPI()
        await seed(api, ["a"])
        let informer = Informer(api: api, resource: pods, configuration: fast)
        let events = Recorder<String>()
        informer.addEventHandler { events.append(Self.describe($0)) }
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            #expect(await eventually { api.openWatches == 1 })
            let watchesBefore = api.watchCalls

            // Changes made while no watch is open must arrive through the next watch, which
            // resumes from the last resourceVersion the informer saw.
            api.holdWatches()
            api.closeAllWatches()
            await api.put(pods, Fixtures.object(pods, "ns", "b"))
            await api.put(pods, Fixtures.object(pods, "ns", "a", data: ["v": 1]))
            api.releaseWatches()
            #expect(await eventually { events.count == 3 })
            // And changes after the new watch opened, too.
            #expect(await eventually { api.openWatches == 1 })
            await api.put(pods, Fixtures.object(pods, "ns", "c"))
            #expect(await eventually { events.count == 4 })
            #expect(events.all == ["add a (initial)", "add b", "update a 0->1", "add c"])
            #expect(api.listCalls == 1)
            #expect(api.watchCalls > watchesBefore)
        }
    }

    @Test func failedWatchesAreRetriedWithoutReListing() async throws {
        let api = FakeKubernetesAPI()
        await seed(api, ["a"])
        api.failNextWatches(3)
        let informer = Informer(api: api, resource: pods, configuration: fast)
        let events = Recorder<String>()
        informer.addEventHandler { events.append(Self.describe($0)) }
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            await api.put(pods, Fixtures.object(pods, "ns", "b"))
            #expect(await eventually { events.count == 2 })
            #expect(events.all == ["add a (initial)", "add b"])
            #expect(api.watchCalls >= 4)
            #expect(api.listCalls == 1)
        }
    }

    @Test func bookmarksAdvanceTheResourceVersionSilently() async throws {
        let api = FakeKubernetesAPI()
        await seed(api, ["a"])
        let informer = Informer(api: api, resource: pods, configuration: fast)
        let events = Recorder<String>()
        informer.addEventHandler { events.append(Self.describe($0)) }
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            #expect(await eventually { api.openWatches == 1 })
            let bookmark = api.sendBookmark(pods)
            #expect(await eventually { informer.lastSyncResourceVersion == bookmark })
            #expect(events.all == ["add a (initial)"])
            #expect(informer.list().count == 1)
        }
    }

    @Test func namespaceAndLabelSelectorLimitTheCache() async throws {
        let api = FakeKubernetesAPI()
        await api.put(pods, Fixtures.object(pods, "ns1", "web", labels: ["app": "web"]))
        await api.put(pods, Fixtures.object(pods, "ns1", "db", labels: ["app": "db"]))
        await api.put(pods, Fixtures.object(pods, "ns2", "web2", labels: ["app": "web"]))
        let informer = Informer(api: api, resource: pods, namespace: "ns1", labelSelector: "app=web", configuration: fast)
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            #expect(informer.list().compactMap(\.name) == ["web"])
            await api.put(pods, Fixtures.object(pods, "ns1", "web3", labels: ["app": "web"]))
            await api.put(pods, Fixtures.object(pods, "ns2", "web4", labels: ["app": "web"]))
            await api.put(pods, Fixtures.object(pods, "ns1", "db2", labels: ["app": "db"]))
            #expect(await eventually { informer.list().count == 2 })
            #expect(informer.list().compactMap(\.name) == ["web", "web3"])
        }
    }

    @Test func cacheIndexesAreQueryableThroughTheInformer() async throws {
        let api = FakeKubernetesAPI()
        var pod = Fixtures.object(pods, "ns", "a", labels: ["app": "web"])
        pod[path: ["spec", "nodeName"]] = "node-1"
        await api.put(pods, pod)
        await api.put(pods, Fixtures.object(pods, "other", "b", labels: ["app": "web"]))
        let informer = Informer(api: api, resource: pods, configuration: fast)
        informer.addIndex("node") { $0[path: ["spec", "nodeName"]]?.stringValue.map { [$0] } ?? [] }
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            #expect(informer.byIndex("node", "node-1").compactMap(\.name) == ["a"])
            #expect(informer.byIndex(Indexer.labelIndex, "app=web").count == 2)
            #expect(informer.list(namespace: "other").compactMap(\.name) == ["b"])
            #expect(informer.indexer.byIndex(Indexer.namespaceIndex, "ns").count == 1)
        }
    }

    @Test func anInformerRunsOnce() async throws {
        let api = FakeKubernetesAPI()
        let informer = Informer(api: api, resource: pods, configuration: fast)
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            await #expect(throws: InformerError.self) { try await informer.run() }
        }
    }

    @Test func factorySharesOneInformerPerScopeAndRunsLateOnes() async throws {
        let api = FakeKubernetesAPI()
        await seed(api, ["a"])
        await api.put(Fixtures.configMaps, Fixtures.object(Fixtures.configMaps, "ns", "cm"))
        let factory = SharedInformerFactory(api: api, configuration: fast)
        let podsInformer = factory.informer(for: pods)
        #expect(factory.informer(for: pods) === podsInformer)
        #expect(factory.informer(for: pods, namespace: "ns") !== podsInformer)
        try await withRunning({ try await factory.run() }) {
            try await factory.waitForSync()
            #expect(podsInformer.list().count == 1)
            // Asked for after the factory started: started by it all the same.
            let late = factory.informer(for: Fixtures.configMaps)
            try await late.waitForSync()
            #expect(late.list().compactMap(\.name) == ["cm"])
            #expect(factory.informers.count == 3)
            #expect(factory.hasSynced)
        }
    }
}
