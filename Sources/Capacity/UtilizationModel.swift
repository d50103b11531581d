import KubeModel
import Simulation

/// node-classifier-sim's pressure curve: almost no stall below 70 % use, a linear rise to
/// 0.2 at 90 %, then a steep quadratic one to 0.8 at 100 %.
public enum PressureCurve {
    public static func pressure(usage: Double) -> Double {
        let u = max(0, usage)
        if u < 0.7 { return min(0.05, u * 0.07) }
        if u < 0.9 { return (u - 0.7) / 0.2 * 0.20 }
        let over = (u - 0.9) / 0.1
        return 0.20 + over * over * 0.60
    }

    /// CPU demand past the node's capacity keeps adding stall, half a point per 100 % over,
    /// up to 1.
    public static func cpuPressure(demand: Double) -> Double {
        demand <= 1 ? pressure(usage: demand) : min(1, pressure(usage: 1) + (demand - 1) * 0.5)
    }

    /// Memory cannot be overcommitted in the model: usage saturates at 1.
    public static func memoryPressure(usage: Double) -> Double { pressure(usage: min(1, usage)) }
}

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
    public init?(pod: JSONValue) {
        // Read field by field: building the whole label and annotation maps for every pod
        // on every scrape costs more than everything else a scrape does.
        let labels = pod[path: ["metadata", "labels"]]
        let annotations = pod[path: ["metadata", "annotations"]]
        func annotation(_ key: String) -> String? { annotations?[key]?.stringValue }
        let name = pod.name ?? ""
        guard labels?[KubeVirtLabels.app]?.stringValue == "virt-launcher" || name.hasPrefix("virt-launcher-") else { return nil }
        vmName = labels?[KubeVirtLabels.vmName]?.stringValue ?? annotation(KubeVirtLabels.domain) ?? name
        vmID = annotation(CapacityAnnotations.vmID) ?? vmName
        podName = name
        cpuCores = annotation(CapacityAnnotations.cpuCores).flatMap(Double.init) ?? 1
        memoryBytes = annotation(CapacityAnnotations.memoryBytes).flatMap { Double($0) }.map { Int64($0) } ?? 0
        cpuUtilization = annotation(CapacityAnnotations.cpuUtilization).flatMap(Double.init) ?? 0
        memoryUtilization = annotation(CapacityAnnotations.memoryUtilization).flatMap(Double.init) ?? 0
        // The seed document's form: consumption as a share of a 32-core, 128 GiB node.
        if annotation(CapacityAnnotations.cpuCores) == nil,
           let share = annotation(CapacityAnnotations.cpuConsumption).flatMap(Double.init) {
            cpuCores = share * 32
            cpuUtilization = 1
        }
        if annotation(CapacityAnnotations.memoryBytes) == nil,
           let share = annotation(CapacityAnnotations.memoryConsumption).flatMap(Double.init) {
            memoryBytes = Int64(share * Double(128 << 30))
            memoryUtilization = 1
        }
    }

    public init(vmName: String, vmID: String, podName: String, cpuCores: Double, memoryBytes: Int64,
                cpuUtilization: Double, memoryUtilization: Double) {
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

/// One node's figures as exported: what its placed VMs add up to.
public struct NodeUtilization: Sendable, Equatable {
    public var node: String
    public var cpuCores: Double
    public var memoryBytes: Double
    /// Σ VM CPU consumption (can pass 1 when CPU is overcommitted).
    public var cpuDemand: Double
    public var memoryDemand: Double
    public var vms: [VMLoad]
    public var baseline: NodeUsageFigures?

    public var cpuUsage: Double { baseline.map { min(1, $0.cpuUsage + cpuDemand) } ?? min(1, cpuDemand) }
    public var memoryUsage: Double { baseline.map { min(1, $0.memoryUsage + memoryDemand) } ?? min(1, memoryDemand) }
    public var cpuPressure: Double {
        guard let baseline, vms.isEmpty else {
            return PressureCurve.cpuPressure(demand: (baseline?.cpuUsage ?? 0) + cpuDemand)
        }
        return baseline.cpuPressure
    }
    public var memoryPressure: Double {
        guard let baseline, vms.isEmpty else {
            return PressureCurve.memoryPressure(usage: (baseline?.memoryUsage ?? 0) + memoryDemand)
        }
        return baseline.memoryPressure
    }

    /// node-classifier-sim's default score (its descheduler recording rule): the mean of the
    /// four figures.
    public var score: Double { (cpuUsage + cpuPressure + memoryUsage + memoryPressure) / 4 }

    public init(node: String, cpuCores: Double, memoryBytes: Double, vms: [VMLoad], baseline: NodeUsageFigures?) {
        self.node = node
        self.cpuCores = cpuCores
        self.memoryBytes = memoryBytes
        self.vms = vms
        self.baseline = baseline
        cpuDemand = vms.reduce(0) { $0 + $1.cpuConsumption(nodeCores: cpuCores) }
        memoryDemand = vms.reduce(0) { $0 + $1.memoryConsumption(nodeMemory: memoryBytes) }
    }
}

/// The descheduler's deviation threshold presets (`devDeviationThresholds`): how far from the
/// cluster's mean score a node may be, below and above, before it counts as under- or
/// over-utilised.
public enum ThresholdPreset: String, Sendable, CaseIterable {
    case low = "Low"
    case medium = "Medium"
    case high = "High"
    case asymmetricLow = "AsymmetricLow"
    case asymmetricMedium = "AsymmetricMedium"
    case asymmetricHigh = "AsymmetricHigh"

    public var offsets: (lower: Double, upper: Double) {
        switch self {
        case .low: (0.10, 0.10)
        case .medium: (0.20, 0.20)
        case .high: (0.30, 0.30)
        case .asymmetricLow: (0, 0.10)
        case .asymmetricMedium: (0, 0.20)
        case .asymmetricHigh: (0, 0.30)
        }
    }
}

public enum UtilizationClass: String, Sendable, Codable {
    case under = "under-utilized"
    case appropriate = "appropriately-utilized"
    case over = "over-utilized"
}

public struct Classification: Sendable {
    public var preset: ThresholdPreset
    public var mean: Double
    public var lowerThreshold: Double
    public var upperThreshold: Double
    public var nodes: [(node: NodeUtilization, class: UtilizationClass)]

    /// Classifies against the mean score ± the preset's offsets (absolute, in score units, as
    /// the descheduler's deviation thresholds are): strictly below the lower bound is under,
    /// strictly above the upper bound is over.
    public init(_ utilization: [NodeUtilization], preset: ThresholdPreset) {
        self.preset = preset
        mean = utilization.isEmpty ? 0 : utilization.reduce(0) { $0 + $1.score } / Double(utilization.count)
        lowerThreshold = mean - preset.offsets.lower
        upperThreshold = mean + preset.offsets.upper
        let lower = lowerThreshold
        let upper = upperThreshold
        // A tiny tolerance so equal nodes are not split by rounding.
        nodes = utilization.map { node in
            let score = node.score
            if score < lower - 1e-9 { return (node, .under) }
            if score > upper + 1e-9 { return (node, .over) }
            return (node, .appropriate)
        }
    }

    /// Highest minus lowest node score: how unevenly the cluster is loaded.
    public var spread: Double {
        let scores = nodes.map(\.node.score)
        guard let high = scores.max(), let low = scores.min() else { return 0 }
        return high - low
    }
}
