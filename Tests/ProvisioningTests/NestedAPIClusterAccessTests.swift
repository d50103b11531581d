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

    /// Runs `body` with an access whose clients are shut down afterwards, whatever happens (an
    /// AsyncHTTPClient released open traps in a debug build).
    static func withAccess(host: any KubernetesAPI, _ body: (NestedAPIClusterAccess) async throws -> Void) async throws {
        let access = NestedAPIClusterAccess(host: host)
        do {
            try await body(access)
        } catch {
            await access.clients.shutdown()
            throw error
        }
        await access.clients.shutdown()
    }

    static func bind(_ api: any KubernetesAPI, pod name: String, node: String, annotations: [String: String] = [:], owner: JSONValue? = nil)
        async throws
    {
        var pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"],
            "spec": ["nodeName": .string(node), "containers": [["name": "app", "image": "registry.k8s.io/pause:3.10"]]],
        ]
        pod.annotations = annotations
        if let owner { pod[path: ["metadata", "ownerReferences"]] = [owner] }
        _ = try await api.create(.pods, namespace: "default", object: pod)
    }

    @Test func aClientIsKeptPerKubeconfigAndReplacedWhenItChanges() async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            try await Self.withAccess(host: api) { access in
                _ = try await api.create(.secrets, namespace: "default", object: Self.kubeconfigSecret(cluster.kubeconfig()))
                #expect(await access.nodes(namespace: "default", cluster: "demo") != nil)
                let first = try #require(access.clients.clientIdentity("default/demo"))
                #expect(await access.nodes(namespace: "default", cluster: "demo") != nil)
                #expect(access.clients.clientIdentity("default/demo") == first && access.clients.count == 1)

                // A rotated kubeconfig: a new client, the old one closed and forgotten.
                _ = try await api.delete(.secrets, namespace: "default", name: "demo-kubeconfig")
                _ = try await api.create(
                    .secrets, namespace: "default", object: Self.kubeconfigSecret(cluster.kubeconfig() + "\n# rotated\n"))
                #expect(await access.nodes(namespace: "default", cluster: "demo") != nil)
                #expect(access.clients.clientIdentity("default/demo") != first && access.clients.count == 1)

                // A decommissioned cluster's client is closed; idle ones are closed too.
                await access.removeCluster(namespace: "default", cluster: "demo")
                #expect(access.clients.count == 0)
                #expect(await access.nodes(namespace: "default", cluster: "demo") != nil)
                await access.clients.closeIdle(now: .now + .seconds(3600))
                #expect(access.clients.count == 0)
            }
        }
    }

    @Test func drainCordonsAndEvictsAllButDaemonSetAndMirrorPods() async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            try await Self.withAccess(host: api) { access in
                _ = try await api.create(.secrets, namespace: "default", object: Self.kubeconfigSecret(cluster.kubeconfig()))
                _ = try await api.create(.nodes, object: Self.node("demo-work-01", ready: true, controlPlane: false))
                _ = try await api.create(.nodes, object: Self.node("demo-work-02", ready: true, controlPlane: false))
                try await Self.bind(api, pod: "web", node: "demo-work-01")
                try await Self.bind(api, pod: "elsewhere", node: "demo-work-02")
                try await Self.bind(api, pod: "static", node: "demo-work-01", annotations: [NodeDrain.mirrorAnnotation: "abc"])
                // A DaemonSet that exists (the garbage collector removes pods of a missing owner).
                let daemonSets = ResourceType(group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true)
                let agent = try await api.create(
                    daemonSets, namespace: "default",
                    object: [
                        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "agent", "namespace": "default"],
                        "spec": [
                            "selector": ["matchLabels": ["app": "agent"]],
                            "template": [
                                "metadata": ["labels": ["app": "agent"]],
                                "spec": ["containers": [["name": "agent", "image": "registry.k8s.io/pause:3.10"]]],
                            ],
                        ],
                    ])
                let owner: JSONValue = [
                    "apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": .string(agent.uid ?? ""), "controller": true,
                ]
                try await Self.bind(api, pod: "agent", node: "demo-work-01", owner: owner)

                let left = try await access.drainNode(namespace: "default", cluster: "demo", node: "demo-work-01")
                let node = try await api.get(.nodes, name: "demo-work-01")
                #expect(NodeDrain.isCordoned(node))
                #expect(!NodeDrain.isCordoned(try await api.get(.nodes, name: "demo-work-02")))
                // Evicted: gone, or going (a bound pod waits for its kubelet).
                let web = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
                    try await api.get(.pods, namespace: "default", name: "web")
                }
                #expect(web == nil || web?.deletionTimestamp != nil)
                // Reported until a later pass sees it gone.
                #expect(left == ["default/web"])
                let again = try await access.drainNode(namespace: "default", cluster: "demo", node: "demo-work-01")
                #expect(again == (web == nil ? [] : ["default/web"]))
                for kept in ["static", "agent", "elsewhere"] {
                    #expect(try await api.get(.pods, namespace: "default", name: kept).deletionTimestamp == nil, "\(kept)")
                }
                // A node the cluster does not have has nothing to drain.
                #expect(try await access.drainNode(namespace: "default", cluster: "demo", node: "demo-work-09").isEmpty)
            }
        }
    }

    @Test func nodesComeFromTheNestedAPIAndRemovalDeletesTheNode() async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            try await Self.withAccess(host: api) { access in
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
    }

    @Test func aKubeconfigThatDoesNotWorkIsNotAnAnswer() async throws {
        try await TestCluster.run { cluster in
            let api = try cluster.client()
            try await Self.withAccess(host: api) { access in
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
}
