import Foundation

/// node-exporter style counters of one node, integrated over time from its usage at each
/// scrape, as node-classifier-sim does (busy time split 60/40 between user and system; PSI
/// waiting time = pressure × elapsed, for CPU and for memory).
struct NodeCounters: Sendable {
    var last: Date?
    var user = 0.0
    var system = 0.0
    var idle = 0.0
    var pressureWaiting = 0.0
    var memoryPressureWaiting = 0.0

    mutating func advance(to now: Date, cpuUsage: Double, cpuPressure: Double, memoryPressure: Double) {
        defer { last = now }
        guard let last else { return }
        let elapsed = max(0, now.timeIntervalSince(last))
        let busy = elapsed * cpuUsage
        user += busy * 0.6
        system += busy * 0.4
        idle += max(0, elapsed - busy)
        pressureWaiting += cpuPressure * elapsed
        memoryPressureWaiting += memoryPressure * elapsed
    }
}

/// The Prometheus text exposition (format 0.0.4) of node utilisation.
///
/// Lines are appended piece by piece to one reserved byte buffer, not built by interpolation
/// first: that made and freed a string for each of the 85,000 samples at 5,000 nodes.
enum CapacityMetrics {
    static func render(_ nodes: [NodeUtilization], classification: Classification, counters: [String: NodeCounters]) -> String {
        // Escaped once per node: the same label value appears in every family.
        let names = nodes.map { escape($0.node) }
        var text = ExpositionBytes()
        text.bytes.reserveCapacity(nodes.count * 1_500 + 4_096)
        func header(_ name: String, _ type: String, _ help: String) {
            text.write("# HELP ")
            text.write(name)
            text.write(" ")
            text.write(help)
            text.write("\n# TYPE ")
            text.write(name)
            text.write(" ")
            text.write(type)
            text.write("\n")
        }
        // A sample is written as `begin` (its name and first label), any further `label`s,
        // then `end` (its value).
        func begin(_ name: String, _ label: String, _ value: String) {
            text.write(name)
            text.write("{")
            text.write(label)
            text.write("=\"")
            text.write(value)
            text.write("\"")
        }
        func label(_ label: String, _ value: String) {
            text.write(",")
            text.write(label)
            text.write("=\"")
            text.write(value)
            text.write("\"")
        }
        func end(_ value: Double) {
            text.write("} ")
            append(value, to: &text)
            text.write("\n")
        }
        func perNode(
            _ name: String, _ type: String, _ help: String, label: String = "node",
            _ value: (NodeUtilization) -> Double
        ) {
            header(name, type, help)
            for (index, node) in nodes.enumerated() {
                begin(name, label, names[index])
                end(value(node))
            }
        }
        perNode("node_cpu_usage_ratio", "gauge", "CPU usage ratio (0.0 to 1.0+, can exceed for overload)", \.cpuUsage)
        perNode("node_cpu_pressure_psi", "gauge", "CPU Pressure Stall Information (0.0 to 1.0)", \.cpuPressure)
        perNode("node_memory_usage_ratio", "gauge", "Memory usage ratio (0.0 to 1.0)", \.memoryUsage)
        perNode("node_memory_pressure_psi", "gauge", "Memory Pressure Stall Information (0.0 to 1.0)", \.memoryPressure)
        perNode("node_vm_count", "gauge", "Number of VMs running on the node") { Double($0.vms.count) }
        header("node_cpu_seconds_total", "counter", "Total CPU seconds by mode (simulated node-exporter metric)")
        for (index, node) in nodes.enumerated() {
            let counter = counters[node.node] ?? NodeCounters()
            for (mode, value) in [("idle", counter.idle), ("system", counter.system), ("user", counter.user)] {
                begin("node_cpu_seconds_total", "instance", names[index])
                label("mode", mode)
                end(value)
            }
        }
        perNode(
            "node_pressure_cpu_waiting_seconds_total", "counter",
            "Total CPU pressure waiting seconds (simulated PSI metric)", label: "instance"
        ) {
            counters[$0.node]?.pressureWaiting ?? 0
        }
        perNode(
            "node_pressure_memory_waiting_seconds_total", "counter",
            "Total memory pressure waiting seconds (simulated PSI metric)", label: "instance"
        ) {
            counters[$0.node]?.memoryPressureWaiting ?? 0
        }
        perNode(
            "node_memory_MemTotal_bytes", "gauge", "Memory of the node in bytes (simulated node-exporter metric)",
            label: "instance", \.memoryBytes)
        perNode(
            "node_memory_MemAvailable_bytes", "gauge", "Memory not used by VMs in bytes (simulated node-exporter metric)",
            label: "instance"
        ) { $0.memoryBytes * (1 - $0.memoryUsage) }
        // kube-state-metrics' figure, which node-classifier-sim's memory recording rules divide
        // by (its own exporter leaves it to kube-state-metrics; here there is none to rely on).
        func allocatable(_ node: String, _ resource: String, _ unit: String, _ value: Double) {
            begin("kube_node_status_allocatable", "node", node)
            label("resource", resource)
            label("unit", unit)
            end(value)
        }
        header(
            "kube_node_status_allocatable", "gauge",
            "The allocatable for different resources of a node that are available for scheduling.")
        for (index, node) in nodes.enumerated() {
            allocatable(names[index], "cpu", "core", node.cpuCores)
            allocatable(names[index], "memory", "byte", node.memoryBytes)
        }
        header("kube_node_role", "gauge", "Node role label (1 for worker nodes)")
        for name in names {
            begin("kube_node_role", "node", name)
            label("role", "worker")
            label("instance", name)
            end(1)
        }
        perNode(
            "virtyard_capacity_node_score", "gauge",
            "Mean of CPU and memory usage and pressure: the score the classification compares", \.score)
        header(
            "virtyard_capacity_node_classification", "gauge",
            "1 for the node's class against the cluster mean and the threshold preset")
        let preset = classification.preset.rawValue
        for entry in classification.nodes {
            begin("virtyard_capacity_node_classification", "node", escape(entry.node.node))
            label("class", entry.class.rawValue)
            label("preset", preset)
            end(1)
        }
        return String(decoding: text.bytes, as: UTF8.self)
    }

    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") })
        else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A sample value as Prometheus reads it: whole numbers without a fraction, the shortest
    /// decimal that reads back as the same double otherwise.
    static func append(_ value: Double, to text: inout ExpositionBytes) {
        if value.isNaN {
            text.write("NaN")
        } else if value.isInfinite {
            text.write(value > 0 ? "+Inf" : "-Inf")
        } else if value == value.rounded(), abs(value) < 1e15 {
            text.write(String(Int64(value)))
        } else {
            // The same characters as `description`, without a string of their own.
            value.write(to: &text)
        }
    }
}

/// The exposition as UTF-8 bytes: appending to an array is a copy, where appending to a
/// `String` re-checks the string's form on every call.
struct ExpositionBytes: TextOutputStream {
    var bytes: [UInt8] = []

    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
}

extension CapacityService {
    /// The exposition for a scrape; advances the counters to now.
    public func metricsText(now: Date = Date()) -> String {
        let nodes = utilization()
        let classification = Classification(nodes, preset: configuration.preset)
        let snapshot = counters.withLock { counters -> [String: NodeCounters] in
            for node in nodes {
                counters[node.node, default: NodeCounters()].advance(
                    to: now, cpuUsage: node.cpuUsage,
                    cpuPressure: node.cpuPressure, memoryPressure: node.memoryPressure)
            }
            // Every node has a counter now: more counters than nodes means some nodes left.
            if counters.count > nodes.count {
                let names = Set(nodes.map(\.node))
                counters = counters.filter { names.contains($0.key) }
            }
            return counters
        }
        return CapacityMetrics.render(nodes, classification: classification, counters: snapshot)
    }
}
