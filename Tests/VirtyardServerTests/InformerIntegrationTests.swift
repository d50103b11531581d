import ControllerKit
import Foundation
import KubeClient
import KubeModel
import Synchronization
import Testing
import VirtyardTesting

/// The informer against the real embedded API over HTTPS: events in order, nothing lost
/// across watches the server ends every second and resumes that fall out of a five-event
/// history (410 Gone, then a re-list).
@Suite struct InformerIntegrationTests {
    @Test func cacheConvergesInOrderAcrossWatchBreaksAndGone() async throws {
        try await TestCluster.run(watchHistory: 5) { cluster in
            let client = try cluster.client()
            let informer = Informer(
                api: client, resource: .configMaps, namespace: "default",
                configuration: InformerConfiguration(pageSize: 7, watchTimeoutSeconds: 1...1))
            let seen = Mutex<[String: [Int]]>([:])
            let outOfOrder = Mutex<[String]>([])
            informer.addEventHandler { event in
                guard let name = event.object.name, let version = Int(event.object.resourceVersion ?? "") else { return }
                seen.withLock { seen in
                    if let last = seen[name]?.last, version <= last {
                        outOfOrder.withLock { $0.append("\(name): \(version) after \(last)") }
                    }
                    seen[name, default: []].append(version)
                }
            }
            let running = Task { try await informer.run() }
            defer { running.cancel() }
            try await informer.waitForSync()

            // Writes spread over several seconds, so they straddle watch breaks and resumes.
            for index in 0..<60 {
                let name = "cm-\(index)"
                _ = try await client.create(.configMaps, namespace: "default", object: configMap(name))
                if index % 3 == 0 {
                    _ = try await client.patch(
                        .configMaps, namespace: "default", name: name,
                        patch: ["data": ["touched": "yes"]])
                }
                if index % 5 == 0 { try await client.delete(.configMaps, namespace: "default", name: name) }
                try await Task.sleep(for: .milliseconds(40))
            }

            let expected = try await client.list(.configMaps, namespace: "default").items
            let want = Set(expected.map { "\($0.name ?? "")@\($0.resourceVersion ?? "")" })
            let converged = await eventually(timeout: .seconds(20)) {
                Set(informer.list(namespace: "default").map { "\($0.name ?? "")@\($0.resourceVersion ?? "")" }) == want
            }
            #expect(converged)
            #expect(want.count == 48)
            #expect(outOfOrder.withLock { $0 }.isEmpty)
            // Every surviving object that was patched was seen in its patched state.
            let patched = informer.list(namespace: "default").filter { $0[path: ["data", "touched"]] == "yes" }
            #expect(patched.count == 16)
        }
    }
}
