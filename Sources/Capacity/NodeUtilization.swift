import KubeModel

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
