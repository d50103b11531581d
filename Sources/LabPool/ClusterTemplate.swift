import KubeModel

/// The VirtualMachines of one lab cluster, from its pool's template: `spec.template.controlPlane`
/// and `spec.template.worker` are VirtualMachine `spec.template`s; without them a small VM
/// booting the pool's golden image (`spec.template.image`, a container disk) is used.
enum ClusterTemplate {
    static let defaultImage = "quay.io/containerdisks/ubuntu:22.04"

    static func virtualMachine(name: String, namespace: String, clusterID: String, role: String,
                               pool: JSONValue) -> JSONValue {
        let template = pool[path: ["spec", "template"]]
        let image = template?["image"]?.stringValue ?? defaultImage
        var vmTemplate = template?[role == "control-plane" ? "controlPlane" : "worker"] ?? [
            "spec": [
                "domain": [
                    "cpu": ["cores": 2],
                    "memory": ["guest": role == "control-plane" ? "4Gi" : "2Gi"],
                    "devices": ["disks": [["name": "rootdisk", "disk": ["bus": "virtio"]]]],
                ],
                "volumes": [["name": "rootdisk", "containerDisk": ["image": .string(image)]]],
            ],
        ]
        var labels = JSONValue.stringMap(vmTemplate[path: ["metadata", "labels"]])
        labels["virtyard.io/lab-cluster"] = clusterID
        labels["virtyard.io/lab-role"] = role
        if role == "control-plane" { labels[Lab.virtualClusterLabel] = clusterID }
        // Both VMs are nodes of the cluster they form.
        labels[Lab.virtualClusterNodeLabel] = clusterID
        labels.merge(quotaLabels(pool), uniquingKeysWith: { _, quota in quota })
        vmTemplate[path: ["metadata", "labels"]] = .object(labels.mapValues(JSONValue.string))
        return [
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": ["name": .string(name), "namespace": .string(namespace),
                         "labels": ["virtyard.io/lab-cluster": .string(clusterID), "virtyard.io/lab-role": .string(role)]],
            "spec": ["runStrategy": "Always", "template": vmTemplate],
        ]
    }

    /// `spec.quota` as the labels the host reads when it starts the cluster's API.
    static func quotaLabels(_ pool: JSONValue) -> [String: String] {
        var labels: [String: String] = [:]
        if let objects = pool[path: ["spec", "quota", "objects"]]?.intValue, objects > 0 {
            labels[Lab.virtualClusterMaxObjectsLabel] = String(objects)
        }
        let bytes = pool[path: ["spec", "quota", "bytes"]]
        let value = bytes?.intValue ?? bytes?.stringValue.flatMap { try? Quantity(parsing: $0) }?.value
        if let value, value > 0 { labels[Lab.virtualClusterMaxBytesLabel] = String(value) }
        return labels
    }

    static func snapshot(of vm: String, namespace: String) -> JSONValue {
        ["apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
         "metadata": ["name": .string(Lab.snapshotName(ofVM: vm)), "namespace": .string(namespace)],
         "spec": ["source": ["apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": .string(vm)]]]
    }

    static func restore(_ name: String, of vm: String, namespace: String) -> JSONValue {
        ["apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineRestore",
         "metadata": ["name": .string(name), "namespace": .string(namespace)],
         "spec": ["target": ["apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": .string(vm)],
                  "virtualMachineSnapshotName": .string(Lab.snapshotName(ofVM: vm))]]
    }
}
