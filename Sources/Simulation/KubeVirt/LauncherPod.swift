import ControllerKit
import KubeClient
import KubeModel

/// Builds the `virt-launcher` pod of a VirtualMachineInstance the way virt-controller's
/// template service does, with the resource arithmetic that decides where it fits.
public struct LauncherPod: Sendable {
    public var cpuAllocationRatio: Int
    public var image: String
    /// Add a toleration of KWOK's taint: in the simulation every node is a KWOK node, and a VM
    /// written for a real cluster would otherwise fit nowhere.
    public var tolerateSimulatedNodes: Bool

    public init(
        cpuAllocationRatio: Int = 10, image: String = "quay.io/kubevirt/virt-launcher:v1.5.0",
        tolerateSimulatedNodes: Bool = true
    ) {
        self.cpuAllocationRatio = max(1, cpuAllocationRatio)
        self.image = image
        self.tolerateSimulatedNodes = tolerateSimulatedNodes
    }

    /// vCPUs of the guest: sockets × cores × threads (each defaulting to 1), or the CPU
    /// request/limit when no topology is given.
    public static func vCPUs(_ vmiSpec: JSONValue) -> Int64 {
        let spec = VirtualMachineInstance.Spec(vmiSpec)
        let cpu = spec.cpu
        let sockets = cpu?["sockets"]?.intValue ?? 1
        let cores = cpu?["cores"]?.intValue ?? 1
        let threads = cpu?["threads"]?.intValue ?? 1
        if cpu?["sockets"] == nil, cpu?["cores"] == nil, cpu?["threads"] == nil,
            let request = spec.cpuRequest ?? spec.cpuLimit
        {
            return max(1, request.value)
        }
        return max(1, sockets * cores * threads)
    }

    /// Guest memory in bytes: `domain.memory.guest`, else the memory request.
    public static func guestMemory(_ vmiSpec: JSONValue) -> Int64 {
        let spec = VirtualMachineInstance.Spec(vmiSpec)
        return (spec.guestMemory ?? spec.memoryRequest ?? spec.memoryLimit)?.value ?? 0
    }

    /// The launcher's memory overhead, after KubeVirt's estimate: page tables (1/512 of the
    /// guest), the launcher's fixed processes (virt-launcher 100 Mi, its monitor 25 Mi,
    /// virtlogd 25 Mi, virtqemud 40 Mi, QEMU 30 Mi), 8 Mi per vCPU and 16 Mi of video memory
    /// unless graphics are off.
    public static func memoryOverhead(_ vmiSpec: JSONValue) -> Int64 {
        let mebibyte: Int64 = 1 << 20
        var overhead = guestMemory(vmiSpec) / 512
        overhead += (100 + 25 + 25 + 40 + 30) * mebibyte
        overhead += vCPUs(vmiSpec) * 8 * mebibyte
        if VirtualMachineInstance.Spec(vmiSpec).autoattachGraphicsDevice != false {
            overhead += 16 * mebibyte
        }
        return overhead
    }

    /// The compute container's requests: CPU is vCPUs ÷ the allocation ratio (an explicit CPU
    /// request wins, dedicated CPUs get whole cores), memory is guest + overhead.
    public func requests(_ vmiSpec: JSONValue) -> ResourceAmounts {
        let vcpus = Self.vCPUs(vmiSpec)
        var milliCPU = vcpus * 1000 / Int64(cpuAllocationRatio)
        let spec = VirtualMachineInstance.Spec(vmiSpec)
        if let explicit = spec.cpuRequest {
            milliCPU = explicit.milliValue
        }
        if spec.dedicatedCPUPlacement { milliCPU = vcpus * 1000 }
        return ResourceAmounts(
            milliCPU: max(1, milliCPU),
            memory: Self.guestMemory(vmiSpec) + Self.memoryOverhead(vmiSpec))
    }

