import KubeModel

/// Node objects in KWOK's conventions, and the addresses the simulation hands out.
public enum SimulatedNode {
    /// KWOK's marker annotation: the node belongs to the simulator.
    public static let kwokAnnotation = "kwok.x-k8s.io/node"
    public static let kwokTaint = Taint(key: "kwok.x-k8s.io/node", value: "fake", effect: .noSchedule)
    /// virt-handler's label on nodes that can run VMs; launcher pods select it.
    public static let schedulableLabel = "kubevirt.io/schedulable"

    /// A new node as KWOK's examples write them: labelled `type=kwok`, tainted so that only
    /// pods that tolerate the fake node land there. Status is filled in by the simulator.
    public static func make(name: String, cpu: Quantity, memory: Quantity, pods: Int64 = 110,
                            labels extra: [String: String] = [:]) -> JSONValue {
        var node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": [:], "spec": [:]]
        node.name = name
        var labels = [
            "type": "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64", "kubernetes.io/role": "agent",
            "node-role.kubernetes.io/agent": "", schedulableLabel: "true",
        ]
        labels.merge(extra) { _, new in new }
        node.labels = labels
        node.annotations = [kwokAnnotation: "fake", "node.alpha.kubernetes.io/ttl": "0"]
        var view = Node(node)
        view.taints = [kwokTaint.json]
        let resources: JSONValue = ["cpu": cpu.json, "memory": memory.json, "pods": Quantity(pods).json]
        view.capacity = resources
        view.allocatable = resources
        return view.object
    }

    /// Whether the simulation plays kubelet for this node.
    public static func isSimulated(_ node: JSONValue) -> Bool {
        node.annotations[kwokAnnotation] == "fake" || node.labels["type"] == "kwok"
    }

    /// The `n`-th node's pod range, `10.128.0.0/24` onwards (room for 32,768 nodes).
    public static func podCIDR(index: Int) -> String {
        "10.\(128 + (index / 256) % 128).\(index % 256).0/24"
    }

    /// The `n`-th node's InternalIP in `172.16.0.0/12`.
    public static func nodeIP(index: Int) -> String {
        "172.\(16 + (index / 65_536) % 16).\((index / 256) % 256).\(index % 256)"
    }

    /// The index a pod CIDR was made from, so restarts keep counting after existing nodes.
    static func index(ofPodCIDR cidr: String) -> Int? {
        let octets = cidr.split(separator: "/").first?.split(separator: ".").compactMap { Int($0) } ?? []
        guard octets.count == 4, octets[0] == 10, octets[1] >= 128 else { return nil }
        return (octets[1] - 128) * 256 + octets[2]
    }
}
