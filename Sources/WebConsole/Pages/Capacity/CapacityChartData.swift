import Foundation

/// The history as the charts read it (`GET /ui/capacity/history.json`): per node, uPlot's
/// column form — one array of Unix times and one array per series, as percentages.
struct CapacityChartData: Encodable, Equatable {
    struct NodeSeries: Encodable, Equatable {
        var node: String
        var times: [Double]
        var cpuUsage: [Double]
        var memoryUsage: [Double]
        var cpuPressure: [Double]
        var memoryPressure: [Double]
    }

    var intervalSeconds: Int
    var windowSeconds: Int
    var nodes: [NodeSeries]

    init(_ series: [(node: String, samples: [CapacitySample])], interval: Duration, samplesPerNode: Int) {
        let seconds = Int(interval.components.seconds)
        intervalSeconds = seconds
        windowSeconds = seconds * samplesPerNode
        nodes = series.map { entry in
            let samples = entry.samples
            return NodeSeries(
                node: entry.node, times: samples.map { ($0.time.timeIntervalSince1970 * 10).rounded() / 10 },
                cpuUsage: samples.map { Self.percent($0.cpuUsage) }, memoryUsage: samples.map { Self.percent($0.memoryUsage) },
                cpuPressure: samples.map { Self.percent($0.cpuPressure) },
                memoryPressure: samples.map { Self.percent($0.memoryPressure) })
        }
    }

    /// A share as a percentage with one decimal (what the chart shows; keeps the JSON small).
    static func percent(_ share: Double) -> Double {
        guard share.isFinite else { return 0 }
        return (share * 1000).rounded() / 10
    }

    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}
