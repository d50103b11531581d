import Foundation
import Testing

@testable import Capacity

/// The `/metrics` text of node utilisation, line by line.
@Suite struct CapacityExpositionTests {
    private let nodes = [
        CapacityFixtures.node("idle", usage: 0.1),
        CapacityFixtures.node(#"odd "name"\"#, usage: 0.6, vms: [CapacityFixtures.vm("a", cores: 3, cpu: 0.7)]),
    ]

    private func render() -> String {
        var counters = NodeCounters()
        counters.advance(to: Date(timeIntervalSince1970: 0), cpuUsage: 0, cpuPressure: 0, memoryPressure: 0)
        counters.advance(to: Date(timeIntervalSince1970: 10), cpuUsage: 0.25, cpuPressure: 0.5, memoryPressure: 1.0 / 3)
        return CapacityMetrics.render(
            nodes, classification: Classification(nodes, preset: .low), counters: ["idle": counters])
    }

    @Test func samplesAreWrittenAsPrometheusReadsThem() {
        let lines = render().split(separator: "\n").map(String.init)
        // Whole numbers without a fraction; other values in Swift's shortest round-trip form.
        #expect(lines.contains(#"node_cpu_usage_ratio{node="idle"} 0.1"#))
        #expect(lines.contains(#"node_vm_count{node="idle"} 0"#))
        #expect(lines.contains(#"node_cpu_seconds_total{instance="idle",mode="idle"} 7.5"#))
        #expect(lines.contains(#"node_cpu_seconds_total{instance="idle",mode="user"} 1.5"#))
        #expect(lines.contains(#"node_pressure_memory_waiting_seconds_total{instance="idle"} \#(1.0 / 3 * 10)"#))
        #expect(lines.contains(#"node_memory_MemTotal_bytes{instance="idle"} 137438953472"#))
        #expect(lines.contains(#"kube_node_status_allocatable{node="idle",resource="cpu",unit="core"} 32"#))
        #expect(lines.contains(#"kube_node_role{node="idle",role="worker",instance="idle"} 1"#))
        #expect(lines.contains(#"virtyard_capacity_node_classification{node="idle",class="under-utilized",preset="Low"} 1"#))
        // Label values are escaped, in every family.
        let odd = #"odd \"name\"\\"#
        #expect(lines.contains(#"node_vm_count{node="\#(odd)"} 1"#))
        #expect(lines.contains(#"kube_node_role{node="\#(odd)",role="worker",instance="\#(odd)"} 1"#))
        #expect(lines.contains(#"virtyard_capacity_node_classification{node="\#(odd)",class="over-utilized",preset="Low"} 1"#))
        // A node without counters yet starts them at zero.
        #expect(lines.contains(#"node_cpu_seconds_total{instance="\#(odd)",mode="system"} 0"#))
        #expect(lines.contains(#"node_memory_usage_ratio{node="\#(odd)"} \#(nodes[1].memoryUsage)"#))
        #expect(nodes[1].memoryUsage != nodes[1].memoryUsage.rounded())
    }

    @Test func everyFamilyHasItsHeadersAndEveryLineParses() {
        let lines = render().split(separator: "\n").map(String.init)
        let families = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(families.count == 14)
        #expect(Set(families).count == 14)
        #expect(lines.filter { $0.hasPrefix("# HELP ") }.count == 14)
        let sample = /[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-z]+="(\\.|[^"\\])*",?)+\} (-?[0-9.e+-]+|NaN|[+-]Inf)/
        for line in lines where !line.hasPrefix("#") {
            #expect(line.wholeMatch(of: sample) != nil, "\(line)")
        }
        // 12 families of one sample per node, three CPU modes, two allocatable resources.
        #expect(lines.filter { !$0.hasPrefix("#") }.count == 2 * (12 + 3 + 2))
    }

    @Test func valuesOutsideTheRealsUsePrometheusWords() {
        for (value, expected) in [
            (Double.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (1e15, "1000000000000000.0"), (1e16, "1e+16"), (-2, "-2"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            var bytes = ExpositionBytes()
            CapacityMetrics.append(value, to: &bytes)
            #expect(String(decoding: bytes.bytes, as: UTF8.self) == expected)
        }
    }
}
