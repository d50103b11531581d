import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@testable import KubeServer

/// Drives the REST façade in process, through Hummingbird's test client.
private func withAPI(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    let server = try KubeAPIServer(configuration: .init(tokens: ["test-token"]))
    try await server.ensureDefaultNamespaces()
    let application = Application(responder: server.makeResponder())
    try await application.test(.router) { client in try await body(client) }
}

private let auth: HTTPFields = [.authorization: "Bearer test-token", .contentType: "application/json"]

private func call(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: JSONValue? = nil,
    contentType: String = "application/json"
) async throws -> (Int, JSONValue) {
    var headers = auth
    headers[.contentType] = contentType
    return try await client.execute(
        uri: uri, method: method, headers: headers,
        body: body.map { ByteBuffer(bytes: $0.serialized()) }
    ) { response in
        let bytes = Array(response.body.readableBytesView)
        return (response.status.code, (try? JSONValue(parsing: bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
    }
}

private let configMapsPath = "/api/v1/namespaces/default/configmaps"

@Suite struct RESTTests {
    @Test func requestsWithoutTheTokenAreRefused() async throws {
        try await withAPI { client in
            let code = try await client.execute(uri: configMapsPath, method: .get) { $0.status.code }
            #expect(code == 401)
            let version = try await client.execute(uri: "/version", method: .get) { $0.status.code }
            #expect(version == 200)
        }
    }

    @Test func createGetUpdateWithOptimisticConcurrency() async throws {
        try await withAPI { client in
            let (created, object) = try await call(
                client, .post, configMapsPath,
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "one"], "data": ["k": "v"]])
            #expect(created == 201)
            let uid = try #require(object.uid)
            // kube-apiserver keeps no generation for ConfigMaps (it does for workloads and CRs).
            #expect(object.generation == nil)
            let (duplicate, status) = try await call(client, .post, configMapsPath, ["metadata": ["name": "one"]])
            #expect(duplicate == 409)
            #expect(status["reason"] == "AlreadyExists")

            var changed = object
            changed["data"] = ["k": "w"]
            let (updated, after) = try await call(client, .put, "\(configMapsPath)/one", changed)
            #expect(updated == 200)
            #expect(after.uid == uid)
            #expect(after.generation == nil)
            #expect(Int(after.resourceVersion ?? "") ?? 0 > Int(object.resourceVersion ?? "") ?? 0)

            let (stale, conflict) = try await call(client, .put, "\(configMapsPath)/one", changed)
            #expect(stale == 409)
            #expect(conflict["reason"] == "Conflict")
        }
    }

    @Test func generateNameAndInvalidNames() async throws {
        try await withAPI { client in
            let (code, object) = try await call(client, .post, configMapsPath, ["metadata": ["generateName": "gen-"]])
            #expect(code == 201)
            #expect(object.name?.hasPrefix("gen-") == true)
            #expect(object.name?.count == 9)
            let (invalid, status) = try await call(client, .post, configMapsPath, ["metadata": ["name": "Not_Valid"]])
            #expect(invalid == 422)
            #expect(status["reason"] == "Invalid")
            #expect(status[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "metadata.name")
            let (malformed, _) = try await client.execute(
                uri: configMapsPath, method: .post, headers: auth,
                body: ByteBuffer(string: "{not json")
            ) { ($0.status.code, 0) }
            #expect(malformed == 400)
        }
    }

    @Test func patchKinds() async throws {
        try await withAPI { client in
            _ = try await call(client, .post, configMapsPath, ["metadata": ["name": "p", "labels": ["a": "1"]], "data": ["x": "1"]])
            let (merge, merged) = try await call(
                client, .patch, "\(configMapsPath)/p", ["data": ["y": "2", "x": nil]],
                contentType: "application/merge-patch+json")
            #expect(merge == 200)
            #expect(merged["data"] == ["y": "2"])
            let (json, patched) = try await call(
                client, .patch, "\(configMapsPath)/p",
                [["op": "add", "path": "/metadata/labels/b", "value": "2"]],
                contentType: "application/json-patch+json")
            #expect(json == 200)
            #expect(patched.labels == ["a": "1", "b": "2"])
            let (unsupported, _) = try await call(
                client, .patch, "\(configMapsPath)/p", ["data": [:]],
                contentType: "text/plain")
            #expect(unsupported == 415)
        }
    }

    @Test func strategicMergeKeepsOtherContainers() async throws {
        try await withAPI { client in
            let pod: JSONValue = [
                "metadata": ["name": "web"],
                "spec": [
                    "containers": [
                        ["name": "app", "image": "nginx", "env": [["name": "A", "value": "1"]]],
                        ["name": "sidecar", "image": "busybox"],
                    ]
                ],
            ]
            _ = try await call(client, .post, "/api/v1/namespaces/default/pods", pod)
            let (code, patched) = try await call(
                client, .patch, "/api/v1/namespaces/default/pods/web",
                ["spec": ["containers": [["name": "app", "env": [["name": "B", "value": "2"]]]]]],
                contentType: "application/strategic-merge-patch+json")
            #expect(code == 200)
            let containers = patched[path: ["spec", "containers"]]?.arrayValue ?? []
            #expect(containers.count == 2)
            #expect(containers.first?["env"]?.arrayValue?.count == 2)
            #expect(patched[path: ["status", "phase"]] == "Pending")
        }
    }

    @Test func statusSubresourceSeparatesSpecAndStatus() async throws {
        try await withAPI { client in
            _ = try await call(
                client, .post, "/api/v1/namespaces/default/pods",
                ["metadata": ["name": "s"], "spec": ["containers": [["name": "c", "image": "i"]]]])
            let (_, current) = try await call(client, .get, "/api/v1/namespaces/default/pods/s")
            var statusOnly = current
            statusOnly["status"] = ["phase": "Running"]
            statusOnly[path: ["spec", "nodeName"]] = "ignored"
            let (code, afterStatus) = try await call(client, .put, "/api/v1/namespaces/default/pods/s/status", statusOnly)
            #expect(code == 200)
            #expect(afterStatus[path: ["status", "phase"]] == "Running")
            #expect(afterStatus[path: ["spec", "nodeName"]] == nil)
            // Pods have no generation in Kubernetes 1.32 (custom resources' tests check it).
            #expect(afterStatus.generation == nil)
            var specOnly = afterStatus
            specOnly["status"] = ["phase": "Failed"]
            specOnly[path: ["spec", "nodeName"]] = "node-1"
            let (_, afterSpec) = try await call(client, .put, "/api/v1/namespaces/default/pods/s", specOnly)
            #expect(afterSpec[path: ["status", "phase"]] == "Running")
            #expect(afterSpec.generation == nil)
        }
    }

    @Test func listPagesWithLimitAndContinue() async throws {
        try await withAPI { client in
            for index in 0..<5 { _ = try await call(client, .post, configMapsPath, ["metadata": ["name": .string("cm-\(index)")]]) }
            var names: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let suffix = token.map { "&continue=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
                let (_, page) = try await call(client, .get, "\(configMapsPath)?limit=2\(suffix)")
                names += page["items"]?.arrayValue?.compactMap(\.name) ?? []
                token = page[path: ["metadata", "continue"]]?.stringValue
                pages += 1
            } while token != nil && pages < 10
            #expect(names == ["cm-0", "cm-1", "cm-2", "cm-3", "cm-4"])
            #expect(pages == 3)
        }
    }

    @Test func finalizersHoldDeletion() async throws {
        try await withAPI { client in
            _ = try await call(client, .post, configMapsPath, ["metadata": ["name": "held", "finalizers": ["example.com/hold"]]])
            let (code, deleting) = try await call(client, .delete, "\(configMapsPath)/held")
            #expect(code == 200)
            #expect(deleting.deletionTimestamp != nil)
            let (stillThere, _) = try await call(client, .get, "\(configMapsPath)/held")
            #expect(stillThere == 200)
            _ = try await call(
                client, .patch, "\(configMapsPath)/held", ["metadata": ["finalizers": nil]],
                contentType: "application/merge-patch+json")
            let (gone, _) = try await call(client, .get, "\(configMapsPath)/held")
            #expect(gone == 404)
        }
    }

    @Test func dryRunWritesNothing() async throws {
        try await withAPI { client in
            let (code, object) = try await call(client, .post, "\(configMapsPath)?dryRun=All", ["metadata": ["name": "dry"]])
            #expect(code == 201)
            #expect(object.name == "dry")
            let (missing, _) = try await call(client, .get, "\(configMapsPath)/dry")
            #expect(missing == 404)
        }
    }

    @Test func discoveryListsBuiltinsAndOpenAPIMarksFieldValidation() async throws {
        try await withAPI { client in
            let (_, core) = try await call(client, .get, "/api/v1")
            let names = core["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.contains("pods") && names.contains("pods/status") && names.contains("configmaps"))
            let (_, index) = try await call(client, .get, "/openapi/v3")
            let url = try #require(index[path: ["paths", "api/v1", "serverRelativeURL"]]?.stringValue)
            let (_, document) = try await call(client, .get, url)
            let patch = document[path: ["paths", "/api/v1/namespaces/{namespace}/configmaps/{name}", "patch"]]
            #expect(patch?["x-kubernetes-action"] == "patch")
            #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } == true)
        }
    }
}

/// A PUT that changes nothing is a no-op (same resourceVersion, no event), whether or not
/// the store still holds the tree the object was written from (stored objects are kept
/// encoded; issue 17). It used to write `generation: null` into kinds without one.
@Suite struct NoOpUpdateTests {
    @Test func anUnchangedPutKeepsItsResourceVersionWithOrWithoutTheWritersTree() async throws {
        try await withAPI { client in
            func send(_ method: HTTPRequest.Method, _ uri: String, _ text: String) async throws -> (Int, JSONValue) {
                try await client.execute(uri: uri, method: method, headers: auth, body: ByteBuffer(string: text)) { response in
                    let bytes = Array(response.body.readableBytesView)
                    return (response.status.code, (try? JSONValue(parsing: bytes)) ?? .null)
                }
            }
            let body = """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"numbers","annotations":{"a":"b"}},
                 "data":{"k":"v"},"binaryData":{}}
                """
            let (created, first) = try await send(.post, configMapsPath, body)
            #expect(created == 201)
            let version = try #require(first.resourceVersion)
            var again = first
            again["data"] = ["k": "v"]
            let (same, second) = try await call(client, .put, "\(configMapsPath)/numbers", again)
            #expect(same == 200)
            #expect(second.resourceVersion == version)
            #expect(second[path: ["metadata", "generation"]] == nil)
            // Enough other writes that the store no longer holds the tree of `numbers`.
            let filler = String(repeating: "x", count: 60_000)
            for index in 0..<4 {
                let (code, _) = try await call(
                    client, .post, configMapsPath, ["metadata": ["name": .string("filler-\(index)")], "data": ["x": .string(filler)]])
                #expect(code == 201)
            }
            let (stillSame, third) = try await call(client, .put, "\(configMapsPath)/numbers", again)
            #expect(stillSame == 200)
            #expect(third.resourceVersion == version)
        }
    }
}
