import Foundation

/// The Node a booted guest registers, as each distribution labels and taints it: the labels
/// and taints of its configuration plus the distribution's own role labels, which kubelets
/// may not set themselves (k3s and RKE2 set them from the server; kubeadm, Talos and OKD's
/// machine config operator likewise).
extension GuestBootConfiguration {
    /// Labels beyond the well-known `kubernetes.io/*` ones.
    public var nodeLabels: [String: String] {
        var result = labels
        switch distribution {
        case .k3s, .rke2:
            // k3s and RKE2 label servers with every role they run, as "true".
            if role == .controlPlane {
                result["node-role.kubernetes.io/control-plane"] = "true"
                result["node-role.kubernetes.io/master"] = "true"
            }
            if role == .controlPlane || role == .etcd { result["node-role.kubernetes.io/etcd"] = "true" }
            let instanceType = distribution == .k3s ? "k3s" : "rke2"
            result["node.kubernetes.io/instance-type"] = instanceType
            result["beta.kubernetes.io/instance-type"] = instanceType
        case .okd:
            if role == .controlPlane {
                result["node-role.kubernetes.io/master"] = ""
                result["node-role.kubernetes.io/control-plane"] = ""
            } else {
                result["node-role.kubernetes.io/worker"] = ""
            }
        default:
            if role == .controlPlane { result["node-role.kubernetes.io/control-plane"] = "" }
        }
        return result
    }

    /// Taints: the configuration's, and the control-plane taint kubeadm, Talos and OKD put
    /// on their control planes (k3s and RKE2 leave servers schedulable).
    public var nodeTaints: [Taint] {
        var result = taints
        guard role == .controlPlane else { return result }
        switch distribution {
        case .vanilla, .talos:
            result.append(Taint(key: "node-role.kubernetes.io/control-plane", value: nil, effect: "NoSchedule"))
        case .okd:
            result.append(Taint(key: "node-role.kubernetes.io/master", value: nil, effect: "NoSchedule"))
        default:
            break
        }
        return result
    }

    /// What the node's kubelet reports as its operating system.
    public var osImage: String {
        switch distribution {
        case .talos: return "Talos (\(TalosProvider.talosVersion))"
        case .okd: return "CentOS Stream CoreOS 9.0 (Plow)"
        default: return "Ubuntu 24.04.1 LTS"
        }
    }
}
