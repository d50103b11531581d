import Capacity
import KubeModel

/// Launcher pods and node figures shared by the capacity tests.
enum CapacityFixtures {
    /// A launcher pod as the simulated virt-controller writes it, with the load annotations a
    /// scenario VM carries.
    static func launcher(
        _ vm: String, node: String? = "n1", phase: String? = "Running",
        annotations extra: [String: String] = [:]
    ) -> Pod {
        var object: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string("virt-launcher-\(vm)-abcde"), "namespace": "default", "uid": .string("uid-\(vm)")],
            "spec": [:], "status": [:],
        ]
        object.labels = [KubeVirtLabels.app: KubeVirtLabels.launcherApp, KubeVirtLabels.vmName: vm]
        var annotations = [KubeVirtLabels.domain: vm]
        annotations.merge(extra) { _, new in new }
        object.annotations = annotations
        var pod = Pod(object)
        if let node { pod.object[field: Pod.Field.nodeName] = .string(node) }
        if let phase { pod.object[field: Pod.Field.phase] = .string(phase) }
        return pod
    }

    static func load(cores: Double, bytes: Int64, cpu: Double, memory: Double) -> [String: String] {
        [
            CapacityAnnotations.cpuCores: String(cores), CapacityAnnotations.memoryBytes: String(bytes),
            CapacityAnnotations.cpuUtilization: String(cpu), CapacityAnnotations.memoryUtilization: String(memory),
        ]
    }

    static func vm(_ name: String, cores: Double = 1, bytes: Int64 = 1 << 30, cpu: Double = 0.5, memory: Double = 0.5) -> VMLoad {
        VMLoad(
            vmName: name, vmID: name, podName: "virt-launcher-\(name)", cpuCores: cores, memoryBytes: bytes,
            cpuUtilization: cpu, memoryUtilization: memory)
    }

    /// A node whose four figures are given (a baseline node without VMs): its score is their mean.
    static func node(_ name: String, usage: Double, vms: [VMLoad] = []) -> NodeUtilization {
        NodeUtilization(
            node: name, cpuCores: 32, memoryBytes: Double(128 << 30), vms: vms,
            baseline: NodeUsageFigures(
                cpuUsage: usage, cpuPressure: usage, memoryUsage: usage,
                memoryPressure: usage))
    }
}
