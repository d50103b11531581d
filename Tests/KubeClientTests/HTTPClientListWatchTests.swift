import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

/// Lists (pagination, selectors) and raw watches against the embedded server over HTTPS.
@Suite(.timeLimit(.minutes(2)))
struct HTTPClientListWatchTests {
    @Test func paginationWithLimitAndContinue() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            for index in 0..<7 {
                _ = try await client.create(.configMaps, object: configMap("page-\(index)", labels: ["set": "paged"]))
            }
            let selector = ListOptions(labelSelector: "set=paged", limit: 3)
            var pages: [[String]] = []
            var options = selector
            while true {
                let page = try await client.list(.configMaps, namespace: "default", options: options)
                pages.append(page.items.compactMap(\.name))
                #expect(!page.resourceVersion.isEmpty)
                guard let token = page.continueToken else { break }
                options.continueToken = token
            }
            #expect(pages.map(\.count) == [3, 3, 1])
            #expect(pages.flatMap { $0 } == (0..<7).map { "page-\($0)" })

            let all = try await client.list(.configMaps, namespace: "default", options: ListOptions(labelSelector: "set=paged"))
            #expect(all.items.count == 7 && all.continueToken == nil)
            #expect(all.items.allSatisfy { $0["kind"] == "ConfigMap" && $0["apiVersion"] == "v1" })
        }
    }

    @Test func labelAndFieldSelectors() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            _ = try await client.create(.configMaps, object: configMap("web", labels: ["tier": "web", "env": "prod"]))
            _ = try await client.create(.configMaps, object: configMap("api", labels: ["tier": "api"]))
            _ = try await client.create(.configMaps, object: configMap("db", labels: ["tier": "db", "env": "prod"]))
            func names(_ labels: String? = nil, fields: String? = nil) async throws -> [String] {
                try await client.list(
                    .configMaps, namespace: "default",
                    options: ListOptions(labelSelector: labels, fieldSelector: fields)
                )
                .items.compactMap(\.name).filter { ["web", "api", "db"].contains($0) }.sorted()
            }
            #expect(try await names("tier in (web,api)") == ["api", "web"])
            #expect(try await names("tier,tier!=db") == ["api", "web"])
            #expect(try await names("env=prod,tier notin (web)") == ["db"])
            #expect(try await names("!env,tier") == ["api"])
            #expect(try await names(fields: "metadata.name=db") == ["db"])
            #expect(try await names("env", fields: "metadata.name!=web") == ["db"])
        }
    }

    @Test func listAcrossNamespaces() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            _ = try await client.create(.namespaces, object: ["metadata": ["name": "other"]])
            _ = try await client.create(.configMaps, object: configMap("here", labels: ["x": "1"]))
            _ = try await client.create(
                .configMaps, namespace: "other",
                object: {
                    var object = configMap("there", labels: ["x": "1"])
                    object[path: ["metadata", "namespace"]] = "other"
                    return object
                }())
            let everywhere = try await client.list(.configMaps, namespace: nil, options: ListOptions(labelSelector: "x=1"))
            #expect(everywhere.items.compactMap(\.name).sorted() == ["here", "there"])
        }
    }

    @Test func watchDeliversAddedModifiedDeletedInOrder() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let start = try await client.list(.configMaps, namespace: "default")
            let events = try await client.watch(
                .configMaps, namespace: "default",
                options: ListOptions(resourceVersion: start.resourceVersion))
            let recorder = Recorder<WatchEventObject>()
            let consumer = Task {
                for try await event in events { recorder.append(event) }
            }
            defer { consumer.cancel() }
            _ = try await client.create(.configMaps, object: configMap("w", data: ["v": "1"]))
            _ = try await client.patch(.configMaps, namespace: "default", name: "w", patch: ["data": ["v": "2"]])
            _ = try await client.create(.configMaps, object: configMap("other"))
            try await client.delete(.configMaps, namespace: "default", name: "w")

            let received = await recorder.wait { $0.count >= 4 }
            #expect(received.map(\.type) == [.added, .modified, .added, .deleted])
            #expect(received.map { $0.object.name } == ["w", "w", "other", "w"])
            #expect(received[1].object[path: ["data", "v"]] == "2")
            let versions = received.compactMap { $0.object.resourceVersion.flatMap { Int($0) } }
            #expect(versions == versions.sorted() && Set(versions).count == 4)
        }
    }

    @Test func watchEndsWhenTheServerEndsIt() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let started = ContinuousClock.now
            let events = try await client.watch(.configMaps, namespace: "default", options: ListOptions(timeoutSeconds: 1))
            var count = 0
            for try await _ in events { count += 1 }
            #expect(count == 0, "no configmaps exist, so the current state adds nothing")
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func watchFromATooOldVersionIsGone() async throws {
        try await TestCluster.run(watchHistory: 5) { cluster in
            let client = try cluster.client()
            let first = try await client.create(.configMaps, object: configMap("old"))
            for index in 0..<10 { _ = try await client.create(.configMaps, object: configMap("newer-\(index)")) }
            do throws(KubeClientError) {
                _ = try await client.watch(
                    .configMaps, namespace: "default",
                    options: ListOptions(resourceVersion: first.resourceVersion.map { ResourceVersion($0) }))
                Issue.record("expected 410 Gone")
            } catch {
                #expect(error.code == 410 && error.isGone)
                #expect(error.request.contains("watch=true"))
            }
        }
    }

    @Test func cancellingTheConsumerClosesTheWatch() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let baseline = cluster.server.store.watcherCount
            let events = try await client.watch(.configMaps, namespace: "default", options: ListOptions())
            let open = await eventually { cluster.server.store.watcherCount == baseline + 1 }
            #expect(open)
            let consumer = Task {
                for try await _ in events {}
            }
            try await Task.sleep(for: .milliseconds(100))
            consumer.cancel()
            _ = await consumer.result
            let closed = try await cluster.watchersReturn(to: baseline, using: client)
            #expect(closed, "cancelling the consumer cancels the request")
        }
    }
}
