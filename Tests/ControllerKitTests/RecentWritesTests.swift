import ControllerKit
import KubeModel
import Testing

@Suite("RecentWrites")
struct RecentWritesTests {
    private func object(_ name: String, version: String, phase: String = "Available", namespace: String = "lab") -> JSONValue {
        [
            "metadata": ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(version)],
            "status": ["phase": .string(phase)],
        ]
    }

    @Test func theWriteShowsUntilTheCacheMovesOn() {
        let writes = RecentWrites()
        let cached = object("cluster1", version: "7")
        let written = object("cluster1", version: "8", phase: "Locked")
        writes.record("labclusters", replacing: cached, with: written)
        #expect(writes.latest("labclusters", cached) == written)
        // Another kind, namespace or name is another object.
        #expect(writes.latest("labsessions", cached) == cached)
        let elsewhere = object("cluster1", version: "7", namespace: "other")
        #expect(writes.latest("labclusters", elsewhere) == elsewhere)
        // The cache caught up (or someone wrote after us): the cache is the truth, the record goes.
        let later = object("cluster1", version: "9", phase: "Resetting")
        #expect(writes.latest("labclusters", later) == later)
        #expect(writes.count == 0)
        #expect(writes.latest("labclusters", cached) == cached)
    }

    @Test func aLostEventIsForgottenAfterTheLifetime() async throws {
        let writes = RecentWrites(lifetime: .milliseconds(500))
        let cached = object("s1", version: "3", phase: "Pending")
        writes.record("labsessions", replacing: cached, with: object("s1", version: "4", phase: "Running"))
        #expect(writes.latest("labsessions", cached)[path: ["status", "phase"]] == "Running")
        try await Task.sleep(for: .milliseconds(600))
        #expect(writes.latest("labsessions", cached) == cached)
    }
}
