import KubeModel

/// What `kubectl drain --ignore-daemonsets --delete-emptydir-data --force` does to a Node
/// before the provisioner removes it, as pure decisions both cluster accesses apply: cordon
/// (`spec.unschedulable`), then evict every pod bound to it except those that would come
/// straight back or that the kubelet owns — DaemonSet pods and mirror (static) pods. A pod no
/// controller owns is evicted too (`--force`): its node is going away either way.
public enum NodeDrain {
    /// The annotation the kubelet sets on the API's copy of a static pod.
    public static let mirrorAnnotation = "kubernetes.io/config.mirror"

    /// The merge patch that cordons a Node.
    public static let cordonPatch: JSONValue = ["spec": ["unschedulable": true]]

    /// Whether `node` is cordoned already.
    public static func isCordoned(_ node: JSONValue) -> Bool {
        node[path: ["spec", "unschedulable"]]?.boolValue == true
    }

    /// Whether the drain must see `pod` go: neither a DaemonSet's nor a mirror pod.
    public static func mustLeave(_ pod: JSONValue) -> Bool {
        if pod.annotations[mirrorAnnotation] != nil { return false }
        let daemonSetOwned = pod.ownerReferences.contains { $0.kind == "DaemonSet" && $0.controller == true }
        return !daemonSetOwned
    }

    /// The pods of `pods` bound to `node` that the drain waits for.
    public static func podsToEvict(_ pods: [JSONValue], node: String) -> [JSONValue] {
        pods.filter { $0[path: ["spec", "nodeName"]]?.stringValue == node && mustLeave($0) }
    }

    /// The `policy/v1` Eviction posted to a pod's `eviction` subresource (it honours the pod's
    /// PodDisruptionBudgets, as `kubectl drain` does).
    public static func eviction(of pod: JSONValue) -> JSONValue {
        [
            "apiVersion": "policy/v1", "kind": "Eviction",
            "metadata": ["name": .string(pod.name ?? ""), "namespace": .string(pod.namespace ?? "")],
        ]
    }

    /// `namespace/name`, as the operation reports pods left behind.
    public static func reference(_ pod: JSONValue) -> String { "\(pod.namespace ?? "")/\(pod.name ?? "")" }
}
