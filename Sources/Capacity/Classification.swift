import KubeModel

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
