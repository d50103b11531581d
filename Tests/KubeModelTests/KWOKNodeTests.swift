import Testing

@testable import KubeModel

/// KWOKNode's default shape is what the simulation and the capacity scenarios have always
/// created; the kubeadm role changes the labels and taints only.
@Suite struct KWOKNodeTests {
    @Test func theDefaultIsAKWOKAgentTaintedAsFake() {
        let node = KWOKNode.make(name: "kwok-node-1", cpu: Quantity(32), memory: Quantity(128 << 30))
        let expected: JSONValue = [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": "kwok-node-1",
                "labels": [
                    "type": "kwok", "kubernetes.io/hostname": "kwok-node-1", "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
                    "kubernetes.io/role": "agent", "node-role.kubernetes.io/agent": "", "kubevirt.io/schedulable": "true",
                ],
                "annotations": ["kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"],
            ],
            "spec": ["taints": [["key": "kwok.x-k8s.io/node", "value": "fake", "effect": "NoSchedule"]]],
            "status": [
                "capacity": ["cpu": "32", "memory": "128Gi", "pods": "110"],
                "allocatable": ["cpu": "32", "memory": "128Gi", "pods": "110"],
            ],
        ]
        #expect(node == expected)
        #expect(Node(node).isReady == false)
    }

    @Test func aKubeadmControlPlaneHasItsRoleLabelAndTaintOnly() {
        let node = KWOKNode.make(
            name: "cp", cpu: Quantity(2), memory: Quantity(4 << 30), tainted: false, role: .kubeadm(controlPlane: true))
        #expect(node.labels["node-role.kubernetes.io/control-plane"] == "")
        #expect(node.labels["type"] == nil && node.labels[KubeVirtLabels.schedulable] == nil)
        #expect(Node(node).taints == [KWOKNode.controlPlaneTaint])
        let worker = KWOKNode.make(name: "wk", cpu: Quantity(2), memory: Quantity(4 << 30), role: .kubeadm(controlPlane: false))
        #expect(Node(worker).taints == [KWOKNode.taint])
        #expect(worker.labels.keys.sorted() == ["kubernetes.io/arch", "kubernetes.io/hostname", "kubernetes.io/os"])
    }

    @Test func aRegisteredNodeIsReadyWithItsRangeAndAddress() {
        let node = KWOKNode.make(
            name: "n", cpu: Quantity(2), memory: Quantity(4 << 30),
            registered: .init(podCIDR: "10.244.3.0/24", internalIP: "192.168.122.13", nodeInfo: ["kubeletVersion": "v1.32.4"]))
        #expect(Node(node).isReady)
        #expect(Node(node).podCIDR == "10.244.3.0/24")
        #expect(node[path: ["spec", "podCIDRs"]] == ["10.244.3.0/24"])
        #expect(
            node[path: ["status", "addresses"]] == [
                ["type": "InternalIP", "address": "192.168.122.13"], ["type": "Hostname", "address": "n"],
            ])
        #expect(node[path: ["status", "nodeInfo", "kubeletVersion"]] == "v1.32.4")
    }
}
