import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@testable import KubeServer

private let widgetCRD: JSONValue = [
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": ["name": "widgets.example.com"],
    "spec": [
        "group": "example.com", "scope": "Namespaced",
        "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]],
        "versions": [
            [
                "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                "schema": [
                    "openAPIV3Schema": [
                        "type": "object",
                        "properties": [
                            "spec": [
                                "type": "object", "required": ["size"],
                                "properties": [
                                    "size": ["type": "integer", "minimum": 1, "maximum": 10],
                                    "color": ["type": "string", "enum": ["red", "blue"], "default": "red"],
                                ],
                            ],
                            "status": ["type": "object", "properties": ["ready": ["type": "boolean"]]],
                        ],
                    ]
                ],
            ]
        ],
    ],
]

private func send(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: JSONValue? = nil,
    contentType: String = "application/json"
) async throws -> (Int, JSONValue) {
    let headers: HTTPFields = [.authorization: "Bearer t", .contentType: contentType]
    return try await client.execute(
        uri: uri, method: method, headers: headers,
        body: body.map { ByteBuffer(bytes: $0.serialized()) }
    ) { response in
        (response.status.code, (try? JSONValue(parsing: Array(response.body.readableBytesView))) ?? .null)
    }
}

@Suite struct CustomResourceTests {
    @Test func crdServesValidatedPrunedDefaultedObjects() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["t"]))
        try await server.ensureDefaultNamespaces()
        try await Application(responder: server.makeResponder()).test(.router) { client in
            let (created, crd) = try await send(client, .post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCRD)
            #expect(created == 201)
            #expect(crd.finalizers.contains("customresourcecleanup.apiextensions.k8s.io"))
            let (_, established) = try await send(
                client, .get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
            let conditions = established[path: ["status", "conditions"]]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })

            let (_, resources) = try await send(client, .get, "/apis/example.com/v1")
            let widget = resources["resources"]?.arrayValue?.first { $0["name"] == "widgets" }
            #expect(widget?["shortNames"] == ["wd"])
            #expect(resources["resources"]?.arrayValue?.contains { $0["name"] == "widgets/status" } == true)

            let path = "/apis/example.com/v1/namespaces/default/widgets"
            let (invalid, status) = try await send(client, .post, path, ["metadata": ["name": "big"], "spec": ["size": 11]])
            #expect(invalid == 422)
            #expect(status[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "spec.size")

            let (strict, strictStatus) = try await send(
                client, .post, "\(path)?fieldValidation=Strict",
                ["metadata": ["name": "w"], "spec": ["size": 2, "shape": "round"]])
            #expect(strict == 400)
            #expect(strictStatus["message"]?.stringValue?.contains("unknown field \"spec.shape\"") == true)

            let (ok, widgetObject) = try await send(
                client, .post, path,
                [
                    "metadata": ["name": "w"], "spec": ["size": 2, "shape": "round"],
                    "status": ["ready": true],
                ])
            #expect(ok == 201)
            #expect(widgetObject[path: ["spec", "shape"]] == nil)
            #expect(widgetObject[path: ["spec", "color"]] == "red")
            #expect(widgetObject["status"] == nil)

            let (statusCode, withStatus) = try await send(
                client, .patch, "\(path)/w/status", ["status": ["ready": true]],
                contentType: "application/merge-patch+json")
            #expect(statusCode == 200)
            #expect(withStatus[path: ["status", "ready"]] == true)

            let (smp, _) = try await send(
                client, .patch, "\(path)/w", ["spec": ["size": 3]],
                contentType: "application/strategic-merge-patch+json")
            #expect(smp == 415)
        }
    }
}

@Suite struct GarbageCollectionTests {
    private func configMap(_ name: String, owner: JSONValue? = nil) -> JSONValue {
        var object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)]]
        if let owner, let uid = owner.uid {
            object.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: owner.name ?? "", uid: uid)]
        }
        return object
    }

    private func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func dependentsFollowTheirOwnerAndNamespacesEmpty() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["t"]))
        try await server.ensureDefaultNamespaces()
        let collector = Task { try await server.tree.garbageCollector.run() }
        defer { collector.cancel() }
        try await Task.sleep(for: .milliseconds(50))
        try await Application(responder: server.makeResponder()).test(.router) { client in
            let path = "/api/v1/namespaces/default/configmaps"
            let (_, parent) = try await send(client, .post, path, configMap("parent"))
            _ = try await send(client, .post, path, configMap("child-1", owner: parent))
            _ = try await send(client, .post, path, configMap("child-2", owner: parent))
            let (deleted, _) = try await send(client, .delete, "\(path)/parent")
            #expect(deleted == 200)
            let configMaps = GroupResource(group: "", resource: "configmaps")
            #expect(try await eventually { server.store.count(configMaps, namespace: "default") == 0 })

            _ = try await send(client, .post, "/api/v1/namespaces", ["metadata": ["name": "doomed"]])
            _ = try await send(client, .post, "/api/v1/namespaces/doomed/configmaps", configMap("inside"))
            let (_, terminating) = try await send(client, .delete, "/api/v1/namespaces/doomed")
            #expect(terminating[path: ["status", "phase"]] == "Terminating")
            let namespaces = GroupResource(group: "", resource: "namespaces")
            #expect(try await eventually { server.store.get(StorageKey(namespaces, name: "doomed")) == nil })
            #expect(server.store.count(configMaps, namespace: "doomed") == 0)
        }
    }

    @Test func foregroundDeletionWaitsForDependents() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["t"]))
        try await server.ensureDefaultNamespaces()
        try await Application(responder: server.makeResponder()).test(.router) { client in
            let path = "/api/v1/namespaces/default/configmaps"
            let (_, parent) = try await send(client, .post, path, configMap("parent"))
            _ = try await send(client, .post, path, configMap("child", owner: parent))
            let (_, deleting) = try await send(
                client, .delete, "\(path)/parent",
                ["kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"])
            #expect(deleting.finalizers == ["foregroundDeletion"])
            // Nothing collects yet: the parent waits for its child.
            let (stillThere, _) = try await send(client, .get, "\(path)/parent")
            #expect(stillThere == 200)
            let collector = Task { try await server.tree.garbageCollector.run() }
            defer { collector.cancel() }
            let configMaps = GroupResource(group: "", resource: "configmaps")
            #expect(try await eventually { server.store.count(configMaps, namespace: "default") == 0 })
        }
    }
}
