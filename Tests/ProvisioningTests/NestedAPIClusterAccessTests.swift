import Foundation
import KubeClient
import KubeModel
import Testing
import VirtyardTesting

@testable import Provisioning

/// Against a real cluster the provisioner reads readiness from the provisioned cluster's own
/// API, through the kubeconfig in Secret `<name>-kubeconfig`. One embedded server plays both
/// the host (holding the Secret) and the nested cluster (holding the Nodes).
@Suite struct NestedAPIClusterAccessTests {
    static func node(_ name: String, ready: Bool, controlPlane: Bool) -> JSONValue {
        var labels: [String: JSONValue] = ["kubernetes.io/hostname": .string(name)]
        if controlPlane { labels["node-role.kubernetes.io/control-plane"] = "" }
        return [
            "apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": .object(labels)],
            "status": [
                "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]],
                "nodeInfo": ["kubeletVersion": "v1.32.0+k3s1"],
            ],
        ]
    }

    static func kubeconfigSecret(_ text: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "demo-kubeconfig", "namespace": "default"],
            "data": ["value": .string(Data(text.utf8).base64EncodedString())],
        ]
    }

    @Test func nodesComeFromTheNestedAPIAndRemovalDeletesTheNode() async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            let access = NestedAPIClusterAccess(host: api)
            // No Secret yet: the cluster's API is not reachable.
            #expect(await access.nodes(namespace: "default", cluster: "demo") == nil)

            _ = try await api.create(.secrets, namespace: "default", object: Self.kubeconfigSecret(cluster.kubeconfig()))
            for (name, ready, controlPlane) in [("demo-cp-01", true, true), ("demo-work-01", false, false)] {
                let created = try await api.create(.nodes, object: Self.node(name, ready: ready, controlPlane: controlPlane))
                // Status is a subresource: written as the kubelet would.
                var withStatus = created
                withStatus["status"] = Self.node(name, ready: ready, controlPlane: controlPlane)["status"]
                _ = try await api.updateStatus(.nodes, object: withStatus)
            }
            let nodes = try #require(await access.nodes(namespace: "default", cluster: "demo")).sorted { $0.name < $1.name }
            #expect(
                nodes == [
                    ProvisionedNode(name: "demo-cp-01", ready: true, kubeletVersion: "v1.32.0+k3s1", controlPlane: true),
                    ProvisionedNode(name: "demo-work-01", ready: false, kubeletVersion: "v1.32.0+k3s1", controlPlane: false),
                ])

            try await access.removeNode(namespace: "default", cluster: "demo", node: "demo-work-01")
            #expect(await access.nodes(namespace: "default", cluster: "demo")?.map(\.name) == ["demo-cp-01"])
            // Removing a node that is already gone is not an error.
            try await access.removeNode(namespace: "default", cluster: "demo", node: "demo-work-01")
        }
    }

    @Test func aKubeconfigThatDoesNotWorkIsNotAnAnswer() async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            let access = NestedAPIClusterAccess(host: api)
            _ = try await api.create(.secrets, namespace: "default", object: Self.kubeconfigSecret("not: [a kubeconfig"))
            #expect(await access.nodes(namespace: "default", cluster: "demo") == nil)
            // A well-formed kubeconfig whose token the cluster refuses.
            _ = try await api.delete(.secrets, namespace: "default", name: "demo-kubeconfig")
            _ = try await api.create(.secrets, namespace: "default", object: Self.kubeconfigSecret(cluster.kubeconfig(token: "wrong")))
            #expect(await access.nodes(namespace: "default", cluster: "demo") == nil)
            #expect(await access.bootFailures(namespace: "default", cluster: "demo").isEmpty)
        }
    }
}
