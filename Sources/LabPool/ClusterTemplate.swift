import KubeModel

/// The VirtualMachines of one lab cluster, from its pool's template: `spec.template.controlPlane`
/// and `spec.template.worker` are VirtualMachine `spec.template`s; without them a small VM
/// booting the pool's golden image (`spec.template.image`, a container disk) is used.
enum ClusterTemplate {
    static let defaultImage = "quay.io/containerdisks/ubuntu:22.04"

    static func virtualMachine(
        name: String, namespace: String, clusterID: String, role: String,
        pool: LabPoolObject
    ) -> JSONValue {
        let image = pool.templateImage ?? defaultImage
        var vmTemplate =
            (role == "control-plane" ? pool.controlPlaneTemplate : pool.workerTemplate) ?? [
                "spec": [
                    "domain": [
                        "cpu": ["cores": 2],
                        "memory": ["guest": role == "control-plane" ? "4Gi" : "2Gi"],
                        "devices": ["disks": [["name": "rootdisk", "disk": ["bus": "virtio"]]]],
                    ],
                    "volumes": [["name": "rootdisk", "containerDisk": ["image": .string(image)]]],
                ]
            ]
        // The VM template's own labels (a template has `metadata` like an object).
        var labels = vmTemplate.labels
        labels["virtyard.io/lab-cluster"] = clusterID
        labels["virtyard.io/lab-role"] = role
        if role == "control-plane" { labels[Lab.virtualClusterLabel] = clusterID }
        // Both VMs are nodes of the cluster they form.
        labels[Lab.virtualClusterNodeLabel] = clusterID
        labels.merge(quotaLabels(pool), uniquingKeysWith: { _, quota in quota })
        vmTemplate.labels = labels
        return [
            "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": ["virtyard.io/lab-cluster": .string(clusterID), "virtyard.io/lab-role": .string(role)],
            ],
            "spec": ["runStrategy": "Always", "template": vmTemplate],
        ]
    }

    /// `spec.quota` as the labels the host reads when it starts the cluster's API.
    static func quotaLabels(_ pool: LabPoolObject) -> [String: String] {
        var labels: [String: String] = [:]
        if let objects = pool.quotaObjects, objects > 0 {
            labels[Lab.virtualClusterMaxObjectsLabel] = String(objects)
        }
        if let value = pool.quotaBytes, value > 0 { labels[Lab.virtualClusterMaxBytesLabel] = String(value) }
        return labels
    }

    static func snapshot(of vm: String, namespace: String) -> JSONValue {
        [
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
            "metadata": ["name": .string(Lab.snapshotName(ofVM: vm)), "namespace": .string(namespace)],
            "spec": ["source": ["apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": .string(vm)]],
        ]
    }

    static func restore(_ name: String, of vm: String, namespace: String) -> JSONValue {
        [
            "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineRestore",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "target": ["apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": .string(vm)],
                "virtualMachineSnapshotName": .string(Lab.snapshotName(ofVM: vm)),
            ],
        ]
    }
}
