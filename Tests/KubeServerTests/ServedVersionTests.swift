import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@testable import KubeServer

/// A virtual cluster reports the version it was given at `/version`; the host keeps its own.
@Suite struct ServedVersionTests {
    private func version(_ client: any TestClientProtocol, _ uri: String) async throws -> JSONValue {
        try await client.execute(uri: uri, method: .get) { response in
            #expect(response.status.code == 200)
            return try JSONValue(parsing: Array(response.body.readableBytesView))
        }
    }

    @Test func aVirtualClusterReportsItsServedVersion() async throws {
        let server = try KubeAPIServer(configuration: .init(tokens: ["admin"]))
        let cluster = try await server.virtualClusters.create(id: "k3s-demo", tokens: ["t"])
        try await Application(responder: server.makeResponder()).test(.router) { client in
            let before = try await version(client, "/clusters/k3s-demo/version")
            #expect(before["gitVersion"]?.stringValue == Discovery.kubernetesVersion.git)

            cluster.servedVersion.gitVersion = "v1.31.4+k3s1"
            let after = try await version(client, "/clusters/k3s-demo/version")
            #expect(after["gitVersion"] == "v1.31.4+k3s1")
            #expect(after["major"] == "1")
            #expect(after["minor"] == "31")
            // The host's own version does not move.
            let host = try await version(client, "/version")
            #expect(host["gitVersion"]?.stringValue == Discovery.kubernetesVersion.git)
            #expect(host["minor"]?.stringValue == Discovery.kubernetesVersion.minor)

            cluster.servedVersion.gitVersion = nil
            #expect(try await version(client, "/clusters/k3s-demo/version")["gitVersion"]?.stringValue == Discovery.kubernetesVersion.git)
        }
        await server.virtualClusters.stopAll()
    }

    @Test func aClusterStoredByAnEarlierRunExists() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("served-version-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try KubeAPIServer(configuration: .init(dataDirectory: directory.path, tokens: ["admin"]))
        let clusters = server.virtualClusters
        #expect(!clusters.exists("stored"))
        _ = try await clusters.create(id: "stored", tokens: [])
        #expect(clusters.exists("stored"))
        // The server stops: the cluster is no longer served, but kept.
        await clusters.stopAll()
        #expect(clusters.cluster("stored") == nil)
        #expect(clusters.exists("stored"))
        _ = try await clusters.ensure(id: "stored")
        await clusters.remove("stored")
        #expect(!clusters.exists("stored"))
        #expect(!clusters.exists("../etc"))
    }
}
