import ControllerKit
import KubeModel
import Testing

@Suite("Indexer")
struct IndexerTests {
    private let pods = Fixtures.pods

    @Test func builtInIndexesFollowUpdatesAndRemovals() {
        var indexer = Indexer()
        indexer.upsert(Fixtures.object(pods, "ns1", "a", labels: ["app": "web", "tier": "front"]))
        indexer.upsert(Fixtures.object(pods, "ns1", "b", labels: ["app": "db"]))
        indexer.upsert(Fixtures.object(pods, "ns2", "c", labels: ["app": "web"]))
        #expect(indexer.count == 3)
        #expect(indexer.byIndex(Indexer.namespaceIndex, "ns1").compactMap(\.name) == ["a", "b"])
        #expect(indexer.byIndex(Indexer.labelIndex, "app=web").compactMap(\.name) == ["a", "c"])
        #expect(indexer.indexedValues(Indexer.namespaceIndex) == ["ns1", "ns2"])

        // Relabelling moves the object between index values.
        indexer.upsert(Fixtures.object(pods, "ns1", "a", labels: ["app": "db"]))
        #expect(indexer.byIndex(Indexer.labelIndex, "app=web").compactMap(\.name) == ["c"])
        #expect(indexer.byIndex(Indexer.labelIndex, "app=db").compactMap(\.name) == ["a", "b"])
        #expect(indexer.byIndex(Indexer.labelIndex, "tier=front").isEmpty)
        #expect(!indexer.indexedValues(Indexer.labelIndex).contains("tier=front"))

        indexer.remove(ObjectKey(namespace: "ns2", name: "c"))
        #expect(indexer.byIndex(Indexer.namespaceIndex, "ns2").isEmpty)
        #expect(indexer.keys == [ObjectKey(namespace: "ns1", name: "a"), ObjectKey(namespace: "ns1", name: "b")])
    }

    @Test func customIndexCoversExistingAndNewObjects() {
        var indexer = Indexer()
        var onNode1 = Fixtures.object(pods, "ns", "a")
        onNode1[path: ["spec", "nodeName"]] = "node-1"
        indexer.upsert(onNode1)
        indexer.addIndex("node") { pod in pod[path: ["spec", "nodeName"]]?.stringValue.map { [$0] } ?? [] }
        var onNode2 = Fixtures.object(pods, "ns", "b")
        onNode2[path: ["spec", "nodeName"]] = "node-2"
        indexer.upsert(onNode2)
        indexer.upsert(Fixtures.object(pods, "ns", "unscheduled"))
        #expect(indexer.byIndex("node", "node-1").compactMap(\.name) == ["a"])
        #expect(indexer.byIndex("node", "node-2").compactMap(\.name) == ["b"])
        #expect(indexer.indexedValues("node") == ["node-1", "node-2"])
        #expect(indexer.byIndex("no-such-index", "x").isEmpty)
        #expect(indexer.indexNames.contains("node"))
    }

    @Test func listFiltersByNamespaceAndSelector() throws {
        var indexer = Indexer()
        indexer.upsert(Fixtures.object(pods, "ns1", "a", labels: ["app": "web"]))
        indexer.upsert(Fixtures.object(pods, "ns1", "b", labels: ["app": "db"]))
        indexer.upsert(Fixtures.object(pods, "ns2", "c", labels: ["app": "web"]))
        let web = try LabelSelector(parsing: "app=web")
        #expect(indexer.list(namespace: "ns1", matching: web).compactMap(\.name) == ["a"])
        #expect(indexer.list(namespace: nil, matching: web).compactMap(\.name) == ["a", "c"])
        #expect(indexer.list(namespace: "ns1").compactMap(\.name) == ["a", "b"])
    }

    @Test func replaceReportsOnlyTheDifferences() {
        var indexer = Indexer()
        let a = Fixtures.object(pods, "ns", "a", data: ["v": 1])
        let b = Fixtures.object(pods, "ns", "b", data: ["v": 1])
        let c = Fixtures.object(pods, "ns", "c")
        let initial = indexer.replace(with: [a, b, c], isInitialList: true)
        #expect(
            initial == [
                .added(a, isInInitialList: true), .added(b, isInInitialList: true),
                .added(c, isInInitialList: true),
            ])

        let b2 = Fixtures.object(pods, "ns", "b", data: ["v": 2])
        let d = Fixtures.object(pods, "ns", "d")
        let diff = indexer.replace(with: [a, b2, d], isInitialList: false)
        #expect(
            diff == [
                .updated(old: b, new: b2), .added(d, isInInitialList: false),
                .deleted(c, finalStateUnknown: true),
            ])
        #expect(indexer.keys.map(\.name) == ["a", "b", "d"])
        #expect(indexer[ObjectKey(namespace: "ns", name: "b")] == b2)
    }

    @Test func objectKeysParseAndPrint() {
        #expect(ObjectKey(parsing: "ns/name") == ObjectKey(namespace: "ns", name: "name"))
        #expect(ObjectKey(parsing: "node-1") == ObjectKey(namespace: nil, name: "node-1"))
        #expect(ObjectKey(parsing: "a/b/c") == nil)
        #expect(ObjectKey(parsing: "/x") == nil)
        #expect(ObjectKey(namespace: "", name: "x") == ObjectKey(namespace: nil, name: "x"))
        #expect(ObjectKey(namespace: "ns", name: "name").description == "ns/name")
        #expect(ObjectKey(Fixtures.object(pods, "ns", "p")) == ObjectKey(namespace: "ns", name: "p"))
        #expect(ObjectKey(JSONValue.object([:])) == nil)
    }
}
