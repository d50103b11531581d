import Foundation

/// node-exporter style counters of one node, integrated over time from its usage at each
/// scrape, as node-classifier-sim does (busy time split 60/40 between user and system).
struct NodeCounters: Sendable {
    var last: Date?
    var user = 0.0
    var system = 0.0
    var idle = 0.0
    var pressureWaiting = 0.0

    mutating func advance(to now: Date, cpuUsage: Double, cpuPressure: Double) {
        defer { last = now }
        guard let last else { return }
        let elapsed = max(0, now.timeIntervalSince(last))
        let busy = elapsed * cpuUsage
        user += busy * 0.6
        system += busy * 0.4
        idle += max(0, elapsed - busy)
        pressureWaiting += cpuPressure * elapsed
    }
}

/// The Prometheus text exposition (format 0.0.4) of node utilisation.
enum CapacityMetrics {
    static func render(_ nodes: [NodeUtilization], classification: Classification, counters: [String: NodeCounters]) -> String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples {
                let labels = sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                text += "\(name){\(labels)} \(format(sample.value))\n"
            }
        }
        func perNode(_ value: (NodeUtilization) -> Double) -> [(labels: [(String, String)], value: Double)] {
            nodes.map { ([("node", $0.node)], value($0)) }
        }
        family("node_cpu_usage_ratio", "gauge", "CPU usage ratio (0.0 to 1.0+, can exceed for overload)", perNode(\.cpuUsage))
        family("node_cpu_pressure_psi", "gauge", "CPU Pressure Stall Information (0.0 to 1.0)", perNode(\.cpuPressure))
        family("node_memory_usage_ratio", "gauge", "Memory usage ratio (0.0 to 1.0)", perNode(\.memoryUsage))
        family("node_memory_pressure_psi", "gauge", "Memory Pressure Stall Information (0.0 to 1.0)", perNode(\.memoryPressure))
        family("node_vm_count", "gauge", "Number of VMs running on the node", perNode { Double($0.vms.count) })
        family("node_cpu_seconds_total", "counter", "Total CPU seconds by mode (simulated node-exporter metric)",
               nodes.flatMap { node -> [(labels: [(String, String)], value: Double)] in
                   let counter = counters[node.node] ?? NodeCounters()
                   return [([("instance", node.node), ("mode", "idle")], counter.idle),
                           ([("instance", node.node), ("mode", "system")], counter.system),
                           ([("instance", node.node), ("mode", "user")], counter.user)]
               })
        family("node_pressure_cpu_waiting_seconds_total", "counter", "Total CPU pressure waiting seconds (simulated PSI metric)",
               nodes.map { ([("instance", $0.node)], counters[$0.node]?.pressureWaiting ?? 0) })
        family("node_memory_MemTotal_bytes", "gauge", "Memory of the node in bytes (simulated node-exporter metric)",
               nodes.map { ([("instance", $0.node)], $0.memoryBytes) })
        family("node_memory_MemAvailable_bytes", "gauge", "Memory not used by VMs in bytes (simulated node-exporter metric)",
               nodes.map { ([("instance", $0.node)], $0.memoryBytes * (1 - $0.memoryUsage)) })
        family("kube_node_role", "gauge", "Node role label (1 for worker nodes)",
               nodes.map { ([("node", $0.node), ("role", "worker"), ("instance", $0.node)], 1) })
        family("virtyard_capacity_node_score", "gauge",
               "Mean of CPU and memory usage and pressure: the score the classification compares",
               perNode(\.score))
        family("virtyard_capacity_node_classification", "gauge",
               "1 for the node's class against the cluster mean and the threshold preset",
               classification.nodes.map { ([("node", $0.node.node), ("class", $0.class.rawValue),
                                            ("preset", classification.preset.rawValue)], 1) })
        return text
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension CapacityService {
    /// The exposition for a scrape; advances the counters to now.
    public func metricsText(now: Date = Date()) -> String {
        let nodes = utilization()
        let classification = Classification(nodes, preset: configuration.preset)
        let snapshot = counters.withLock { counters -> [String: NodeCounters] in
            for node in nodes {
                counters[node.node, default: NodeCounters()].advance(to: now, cpuUsage: node.cpuUsage,
                                                                      cpuPressure: node.cpuPressure)
            }
            let names = Set(nodes.map(\.node))
            counters = counters.filter { names.contains($0.key) }
            return counters
        }
        return CapacityMetrics.render(nodes, classification: classification, counters: snapshot)
    }
}
