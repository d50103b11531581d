import ControllerKit
import KubeModel
import Testing

/// The pods-by-node index the simulated kubelet and the capacity exporter share.
@Suite struct PodsByNodeIndexTests {
    private static func pod(_ name: String, node: String?, namespace: String = "ns") -> JSONValue {
        var pod = Fixtures.object(Fixtures.pods, namespace, name)
        if let node { pod[path: ["spec", "nodeName"]] = .string(node) }
        return pod
    }

    @Test func indexesBoundPodsOnlyAndFollowsRebinding() {
        var indexer = Indexer()
        indexer.upsert(Self.pod("a", node: "n1"))
        indexer.indexPodsByNode()
        indexer.upsert(Self.pod("b", node: "n1", namespace: "other"))
        indexer.upsert(Self.pod("c", node: "n2"))
        indexer.upsert(Self.pod("pending", node: nil))
        indexer.upsert(Self.pod("empty", node: ""))
        #expect(indexer.podsOnNode("n1").compactMap(\.name).sorted() == ["a", "b"])
        #expect(indexer.podsOnNode("n2").compactMap(\.name) == ["c"])
        // An unscheduled pod is on no node, not on a node named "".
        #expect(indexer.podsOnNode("").isEmpty)
        #expect(indexer.indexedValues(PodsByNodeIndex.name) == ["n1", "n2"])

        indexer.upsert(Self.pod("c", node: "n1"))
        #expect(indexer.podsOnNode("n2").isEmpty)
        #expect(indexer.podsOnNode("n1").count == 3)
        indexer.remove(ObjectKey(namespace: "ns", name: "a"))
        #expect(indexer.podsOnNode("n1").compactMap(\.name).sorted() == ["b", "c"])
    }

    @Test func withoutTheIndexNoPodIsOnANode() {
        var indexer = Indexer()
        indexer.upsert(Self.pod("a", node: "n1"))
        #expect(indexer.podsOnNode("n1").isEmpty)
    }

    @Test func addingTheIndexTwiceKeepsOneCopyOfEachPod() {
        var indexer = Indexer()
        indexer.indexPodsByNode()
        indexer.upsert(Self.pod("a", node: "n1"))
        indexer.indexPodsByNode()
        #expect(indexer.podsOnNode("n1").compactMap(\.name) == ["a"])
    }

    @Test func informerAnswersFromItsCache() async throws {
        let api = FakeKubernetesAPI()
        await api.put(Fixtures.pods, Self.pod("a", node: "n1"))
        await api.put(Fixtures.pods, Self.pod("b", node: "n2"))
        await api.put(Fixtures.pods, Self.pod("c", node: nil))
        let informer = Informer(api: api, resource: Fixtures.pods)
        informer.indexPodsByNode()
        try await withRunning({ try await informer.run() }) {
            try await informer.waitForSync()
            #expect(informer.podsOnNode("n1").compactMap(\.name) == ["a"])
            #expect(informer.podsOnNode("n2").compactMap(\.name) == ["b"])
            #expect(informer.podsOnNode("n3").isEmpty)
        }
    }
}
