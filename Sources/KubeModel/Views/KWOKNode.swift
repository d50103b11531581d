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

    /// kubeadm's taint on a control-plane node, as `spec.taints` stores it.
    public static let controlPlaneTaint: JSONValue = ["key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"]

    /// How a new node is labelled (and, for a control plane, tainted).
    public enum Role: Sendable, Hashable {
        /// As KWOK's examples write a node: labelled `type=kwok`, an `agent`, able to run VMs.
        case kwokAgent
        /// As kubeadm joins a machine: the well-known labels only; a control plane also gets
        /// kubeadm's role label and ``controlPlaneTaint``.
        case kubeadm(controlPlane: Bool)
    }

    /// What a registered kubelet has reported, for a node that is Ready from its creation (a
    /// lab cluster's nodes: no kubelet writes their status later).
    public struct Registration: Sendable, Hashable {
        /// The node's pod range (`spec.podCIDR`, and the only entry of `spec.podCIDRs`).
        public var podCIDR: String
        /// The `InternalIP` address (the hostname is the node's name).
        public var internalIP: String
        /// `status.nodeInfo`: versions and machine identifiers, as the kubelet reports them.
        public var nodeInfo: [String: String]
        /// When the kubelet last reported Ready (and became Ready).
        public var heartbeat: String

        public init(podCIDR: String, internalIP: String, nodeInfo: [String: String], heartbeat: String = Timestamp.now()) {
            self.podCIDR = podCIDR
            self.internalIP = internalIP
            self.nodeInfo = nodeInfo
            self.heartbeat = heartbeat
        }
    }

    /// A new node, marked with KWOK's ``annotation``. By default as KWOK's examples write
    /// them: labelled `type=kwok` (``Role/kwokAgent``), tainted with ``taint`` (unless `tainted`
    /// is false: the taint keeps real workloads off fake nodes, which only matters where real
    /// nodes exist), and marked as able to run VMs. Status beyond capacity is filled in by
    /// whoever plays its kubelet, unless `registered` fills it in at once.
    public static func make(
        name: String, cpu: Quantity, memory: Quantity, pods: Int64 = 110,
        labels extra: [String: String] = [:], tainted: Bool = true, role: Role = .kwokAgent,
        registered: Registration? = nil
    ) -> JSONValue {
        var node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": [:], "spec": [:]]
        node.name = name
        var labels = ["kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"]
        var taints: [JSONValue] = tainted ? [taint] : []
        switch role {
        case .kwokAgent:
            labels.merge([
                "type": "kwok", "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
                "kubernetes.io/role": "agent", "node-role.kubernetes.io/agent": "", KubeVirtLabels.schedulable: "true",
            ]) { _, new in new }
        case .kubeadm(let controlPlane):
            if controlPlane {
                labels["node-role.kubernetes.io/control-plane"] = ""
                taints.append(controlPlaneTaint)
            }
        }
        labels.merge(extra) { _, new in new }
        node.labels = labels
        node.annotations = [annotation: "fake", "node.alpha.kubernetes.io/ttl": "0"]
        var view = Node(node)
        if !taints.isEmpty { view.taints = taints }
        let resources: JSONValue = ["cpu": cpu.json, "memory": memory.json, "pods": Quantity(pods).json]
        view.capacity = resources
        view.allocatable = resources
        var made = view.object
        if let registered { register(&made, registered) }
        return made
    }

    /// Writes what a Ready kubelet reports (only the Ready condition: the node has no
    /// pressure to report) and the pod range the controller manager assigns.
    private static func register(_ node: inout JSONValue, _ registration: Registration) {
        node[path: ["spec", "podCIDR"]] = .string(registration.podCIDR)
        node[path: ["spec", "podCIDRs"]] = [.string(registration.podCIDR)]
        node[path: ["status", "conditions"]] = [
            [
                "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                "lastHeartbeatTime": .string(registration.heartbeat), "lastTransitionTime": .string(registration.heartbeat),
            ]
        ]
        node[path: ["status", "nodeInfo"]] = .object(registration.nodeInfo.mapValues { .string($0) })
        node[path: ["status", "addresses"]] = [
            ["type": "InternalIP", "address": .string(registration.internalIP)],
            ["type": "Hostname", "address": .string(node.name ?? "")],
        ]
    }

    /// Whether `node` is a KWOK node (by its annotation, or the `type=kwok` label of KWOK's
    /// examples).
    public static func isSimulated(_ node: JSONValue) -> Bool {
        node.annotations[annotation] == "fake" || node.labels["type"] == "kwok"
    }
}
