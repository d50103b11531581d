import KubeModel
import Testing

@testable import VirtyardServer

/// A lab cluster's nodes are ``KWOKNode``'s shape dressed as kubeadm's: the JSON must be the
/// one the guest host wrote by hand before it shared that shape.
@Suite struct VirtualClusterNodeTests {
    static let heartbeat = "2026-12-05T04:00:00Z"

    /// The node as `VirtualClusterGuests.node` built it by hand (kept here as the reference).
    static func handBuilt(named name: String, controlPlane: Bool, index: Int) -> JSONValue {
        let octet = index % 250
        var labels: [String: JSONValue] = [
            "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        ]
        if controlPlane { labels["node-role.kubernetes.io/control-plane"] = "" }
        var node: JSONValue = [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name), "labels": .object(labels),
                "annotations": [KWOKNode.annotation: "fake", "node.alpha.kubernetes.io/ttl": "0"],
            ],
            "spec": ["podCIDR": .string("10.244.\(octet).0/24"), "podCIDRs": [.string("10.244.\(octet).0/24")]],
            "status": [
                "conditions": [
                    [
                        "type": "Ready", "status": "True", "reason": "KubeletReady",
                        "message": "kubelet is posting ready status", "lastHeartbeatTime": .string(heartbeat),
                        "lastTransitionTime": .string(heartbeat),
                    ]
                ],
                "nodeInfo": [
                    "kubeletVersion": "v1.32.4", "osImage": "Ubuntu 22.04.5 LTS", "containerRuntimeVersion": "containerd://1.7.24",
                    "kernelVersion": "5.15.0-130-generic", "operatingSystem": "linux", "architecture": "amd64",
                    "bootID": "", "machineID": "", "systemUUID": "", "kubeProxyVersion": "",
                ],
                "addresses": [
                    ["type": "InternalIP", "address": .string("192.168.122.\(10 + octet)")],
                    ["type": "Hostname", "address": .string(name)],
                ],
                "capacity": ["cpu": "2", "memory": "4Gi", "pods": "110"],
                "allocatable": ["cpu": "2", "memory": "4Gi", "pods": "110"],
            ],
        ]
        if controlPlane {
            node[path: ["spec", "taints"]] = [["key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"]]
        }
        return node
    }

    @Test(arguments: [(true, 0), (false, 1), (false, 260)])
    func theNodeIsTheOneWrittenByHand(controlPlane: Bool, index: Int) {
        let name = controlPlane ? "cp-lab-1" : "wk-lab-1"
        let made = VirtualClusterGuests.node(named: name, controlPlane: controlPlane, index: index, heartbeat: Self.heartbeat)
        #expect(made == Self.handBuilt(named: name, controlPlane: controlPlane, index: index))
    }

    @Test func aLabClusterNodeIsNeitherAKWOKAgentNorTaintedAsFake() {
        let node = VirtualClusterGuests.node(named: "wk-lab-1", controlPlane: false, index: 1)
        #expect(node.labels["type"] == nil)
        #expect(node[path: ["spec", "taints"]] == nil)
        #expect(KWOKNode.isSimulated(node))
        #expect(Node(node).isReady)
    }
}
