import Foundation
import KubeModel
import Testing

@testable import KubeServer

/// Namespace termination with a lot of content: every object goes, the conditions name what
/// a finalizer holds back, and the namespace goes once that is released. (How fast is the
/// benchmark's business; this only checks the outcome.)
@Suite struct NamespaceTerminationTests {
    static let configMaps = GroupResource(group: "", resource: "configmaps")
    static let secrets = GroupResource(group: "", resource: "secrets")
    static let namespaces = GroupResource(group: "", resource: "namespaces")

    /// Polls until `condition` holds; false if it never does (the bound only ends a failing test).
    private func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<3000 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Writes `count` objects of `resource` straight into the store (the REST path is not
    /// what is tested here, and would make the test slow).
    private func fill(_ store: ObjectStore, _ resource: GroupResource, kind: String, count: Int, namespace: String) async throws {
        for index in 0..<count {
            let name = "\(resource.resource)-\(index)"
            let object: JSONValue = [
                "apiVersion": "v1", "kind": .string(kind),
                "metadata": [
                    "name": .string(name), "namespace": .string(namespace), "uid": .string(UUID().uuidString),
                    "creationTimestamp": .string(Timestamp.now()),
                ],
            ]
            try await store.mutate(StorageKey(resource, namespace: namespace, name: name)) { _ in .put(object) }
        }
    }

    private func conditions(_ store: ObjectStore, _ namespace: String) -> [String: JSONValue] {
        let object = store.get(StorageKey(Self.namespaces, name: namespace))?.object
        let list = object?[path: ["status", "conditions"]]?.arrayValue ?? []
        return Dictionary(list.map { ($0["type"]?.stringValue ?? "", $0) }) { first, _ in first }
    }

    @Test func aNamespaceOfThousandsOfObjectsTerminatesAndReportsWhatAFinalizerHolds() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["t"]))
        try await server.ensureDefaultNamespaces()
        let store = server.store
        let collector = Task { try await server.tree.garbageCollector.run() }
        defer { collector.cancel() }
        let namespaceKey = StorageKey(Self.namespaces, name: "bulk")
        let namespace: JSONValue = [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": ["name": "bulk", "uid": .string(UUID().uuidString), "creationTimestamp": .string(Timestamp.now())],
            "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
        ]
        try await store.mutate(namespaceKey) { _ in .put(namespace) }
        try await fill(store, Self.configMaps, kind: "ConfigMap", count: 1_500, namespace: "bulk")
        try await fill(store, Self.secrets, kind: "Secret", count: 500, namespace: "bulk")
        let heldKey = StorageKey(Self.configMaps, namespace: "bulk", name: "held")
        let held: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": "held", "namespace": "bulk", "uid": .string(UUID().uuidString), "finalizers": ["example.com/hold"],
            ],
        ]
        try await store.mutate(heldKey) { _ in .put(held) }
        #expect(store.count(Self.configMaps, namespace: "bulk") == 1_501)
        #expect(Set(store.resources(inNamespace: "bulk")) == [Self.configMaps, Self.secrets])

        // What `kubectl delete namespace bulk` does.
        let namespacesResource = try #require(
            server.tree.registry.storedResources().first { $0.groupResource == Self.namespaces })
        let deleting = try await ResourceHandler.delete(
            namespaceKey, resource: namespacesResource, options: ResourceHandler.DeleteOptions(propagationPolicy: "Background"),
            in: store)
        #expect(deleting.after?.object.deletionTimestamp != nil)

        // Everything but the held object goes, and the conditions say what is left.
        let reported = try await eventually {
            conditions(store, "bulk")["NamespaceContentRemaining"]?["message"]
                == "Some resources are remaining: configmaps. has 1 resource instances"
        }
        #expect(reported)
        #expect(store.count(Self.configMaps, namespace: "bulk") == 1)
        #expect(store.count(Self.secrets, namespace: "bulk") == 0)
        let written = conditions(store, "bulk")
        #expect(written["NamespaceContentRemaining"]?["status"] == "True")
        #expect(written["NamespaceFinalizersRemaining"]?["reason"] == "SomeFinalizersRemain")
        #expect(
            written["NamespaceFinalizersRemaining"]?["message"]
                == "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances")
        #expect(written["NamespaceDeletionContentFailure"]?["status"] == "False")
        let content = store.content(ofNamespace: "bulk")
        #expect(content.notDeleting == 0)
        #expect(content.finalizers == ["example.com/hold": 1])

        // Released (an update that removes the last finalizer of a deleted object deletes
        // it), the last object goes and the namespace with it.
        #expect(store.get(heldKey)?.object.deletionTimestamp != nil)
        try await store.mutate(heldKey) { _ in .delete }
        #expect(try await eventually { store.get(namespaceKey) == nil })
        #expect(store.content(ofNamespace: "bulk") == NamespaceContent())
        #expect(store.resources(inNamespace: "bulk").isEmpty)
    }

    @Test func theStoreCountsANamespacesContentAsItIsWritten() async throws {
        let store = try ObjectStore(persistence: nil)
        let key = StorageKey(Self.configMaps, namespace: "counted", name: "one")
        let object: JSONValue = ["metadata": ["name": "one", "namespace": "counted", "finalizers": ["a", "a", "b"]]]
        try await store.mutate(key) { _ in .put(object) }
        var content = store.content(ofNamespace: "counted")
        #expect(content.objects == [Self.configMaps: 1])
        #expect(content.notDeleting == 1)
        #expect(content.finalizers == ["a": 1, "b": 1])

        var deleting = object
        deleting.finalizers = ["b"]
        deleting[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.now())
        try await store.mutate(key) { _ in .put(deleting) }
        content = store.content(ofNamespace: "counted")
        #expect(content.objects == [Self.configMaps: 1])
        #expect(content.notDeleting == 0)
        #expect(content.finalizers == ["b": 1])

        try await store.mutate(key) { _ in .delete }
        #expect(store.content(ofNamespace: "counted").isEmpty)
        #expect(store.count(Self.configMaps, namespace: "counted") == 0)
    }
}
