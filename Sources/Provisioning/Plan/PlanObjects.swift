import Foundation
import KubeModel

/// Builds the Kubernetes objects of a plan: Secrets and KubeVirt VirtualMachines.
struct PlanObjects {
    var cluster: ValidatedClusterSpec
    var namespace: String
    var owner: PlanOwner?

    // MARK: - Secrets

    func caSecret(_ authority: ClusterCertificateAuthority) -> JSONValue {
        secret(
            name: "\(cluster.name)-ca", type: "kubernetes.io/tls",
            data: ["tls.crt": authority.certificatePEM, "tls.key": authority.privateKeyPEM])
    }

    func bootstrapSecret(_ secrets: ClusterSecrets) -> JSONValue {
        secret(name: "\(cluster.name)-bootstrap", type: "Opaque", data: secrets.bootstrapSecretData)
    }

    func kubeconfigSecret(_ kubeconfig: String) -> JSONValue {
        secret(name: "\(cluster.name)-kubeconfig", type: "Opaque", data: ["value": kubeconfig])
    }

    func userDataSecret(_ node: PlannedNode, configuration: NodeBootConfiguration) -> JSONValue {
        secret(
            name: "\(node.vmName)-userdata", type: "Opaque", data: ["userdata": configuration.text],
            labels: nodeLabels(node))
    }

    private func secret(name: String, type: String, data: [String: String], labels: [String: JSONValue]? = nil) -> JSONValue {
        [
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata(name: name, labels: labels ?? clusterLabels),
            "type": .string(type),
            "data": .object(data.mapValues { .string(Data($0.utf8).base64EncodedString()) }),
        ]
    }

    // MARK: - Labels and metadata

    var clusterLabels: [String: JSONValue] {
        [
            ProvisioningLabels.cluster: .string(cluster.name),
            ProvisioningLabels.managedBy: .string(ProvisioningLabels.managedByValue),
        ]
    }

    func nodeLabels(_ node: PlannedNode) -> [String: JSONValue] {
        clusterLabels.merging([
            ProvisioningLabels.nodeGroup: .string(node.group.name),
            ProvisioningLabels.role: .string(node.role.labelValue),
        ]) { _, new in new }
    }

    private func metadata(name: String, labels: [String: JSONValue]) -> JSONValue {
        var fields: [String: JSONValue] = ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels)]
        if let owner { fields["ownerReferences"] = [owner.reference] }
        return .object(fields)
    }

    // MARK: - Virtual machines

    /// A VirtualMachine for `node`: resources from the group's template, its root disk, its
    /// user data Secret by reference, pod anti-affinity from the placement.
    func virtualMachine(_ node: PlannedNode, format: NodeBootConfiguration.Format) -> JSONValue {
        let group = node.group
        let memory = "\(group.memoryMB)Mi"
        var rootVolume: JSONValue = ["name": "rootdisk"]
        var dataVolumeTemplates: [JSONValue] = []
        switch group.image {
        case .containerDisk(let image):
            rootVolume = ["name": "rootdisk", "containerDisk": ["image": .string(image)]]
        case .dataVolume(let name, let sourceNamespace):
            let volume = "\(node.vmName)-rootdisk"
            rootVolume = ["name": "rootdisk", "dataVolume": ["name": .string(volume)]]
            dataVolumeTemplates.append(
                dataVolumeTemplate(
                    name: volume, source: ["pvc": ["name": .string(name), "namespace": .string(sourceNamespace ?? namespace)]],
                    sizeGB: group.diskGB))
        case .vmDiskImage(let name, let sourceNamespace):
            let volume = "\(node.vmName)-rootdisk"
            rootVolume = ["name": "rootdisk", "dataVolume": ["name": .string(volume)]]
            // A VMDiskImage keeps a VolumeSnapshot of the same name (docs/image-sync.md).
            dataVolumeTemplates.append(
                dataVolumeTemplate(
                    name: volume,
                    source: ["snapshot": ["name": .string(name), "namespace": .string(sourceNamespace ?? namespace)]],
                    sizeGB: group.diskGB))
        }
        let userData: JSONValue = [
            "name": "userdata",
            format.volumeSource: ["secretRef": ["name": .string("\(node.vmName)-userdata")]],
        ]
        var templateSpec: [String: JSONValue] = [
            "domain": Self.domain(cores: group.cores, memory: memory),
            "networks": [["name": "default", "pod": [:]]],
            "volumes": [rootVolume, userData],
        ]
        if let affinity = antiAffinity(group) { templateSpec["affinity"] = affinity }
        var spec: [String: JSONValue] = [
            "runStrategy": "Always",
            "template": ["metadata": ["labels": .object(nodeLabels(node))], "spec": .object(templateSpec)],
        ]
        if !dataVolumeTemplates.isEmpty { spec["dataVolumeTemplates"] = .array(dataVolumeTemplates) }
        return [
            "apiVersion": "kubevirt.io/v1",
            "kind": "VirtualMachine",
            "metadata": metadata(name: node.vmName, labels: nodeLabels(node)),
            "spec": .object(spec),
        ]
    }

    private func dataVolumeTemplate(name: String, source: JSONValue, sizeGB: Int) -> JSONValue {
        [
            "metadata": ["name": .string(name)],
            "spec": [
                "source": source,
                "storage": ["resources": ["requests": ["storage": .string("\(sizeGB)Gi")]]],
            ],
        ]
    }

    /// Pod anti-affinity between the launcher pods of one group (they carry the VM
    /// template's labels): SOFT prefers other hosts, HARD requires them, ZONE_AWARE prefers
    /// other zones first, then other hosts.
    func antiAffinity(_ group: ValidatedClusterSpec.NodeGroup) -> JSONValue? {
        let selector: JSONValue = [
            "matchLabels": [
                ProvisioningLabels.cluster: .string(cluster.name),
                ProvisioningLabels.nodeGroup: .string(group.name),
            ]
        ]
        let hostTerm: JSONValue = ["labelSelector": selector, "topologyKey": "kubernetes.io/hostname"]
        let zoneTerm: JSONValue = ["labelSelector": selector, "topologyKey": "topology.kubernetes.io/zone"]
        switch group.antiAffinity {
        case .hard:
            return ["podAntiAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [hostTerm]]]
        case .soft:
            return ["podAntiAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [["weight": 100, "podAffinityTerm": hostTerm]]]]
        case .zoneAware:
            return [
                "podAntiAffinity": [
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        ["weight": 100, "podAffinityTerm": zoneTerm],
                        ["weight": 50, "podAffinityTerm": hostTerm],
                    ]
                ]
            ]
        default:
            return nil
        }
    }
}

extension PlanObjects {
    /// A provisioned VM's domain: its cores and memory, a root disk and a user data disk, one
    /// masquerade interface on the pod network (nodes and service VMs alike).
    static func domain(cores: Int, memory: String) -> JSONValue {
        [
            "cpu": ["cores": .int(Int64(cores))],
            "memory": ["guest": .string(memory)],
            "resources": ["requests": ["memory": .string(memory)]],
            "devices": [
                "disks": [
                    ["name": "rootdisk", "disk": ["bus": "virtio"]],
                    ["name": "userdata", "disk": ["bus": "virtio"]],
                ],
                "interfaces": [["name": "default", "masquerade": [:]]],
            ],
        ]
    }
}
