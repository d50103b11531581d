import Foundation
import KubeClient
import KubeModel
import Synchronization
import Testing
import VirtyardTesting

/// List+watch that survives broken watches and 410 Gone, against the embedded server.
@Suite(.timeLimit(.minutes(2)))
struct ResilientWatchTests {
    static let fast = ReconnectBackoff(initial: .milliseconds(20), maximum: .milliseconds(200), multiplier: 2, jitter: 0.2)

    /// What a cache built from the events would hold, and how often it was rebuilt.
    static func replay(_ events: [ResilientWatch.Event]) -> (names: Set<String>, relists: Int, added: [String]) {
        var names = Set<String>()
        var relists = 0
        var added: [String] = []
        for event in events {
            switch event {
            case .relisted(let items, _):
                relists += 1
                names = Set(items.compactMap(\.name))
            case .event(let change):
                guard let name = change.object.name else { continue }
                switch change.type {
                case .added:
                    added.append(name)
                    names.insert(name)
                case .modified: names.insert(name)
                case .deleted: names.remove(name)
                case .bookmark, .error: break
                }
            }
        }
        return (names, relists, added)
    }

    @Test func listsThenStreamsChanges() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            _ = try await client.create(.configMaps, object: configMap("before", labels: ["app": "demo"]))
            _ = try await client.create(.configMaps, object: configMap("unrelated"))
            let watch = ResilientWatch(
                client, resource: .configMaps, namespace: "default",
                configuration: .init(labelSelector: "app=demo", backoff: Self.fast))
            let recorder = Recorder<ResilientWatch.Event>()
            let consumer = Task {
                for await event in watch { recorder.append(event) }
            }
            defer { consumer.cancel() }
            _ = await recorder.wait { !$0.isEmpty }
            _ = try await client.create(.configMaps, object: configMap("after", labels: ["app": "demo"]))
            _ = try await client.create(.configMaps, object: configMap("ignored"))
            try await client.delete(.configMaps, namespace: "default", name: "before")
            let events = await recorder.wait { $0.count >= 3 }
            guard case .relisted(let items, let version)? = events.first else {
                Issue.record("the first element must be the initial list")
                return
            }
            #expect(items.compactMap(\.name) == ["before"])
            #expect(!version.isEmpty)
            let state = Self.replay(events)
            #expect(state.names == ["after"])
            #expect(state.relists == 1 && state.added == ["after"])
        }
    }

    @Test func survives410ByRelisting() async throws {
        try await TestCluster.run(watchHistory: 5) { cluster in
            let client = try cluster.client()
            let watch = ResilientWatch(
                client, resource: .configMaps, namespace: "default",
                configuration: .init(
                    backoff: Self.fast, watchTimeoutSeconds: 1...1,
                    allowBookmarks: false))
            var iterator = watch.makeAsyncIterator()
            guard case .relisted(let initial, _)? = await iterator.next() else {
                Issue.record("expected the initial list")
                return
            }
            #expect(initial.isEmpty)
            _ = try await client.create(.configMaps, object: configMap("first"))
            guard case .event(let added)? = await iterator.next() else {
                Issue.record("expected the ADDED event")
                return
            }
            #expect(added.type == .added && added.object.name == "first")

            // Let the server end that watch (timeoutSeconds=1), then write more than the
            // server's history holds before the next watch can resume.
            try await Task.sleep(for: .milliseconds(1500))
            for index in 0..<8 { _ = try await client.create(.configMaps, object: configMap("gap-\(index)")) }

            guard case .relisted(let items, let version)? = await iterator.next() else {
                Issue.record("expected a relist after 410 Gone")
                return
            }
            #expect(Set(items.compactMap(\.name)) == Set(["first"] + (0..<8).map { "gap-\($0)" }))
            #expect(Int(version.rawValue) ?? 0 > Int(added.object.resourceVersion ?? "") ?? 0)

            _ = try await client.create(.configMaps, object: configMap("after-relist"))
            guard case .event(let next)? = await iterator.next() else {
                Issue.record("expected events to continue after the relist")
                return
            }
            #expect(next.type == .added && next.object.name == "after-relist")
        }
    }

    @Test func noEventLostAcrossForcedBreaks() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let counting = CountingAPI(client)
            let watch = ResilientWatch(
                counting, resource: .configMaps, namespace: "default",
                configuration: .init(backoff: Self.fast, watchTimeoutSeconds: 1...1))
            let recorder = Recorder<ResilientWatch.Event>()
            let consumer = Task {
                for await event in watch { recorder.append(event) }
            }
            defer { consumer.cancel() }
            _ = await recorder.wait { !$0.isEmpty }

            // Writes spread over about three seconds: the server ends each watch after one,
            // so several land while the client is reconnecting.
            let names = (0..<30).map { "cm-\($0)" }
            for name in names {
                _ = try await client.create(.configMaps, object: configMap(name))
                try await Task.sleep(for: .milliseconds(100))
            }
            for name in names.prefix(10) { try await client.delete(.configMaps, namespace: "default", name: name) }

            let events = await recorder.wait { Self.replay($0).names == Set(names.dropFirst(10)) }
            let state = Self.replay(events)
            #expect(state.added == names, "every creation arrives once, in order")
            #expect(state.relists == 1, "resuming from the last resourceVersion needs no relist")
            #expect(counting.watches >= 3, "the server ended several watches (\(counting.watches))")
        }
    }

    @Test func retriesWithBackoffAndStopsOnCancel() async throws {
        // Nothing listens on the port: every list fails, is reported, and is retried.
        let configuration = KubeConfig(server: "https://127.0.0.1:1", tls: .init(insecureSkipVerify: true))
        let client = try HTTPKubernetesClient(configuration: configuration)
        let failures = Recorder<KubeClientError>()
        let watch = ResilientWatch(
            client, resource: .configMaps,
            configuration: .init(backoff: Self.fast, onError: { failures.append($0) }))
        let consumer = Task {
            var received = 0
            for await _ in watch { received += 1 }
            return received
        }
        let errors = await failures.wait { $0.count >= 3 }
        #expect(errors.allSatisfy { $0.code == 0 && $0.reason == "TransportError" })
        consumer.cancel()
        #expect(await consumer.value == 0, "cancelling ends the sequence")
        try await client.shutdown()
    }

    @Test func cancellingTheConsumerClosesTheWatch() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let baseline = cluster.server.store.watcherCount
            let watch = ResilientWatch(client, resource: .configMaps, namespace: "default")
            let recorder = Recorder<ResilientWatch.Event>()
            let consumer = Task {
                for await event in watch { recorder.append(event) }
            }
            _ = await recorder.wait { !$0.isEmpty }
            let open = await eventually { cluster.server.store.watcherCount == baseline + 1 }
            #expect(open)
            consumer.cancel()
            _ = await consumer.value
            let closed = try await cluster.watchersReturn(to: baseline, using: client)
            #expect(closed)
        }
    }
}

