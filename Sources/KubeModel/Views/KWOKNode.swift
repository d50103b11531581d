/// Node objects in KWOK's conventions (`kwok.x-k8s.io`): the shape of a fake node and how
/// to recognise one.
///
/// Two modules need them: the simulation, which plays kubelet for these nodes, and the
/// capacity capability, which creates them for its scenarios — also on a real cluster that
/// runs KWOK, where no simulation is present.
public enum KWOKNode {
    /// KWOK's marker annotation (`kwok.x-k8s.io/node: fake`): the node belongs to the simulator.
    public static let annotation = "kwok.x-k8s.io/node"
    public static let taintKey = "kwok.x-k8s.io/node"
    public static let taintValue = "fake"
    /// `NoSchedule`: only pods that tolerate the fake node land there.
    public static let taintEffect = "NoSchedule"

    /// The taint as `spec.taints` stores it.
    public static let taint: JSONValue = [
        "key": .string(taintKey), "value": .string(taintValue), "effect": .string(taintEffect),
    ]

    /// A pod toleration of ``taint``, for pods meant to run on fake nodes.
    public static let toleration: JSONValue = [
        "key": .string(taintKey), "operator": "Equal", "value": .string(taintValue), "effect": .string(taintEffect),
    ]

    /// A new node as KWOK's examples write them: labelled `type=kwok`, tainted with ``taint``
    /// (unless `tainted` is false: the taint keeps real workloads off fake nodes, which only
    /// matters where real nodes exist), and marked as able to run VMs. Status beyond capacity
    /// is filled in by whoever plays its kubelet.
    public static func make(
        name: String, cpu: Quantity, memory: Quantity, pods: Int64 = 110,
        labels extra: [String: String] = [:], tainted: Bool = true
    ) -> JSONValue {
        var node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": [:], "spec": [:]]
        node.name = name
        var labels = [
            "type": "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64", "kubernetes.io/role": "agent",
            "node-role.kubernetes.io/agent": "", KubeVirtLabels.schedulable: "true",
        ]
        labels.merge(extra) { _, new in new }
        node.labels = labels
        node.annotations = [annotation: "fake", "node.alpha.kubernetes.io/ttl": "0"]
        var view = Node(node)
        if tainted { view.taints = [taint] }
        let resources: JSONValue = ["cpu": cpu.json, "memory": memory.json, "pods": Quantity(pods).json]
        view.capacity = resources
        view.allocatable = resources
        return view.object
    }

    /// Whether `node` is a KWOK node (by its annotation, or the `type=kwok` label of KWOK's
    /// examples).
    public static func isSimulated(_ node: JSONValue) -> Bool {
        node.annotations[annotation] == "fake" || node.labels["type"] == "kwok"
    }
}
