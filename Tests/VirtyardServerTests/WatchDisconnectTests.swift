import KubeClient
import KubeModel
import Testing
import VirtyardTesting

/// A watch whose client disconnects is dropped by the server at once, not only when the
/// next matching event is written to the dead connection.
@Suite struct WatchDisconnectTests {
    @Test func serverForgetsAWatchWhenItsClientGoesAway() async throws {
        try await TestCluster.run { cluster in
            let client = try cluster.client()
            let baseline = cluster.server.store.watcherCount
            let watching = Task {
                let stream = try await client.watch(.configMaps, namespace: "default", options: ListOptions())
                for try await _ in stream {}
            }
            let opened = await eventually(timeout: .seconds(10)) { cluster.server.store.watcherCount == baseline + 1 }
            #expect(opened)
            watching.cancel()
            // No object is written meanwhile: only the closed connection can end the watch.
            let dropped = await eventually(timeout: .seconds(5)) { cluster.server.store.watcherCount == baseline }
            #expect(dropped)
        }
    }
}
