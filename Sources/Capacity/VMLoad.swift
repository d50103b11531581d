import KubeModel

/// What one VM's launcher pod says about its load, from the annotations a scenario wrote.
public struct VMLoad: Sendable, Equatable {
    public var vmName: String
    public var vmID: String
    public var podName: String
    public var cpuCores: Double
    public var memoryBytes: Int64
    public var cpuUtilization: Double
    public var memoryUtilization: Double

    public func cpuConsumption(nodeCores: Double) -> Double { nodeCores > 0 ? cpuCores * cpuUtilization / nodeCores : 0 }
    public func memoryConsumption(nodeMemory: Double) -> Double {
        nodeMemory > 0 ? Double(memoryBytes) * memoryUtilization / nodeMemory : 0
    }

    /// Reads a launcher pod; nil for pods that are not VM launchers. Pods without load
    /// annotations count as idle VMs of the size their requests imply.
    public init?(pod: Pod) {
        // Read one annotation at a time: building the whole label and annotation maps of every
        // pod costs more than everything else the load index does with it.
        let name = pod.name
        guard pod.label(KubeVirtLabels.app) == KubeVirtLabels.launcherApp || name.hasPrefix("virt-launcher-") else {
            return nil
        }
        vmName = pod.label(KubeVirtLabels.vmName) ?? pod.annotation(KubeVirtLabels.domain) ?? name
        vmID = pod.annotation(CapacityAnnotations.vmID) ?? vmName
        podName = name
        let cores = pod.annotation(CapacityAnnotations.cpuCores)
        let bytes = pod.annotation(CapacityAnnotations.memoryBytes)
        cpuCores = cores.flatMap(Double.init) ?? 1
        memoryBytes = bytes.flatMap { Double($0) }.flatMap { Int64(exactly: $0.rounded(.towardZero)) } ?? 0
        cpuUtilization = pod.annotation(CapacityAnnotations.cpuUtilization).flatMap(Double.init) ?? 0
        memoryUtilization = pod.annotation(CapacityAnnotations.memoryUtilization).flatMap(Double.init) ?? 0
        // The seed document's form: consumption as a share of a 32-core, 128 GiB node.
        if cores == nil, let share = pod.annotation(CapacityAnnotations.cpuConsumption).flatMap(Double.init) {
            cpuCores = share * 32
            cpuUtilization = 1
        }
        if bytes == nil, let share = pod.annotation(CapacityAnnotations.memoryConsumption).flatMap(Double.init),
            let shareBytes = Int64(exactly: (share * Double(128 << 30)).rounded(.towardZero))
        {
            memoryBytes = shareBytes
            memoryUtilization = 1
        }
    }

    public init(
        vmName: String, vmID: String, podName: String, cpuCores: Double, memoryBytes: Int64,
        cpuUtilization: Double, memoryUtilization: Double
    ) {
        self.vmName = vmName
        self.vmID = vmID
        self.podName = podName
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.cpuUtilization = cpuUtilization
        self.memoryUtilization = memoryUtilization
    }
}

/// The annotations a scenario VM carries (node-classifier-sim's names), copied by KubeVirt
/// from the VM template to the VMI and its launcher pod.
public enum CapacityAnnotations {
    public static let vmID = "simulation.node-classifier.io/vm-id"
    public static let cpuCores = "simulation.node-classifier.io/vm-cpu-cores"
    public static let memoryBytes = "simulation.node-classifier.io/vm-memory-bytes"
    public static let cpuUtilization = "simulation.node-classifier.io/vm-cpu-utilization"
    public static let memoryUtilization = "simulation.node-classifier.io/vm-memory-utilization"
    /// The seed document's names: share of a 32-core / 128 Gi node.
    public static let cpuConsumption = "kubevirt.io/vm-cpu-consumption"
    public static let memoryConsumption = "kubevirt.io/vm-memory-consumption"
    /// Fixed load of a node that is not a VM (a scenario node given as four figures).
    public static let baseline = "virtyard.io/capacity-baseline"
    public static let scenarioLabel = "virtyard.io/scenario"
}
