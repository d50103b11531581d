import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@testable import KubeServer

private func send(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: JSONValue? = nil,
    token: String
) async throws -> (Int, JSONValue) {
    let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
    return try await client.execute(
        uri: uri, method: method, headers: headers,
        body: body.map { ByteBuffer(bytes: $0.serialized()) }
    ) { response in
        (response.status.code, (try? JSONValue(parsing: Array(response.body.readableBytesView))) ?? .null)
    }
}

private func configMap(_ name: String, _ data: [String: String] = [:]) -> JSONValue {
    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": .object(data.mapValues(JSONValue.string))]
}

private func names(_ list: JSONValue) -> [String] {
    list["items"]?.arrayValue?.compactMap(\.name).sorted() ?? []
}

@Suite struct VirtualClusterTests {
    @Test func virtualClustersAreIsolatedTreesWithTheirOwnTokens() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["admin"]))
        try await server.ensureDefaultNamespaces()
        _ = try await server.virtualClusters.create(id: "cluster1", tokens: ["s1"])
        _ = try await server.virtualClusters.create(id: "cluster2", tokens: ["s2"])
        try await Application(responder: server.makeResponder()).test(.router) { client in
            let base = "/api/v1/namespaces/default/configmaps"
            #expect(try await send(client, .post, "/clusters/cluster1" + base, configMap("in-one"), token: "s1").0 == 201)
            #expect(try await send(client, .post, "/clusters/cluster2" + base, configMap("in-two"), token: "s2").0 == 201)
            #expect(try await send(client, .post, base, configMap("in-main"), token: "admin").0 == 201)

            #expect(names(try await send(client, .get, "/clusters/cluster1" + base, token: "s1").1) == ["in-one"])
            #expect(names(try await send(client, .get, "/clusters/cluster2" + base, token: "s2").1) == ["in-two"])
            #expect(names(try await send(client, .get, base, token: "admin").1) == ["in-main"])

            // A token reaches its own cluster only; the admin token reaches none.
            #expect(try await send(client, .get, "/clusters/cluster2" + base, token: "s1").0 == 401)
            #expect(try await send(client, .get, "/clusters/cluster1" + base, token: "admin").0 == 401)
            #expect(try await send(client, .get, base, token: "s1").0 == 401)
            #expect(try await send(client, .get, "/clusters/nope" + base, token: "s1").0 == 404)

            // Each tree has its own discovery and namespaces.
            let (_, namespaces) = try await send(client, .get, "/clusters/cluster1/api/v1/namespaces", token: "s1")
            #expect(names(namespaces) == ["default", "kube-node-lease", "kube-public", "kube-system"])
            let (code, versions) = try await send(client, .get, "/clusters/cluster1/api", token: "s1")
            #expect(code == 200)
            #expect(versions["versions"] == ["v1"])

            // Revoked tokens stop working at once.
            server.virtualClusters.cluster("cluster1")?.tokens.revoke("s1")
            #expect(try await send(client, .get, "/clusters/cluster1" + base, token: "s1").0 == 401)
        }
        await server.virtualClusters.stopAll()
    }

    @Test func restoreBringsBackTheBaselineAndDropsLaterObjects() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["admin"]))
        let cluster = try await server.virtualClusters.create(id: "lab", tokens: ["t"])
        try await Application(responder: server.makeResponder()).test(.router) { client in
            let base = "/clusters/lab/api/v1/namespaces/default/configmaps"
            #expect(try await send(client, .post, base, configMap("baseline", ["k": "v"]), token: "t").0 == 201)
            // The baseline includes what the cluster's own controllers keep (the `default`
            // ServiceAccount), so nothing of theirs lands between baseline and restore.
            let account = "/clusters/lab/api/v1/namespaces/default/serviceaccounts/default"
            var waited = 0
            while try await send(client, .get, account, token: "t").0 != 200, waited < 500 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 1
            }
            let baseline = cluster.snapshot()

            // The user's session: changes the baseline, adds objects and a namespace.
            #expect(try await send(client, .put, base + "/baseline", configMap("baseline", ["k": "changed"]), token: "t").0 == 200)
            for index in 0..<50 {
                #expect(try await send(client, .post, base, configMap("user-\(index)"), token: "t").0 == 201)
            }
            let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "scratch"]]
            #expect(try await send(client, .post, "/clusters/lab/api/v1/namespaces", namespace, token: "t").0 == 201)

            try await cluster.restore(baseline)

            let (_, list) = try await send(client, .get, base, token: "t")
            #expect(names(list) == ["baseline"])
            #expect(list["items"]?.arrayValue?.first?["data"] == ["k": "v"])
            #expect(try await send(client, .get, "/clusters/lab/api/v1/namespaces/scratch", token: "t").0 == 404)
            let after = Set(cluster.snapshot().objects.map { "\($0.key)" })
            let before = Set(baseline.objects.map { "\($0.key)" })
            #expect(after == before, "added \(after.subtracting(before)), lost \(before.subtracting(after))")
        }
        await server.virtualClusters.stopAll()
    }

    @Test func idsMustBeDNSLabelsAndUnique() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["admin"]))
        await #expect(throws: VirtualClusters.Failure.self) { _ = try await server.virtualClusters.create(id: "Bad_Id", tokens: []) }
        _ = try await server.virtualClusters.create(id: "ok", tokens: [])
        await #expect(throws: VirtualClusters.Failure.self) { _ = try await server.virtualClusters.create(id: "ok", tokens: []) }
        await server.virtualClusters.remove("ok")
        #expect(server.virtualClusters.ids.isEmpty)
    }
}