/// Passes calls through to another API, counting watches.
final class CountingAPI: KubernetesAPI {
    let base: any KubernetesAPI
    private let watchCount = Mutex(0)

    init(_ base: any KubernetesAPI) {
        self.base = base
    }

    var watches: Int { watchCount.withLock { $0 } }

    func get(
        _ resource: ResourceType, namespace: String?, name: String,
        subresource: String?
    ) async throws(KubeClientError) -> JSONValue {
        try await base.get(resource, namespace: namespace, name: name, subresource: subresource)
    }

    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList {
        try await base.list(resource, namespace: namespace, options: options)
    }

    func create(
        _ resource: ResourceType, namespace: String?, object: JSONValue,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        try await base.create(resource, namespace: namespace, object: object, options: options)
    }

    func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        try await base.post(
            resource, namespace: namespace, name: name, subresource: subresource, body: body,
            options: options)
    }

    func update(
        _ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        try await base.update(resource, namespace: namespace, object: object, subresource: subresource, options: options)
    }

    func patch(
        _ resource: ResourceType, namespace: String?, name: String, patch: JSONValue, type: PatchType,
        subresource: String?, options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        try await base.patch(
            resource, namespace: namespace, name: name, patch: patch, type: type,
            subresource: subresource, options: options)
    }

    func delete(
        _ resource: ResourceType, namespace: String?, name: String,
        options: DeleteOptions
    ) async throws(KubeClientError) -> JSONValue {
        try await base.delete(resource, namespace: namespace, name: name, options: options)
    }

    func watch(
        _ resource: ResourceType, namespace: String?,
        options: ListOptions
    ) async throws(KubeClientError) -> AsyncThrowingStream<WatchEventObject, any Error> {
        watchCount.withLock { $0 += 1 }
        return try await base.watch(resource, namespace: namespace, options: options)
    }
}
