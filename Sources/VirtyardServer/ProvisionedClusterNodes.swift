import Foundation
import KubeModel
import KubeServer
import Provisioning

/// The Node objects of a provisioned cluster's virtual cluster, written straight into its
/// store as the cluster's own components would: the kubelet registers its Node, the node
/// lifecycle controller marks it `Unknown` when its VM stops and the kubelet marks it Ready
/// when it runs again. Nothing else in a virtual cluster writes a Node's Ready condition
/// (no heartbeat runs there), so what is written here stays until the VM changes.
enum ProvisionedClusterNodes {
    static let nodes = GroupResource(group: "", resource: "nodes")
    /// The taint key the node lifecycle controller puts on a node whose kubelet went silent.
    static let unreachable = "node.kubernetes.io/unreachable"

    static func key(_ name: String) -> StorageKey { StorageKey(nodes, namespace: "", name: name) }

    /// The Node a booted guest registers: named after its VM, with its configuration's and
    /// its distribution's labels and taints, the VM's CPU and memory, and `kubeletVersion` =
    /// the version it installed. Marked as KWOK's so the cluster's simulated kubelet runs the
    /// pods scheduled there.
    static func node(
        named name: String, boot: GuestBootConfiguration, cpu: Quantity, memory: Quantity, index: Int,
        now: String = Timestamp.now()
    ) -> JSONValue {
        let octet = index % 250
        let info = [
            "kubeletVersion": boot.version, "kubeProxyVersion": boot.version, "osImage": boot.osImage,
            "containerRuntimeVersion": "containerd://1.7.24", "kernelVersion": "6.8.0-49-generic", "operatingSystem": "linux",
            "architecture": "amd64", "bootID": "", "machineID": "", "systemUUID": "",
        ]
        var node = KWOKNode.make(
            name: name, cpu: cpu, memory: memory, labels: boot.nodeLabels, tainted: false, role: .kubeadm(controlPlane: false),
            registered: KWOKNode.Registration(
                podCIDR: "10.244.\(octet).0/24", internalIP: "10.0.\(octet / 250).\(10 + octet)", nodeInfo: info, heartbeat: now))
        let taints = boot.nodeTaints.map { taint -> JSONValue in
            var entry: JSONValue = ["key": .string(taint.key), "effect": .string(taint.effect)]
            if let value = taint.value { entry["value"] = .string(value) }
            return entry
        }
        if !taints.isEmpty { node[path: ["spec", "taints"]] = .array(taints) }
        return node
    }

    /// Registers `node`, or brings an existing Node of that name (a replaced VM's, or one
    /// kept across a restart) to the new registration, keeping its identity.
    static func register(_ node: JSONValue, in cluster: VirtualCluster) async throws {
        let name = node.name ?? ""
        guard cluster.store.get(key(name)) != nil else {
            try await cluster.createIfMissing(node, group: "", version: "v1", resource: "nodes")
            return
        }
        try await cluster.store.mutate(key(name)) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var object = current?.object else { return .unchanged }
            object.labels = object.labels.merging(node.labels) { _, new in new }
            object[path: ["spec", "taints"]] = node[path: ["spec", "taints"]]
            object["status"] = node["status"]
            return .put(object)
        }
    }

    /// The kubelet posts Ready again: the condition turns True and the lifecycle controller's
    /// unreachable taints go.
    static func markReady(_ name: String, in cluster: VirtualCluster, now: String = Timestamp.now()) async throws {
        try await cluster.store.mutate(key(name)) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var object = current?.object else { return .unchanged }
            var view = Node(object)
            let ready = view.isReady
            let tainted = view.taints.contains { $0["key"]?.stringValue == unreachable }
            guard !ready || tainted else { return .unchanged }
            view.conditions = setReady(
                view.conditions, status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", now: now)
            object = view.object
            let kept = view.taints.filter { $0["key"]?.stringValue != unreachable }
            object[path: ["spec", "taints"]] = kept.isEmpty ? nil : .array(kept)
            return .put(object)
        }
    }

    /// What kube-controller-manager's node lifecycle controller does when a kubelet stops
    /// posting status: Ready `Unknown` (`NodeStatusUnknown`), tainted unreachable.
    static func markUnreachable(_ name: String, in cluster: VirtualCluster, now: String = Timestamp.now()) async throws {
        try await cluster.store.mutate(key(name)) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var object = current?.object else { return .unchanged }
            var view = Node(object)
            let condition = view.conditions.first { $0["type"]?.stringValue == "Ready" }
            guard condition?["status"]?.stringValue != "Unknown" else { return .unchanged }
            view.conditions = setReady(
                view.conditions, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.",
                now: now)
            object = view.object
            var taints = view.taints.filter { $0["key"]?.stringValue != unreachable }
            taints.append(["key": .string(unreachable), "effect": "NoSchedule", "timeAdded": .string(now)])
            taints.append(["key": .string(unreachable), "effect": "NoExecute", "timeAdded": .string(now)])
            object[path: ["spec", "taints"]] = .array(taints)
            return .put(object)
        }
    }

    static func delete(_ name: String, in cluster: VirtualCluster) async throws {
        try await cluster.store.mutate(key(name)) { (current: StoredObject?) throws(APIError) -> Mutation in
            current == nil ? .unchanged : .delete
        }
    }

    private static func setReady(_ conditions: [JSONValue], status: String, reason: String, message: String, now: String) -> [JSONValue] {
        var result = conditions.filter { $0["type"]?.stringValue != "Ready" }
        let previous = conditions.first { $0["type"]?.stringValue == "Ready" }
        let changed = previous?["status"]?.stringValue != status
        result.append([
            "type": "Ready", "status": .string(status), "reason": .string(reason), "message": .string(message),
            "lastHeartbeatTime": .string(now),
            "lastTransitionTime": changed ? .string(now) : previous?["lastTransitionTime"] ?? .string(now),
        ])
        return result
    }

    /// What the cluster reports of `node`.
    static func provisioned(_ node: JSONValue) -> ProvisionedNode {
        let labels = node.labels
        return ProvisionedNode(
            name: node.name ?? "", ready: Node(node).isReady,
            kubeletVersion: node[path: ["status", "nodeInfo", "kubeletVersion"]]?.stringValue ?? "",
            controlPlane: labels["node-role.kubernetes.io/control-plane"] != nil || labels["node-role.kubernetes.io/master"] != nil)
    }
}
