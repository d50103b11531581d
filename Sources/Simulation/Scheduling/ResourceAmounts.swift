import KubeModel

/// The resources the scheduler accounts for: CPU in millicores, memory in bytes, and pods.
public struct ResourceAmounts: Sendable, Hashable {
    public var milliCPU: Int64
    public var memory: Int64
    public var pods: Int64

    public init(milliCPU: Int64 = 0, memory: Int64 = 0, pods: Int64 = 0) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.pods = pods
    }

    public static let zero = ResourceAmounts()

    public static func + (lhs: ResourceAmounts, rhs: ResourceAmounts) -> ResourceAmounts {
        ResourceAmounts(milliCPU: lhs.milliCPU + rhs.milliCPU, memory: lhs.memory + rhs.memory, pods: lhs.pods + rhs.pods)
    }

    public static func - (lhs: ResourceAmounts, rhs: ResourceAmounts) -> ResourceAmounts {
        ResourceAmounts(milliCPU: lhs.milliCPU - rhs.milliCPU, memory: lhs.memory - rhs.memory, pods: lhs.pods - rhs.pods)
    }

    /// Reads a `ResourceList` (`{"cpu": "500m", "memory": "1Gi", "pods": "110"}`); unknown
    /// resources are ignored, unparsable quantities count as zero.
    public init(resourceList: JSONValue?) {
        milliCPU = Quantity(json: resourceList?["cpu"])?.milliValue ?? 0
        memory = Quantity(json: resourceList?["memory"])?.value ?? 0
        pods = Quantity(json: resourceList?["pods"])?.value ?? 0
    }

    /// The JSON `ResourceList` form.
    public var resourceList: JSONValue {
        ["cpu": Quantity(milliValue: milliCPU).json, "memory": Quantity(memory).json, "pods": Quantity(pods).json]
    }
}
