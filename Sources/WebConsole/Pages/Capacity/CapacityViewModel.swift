import Capacity
import Foundation
import KubeModel

/// The capacity page's numbers as people read them: shares as percentages, each node's class
/// as words and a colour class, migrations and rebalancer rounds as rows.
enum CapacityViewModel {
    /// The class's words and badge colour (the words always show: colour is never alone).
    static func badge(_ utilizationClass: UtilizationClass) -> (text: String, colour: String) {
        switch utilizationClass {
        case .over: ("over-utilised", "bad")
        case .appropriate: ("appropriately utilised", "ok")
        case .under: ("under-utilised", "muted")
        }
    }

    static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "—" }
        return String(format: "%.1f %%", share * 100)
    }

    static func score(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        return String(format: "%.3f", value)
    }

    /// One row per node, over-utilised first (they need attention), then by name.
    static func nodes(_ classification: Classification) -> [[String: Any]] {
        let rank: [UtilizationClass: Int] = [.over: 0, .appropriate: 1, .under: 2]
        return classification.nodes
            .sorted { (rank[$0.class] ?? 3, $0.node.node) < (rank[$1.class] ?? 3, $1.node.node) }
            .map { entry -> [String: Any] in
                let node = entry.node
                let shown = badge(entry.class)
                return [
                    "node": node.node, "cpuUsage": percent(node.cpuUsage), "cpuPressure": percent(node.cpuPressure),
                    "memoryUsage": percent(node.memoryUsage), "memoryPressure": percent(node.memoryPressure),
                    "vmCount": node.vms.count, "score": score(node.score), "classText": shown.text, "classColour": shown.colour,
                ]
            }
    }

    /// The classification's summary: preset, mean, bounds and how many nodes are in each class.
    static func summary(_ classification: Classification) -> [String: Any] {
        let counts = Dictionary(grouping: classification.nodes, by: { $0.class }).mapValues(\.count)
        return [
            "preset": classification.preset.rawValue, "mean": score(classification.mean),
            "lower": score(classification.lowerThreshold), "upper": score(classification.upperThreshold),
            "spread": score(classification.spread), "overCount": counts[.over] ?? 0,
            "appropriateCount": counts[.appropriate] ?? 0, "underCount": counts[.under] ?? 0,
        ]
    }

    static func migrations(_ migrations: [VirtualMachineInstanceMigration], now: Date) -> [[String: Any]] {
        migrations.map { migration in
            let phase = migration.phase
            var row: [String: Any] = [
                "name": migration.name, "vm": migration.vmiName ?? "",
                "phase": migration.phaseText ?? "Pending",
                "phaseColour": phase == .succeeded ? "ok" : phase == .failed ? "bad" : "muted",
                "from": migration.migrationState?.sourceNode ?? "", "to": migration.migrationState?.targetNode ?? "",
                "requested": migration.annotations[KubeVirtLabels.preferredNode] ?? "",
            ]
            if let created = migration.creationDate { row["age"] = age(from: created, to: now) }
            return row
        }
    }

    static func rounds(_ rounds: [RebalanceRound], now: Date) -> [[String: Any]] {
        rounds.reversed().map { round -> [String: Any] in
            [
                "time": Timestamp.string(round.time), "age": age(from: round.time, to: now),
                "spreadBefore": score(round.spreadBefore), "spreadAfter": score(round.spreadAfter),
                "moves": round.migrations.map { result -> String in
                    let vm = result["vm_id"]?.stringValue ?? "?"
                    let from = result["from_node"]?.stringValue ?? "?"
                    let landed = result["landed_node"]?.stringValue ?? result["to_node"]?.stringValue ?? "?"
                    let outcome = result["phase"]?.stringValue ?? result["error"]?.stringValue ?? ""
                    return "\(vm): \(from) → \(landed) (\(outcome))"
                },
            ]
        }
    }

    /// "42 s ago", "3 min ago", "2 h ago".
    static func age(from date: Date, to now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 90 { return "\(seconds) s ago" }
        if seconds < 90 * 60 { return "\(seconds / 60) min ago" }
        return "\(seconds / 3600) h ago"
    }

    /// The node's figures for the history.
    static func sample(_ node: NodeUtilization, at time: Date) -> CapacitySample {
        CapacitySample(
            time: time, cpuUsage: node.cpuUsage, memoryUsage: node.memoryUsage, cpuPressure: node.cpuPressure,
            memoryPressure: node.memoryPressure)
    }
}