    /// The pod for a VMI; `migration` makes it a migration target (labelled with the job,
    /// kept off the source node, drawn to a preferred node if any).
    public func make(for vmi: JSONValue, migration: (uid: String, sourceNode: String, preferredNode: String?)? = nil) -> JSONValue {
        let name = vmi.name ?? ""
        let spec = VirtualMachineInstance(vmi).spec
        var labels = vmi.labels
        labels.removeValue(forKey: KubeVirtLabels.nodeName)
        labels[KubeVirtLabels.app] = KubeVirtLabels.launcherApp
        labels[KubeVirtLabels.createdBy] = vmi.uid ?? ""
        labels[KubeVirtLabels.vmName] = name
        if let migration { labels[KubeVirtLabels.migrationJobUID] = migration.uid }
        // KubeVirt copies the VMI's annotations except its own bookkeeping ones.
        var annotations = vmi.annotations.filter {
            ![
                "kubevirt.io/latest-observed-api-version", "kubevirt.io/storage-observed-api-version",
                "kubevirt.io/vm-generation",
            ].contains($0.key)
        }
        annotations[KubeVirtLabels.domain] = name
        annotations[KubeVirtLabels.defaultContainer] = "compute"
        annotations["kubevirt.io/migrationTransportUnix"] = "true"
        // Evictions of VM launchers become live migrations (what the descheduler expects).
        annotations["descheduler.alpha.kubernetes.io/request-evict-only"] = ""

        let requests = requests(spec)
        var requestList: JSONValue = ["cpu": Quantity(milliValue: requests.milliCPU).json, "memory": Quantity(requests.memory).json]
        var resources: JSONValue = ["requests": requestList]
        if VirtualMachineInstance.Spec(spec).dedicatedCPUPlacement {
            requestList = ["cpu": Quantity(milliValue: requests.milliCPU).json, "memory": Quantity(requests.memory).json]
            resources["limits"] = requestList
        }
        var nodeSelector = JSONValue.stringMap(spec["nodeSelector"])
        nodeSelector[KubeVirtLabels.schedulable] = "true"
        var tolerations = spec["tolerations"]?.arrayValue ?? []
        if tolerateSimulatedNodes {
            tolerations.append(KWOKNode.toleration)
        }
        var podSpec: JSONValue = [
            "containers": [
                [
                    "name": "compute", "image": .string(image), "command": ["/usr/bin/virt-launcher-monitor"],
                    "resources": resources,
                ]
            ],
            "nodeSelector": .object(nodeSelector.mapValues(JSONValue.string)),
            "tolerations": .array(tolerations),
            "restartPolicy": "Never",
            "automountServiceAccountToken": false,
            "terminationGracePeriodSeconds": .int((spec["terminationGracePeriodSeconds"]?.intValue ?? 30) + 15),
            "hostname": spec["hostname"] ?? .string(name),
        ]
        for field in ["schedulerName", "priorityClassName", "subdomain", "topologySpreadConstraints"] {
            if let value = spec[field] { podSpec[field] = value }
        }
        var affinity = VirtualMachineInstance.Spec(spec).affinity ?? .null
        if let migration {
            affinity = Self.migrationAffinity(affinity, sourceNode: migration.sourceNode, preferredNode: migration.preferredNode)
        }
        if affinity != .null { podSpec["affinity"] = affinity }

        var pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "generateName": .string("virt-launcher-\(name)-"),
                "namespace": .string(vmi.namespace ?? "default"),
            ], "spec": podSpec,
        ]
        pod.ownerReferences = [OwnerReferences.reference(to: vmi, .virtualMachineInstances)]
        pod.labels = labels
        pod.annotations = annotations
        return pod
    }

    /// A migration target must not land on the source node; a preferred node is a soft wish.
    static func migrationAffinity(_ affinity: JSONValue, sourceNode: String, preferredNode: String?) -> JSONValue {
        var affinity = affinity == .null ? [:] : affinity
        let avoidSource: JSONValue = ["key": "kubernetes.io/hostname", "operator": "NotIn", "values": [.string(sourceNode)]]
        var terms = affinity[field: Pod.Affinity.requiredNodeSelectorTerms]?.arrayValue ?? []
        if terms.isEmpty { terms = [["matchExpressions": []]] }
        for index in terms.indices {
            var expressions = terms[index]["matchExpressions"]?.arrayValue ?? []
            expressions.append(avoidSource)
            terms[index]["matchExpressions"] = .array(expressions)
        }
        affinity[field: Pod.Affinity.requiredNodeSelectorTerms] = .array(terms)
        if let preferredNode {
            var preferred = affinity[field: Pod.Affinity.preferredNodeAffinityTerms]?.arrayValue ?? []
            preferred.append([
                "weight": 100,
                "preference": [
                    "matchExpressions": [
                        ["key": "kubernetes.io/hostname", "operator": "In", "values": [.string(preferredNode)]]
                    ]
                ],
            ])
            affinity[field: Pod.Affinity.preferredNodeAffinityTerms] = .array(preferred)
        }
        return affinity
    }
}
