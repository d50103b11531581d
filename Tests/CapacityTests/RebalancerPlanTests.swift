import Testing

@testable import Capacity

/// The rebalancer's choice of moves, from a classification alone.
@Suite struct RebalancerPlanTests {
    private let now = ContinuousClock.now
    private let configuration = Rebalancer.Configuration(
        interval: .seconds(30), maxPerRound: 5, maxPerNode: 2,
        cooldown: .seconds(300))

    /// A 32-core, 128 GiB node with these VMs (each keeping `cores` busy and using 4 GiB).
    private func node(_ name: String, _ vms: [(String, Double)]) -> NodeUtilization {
        NodeUtilization(
            node: name, cpuCores: 32, memoryBytes: Double(128 << 30),
            vms: vms.map { CapacityFixtures.vm($0.0, cores: $0.1, bytes: 4 << 30, cpu: 1, memory: 1) },
            baseline: nil)
    }

    private func plan(
        _ nodes: [NodeUtilization], configuration: Rebalancer.Configuration? = nil,
        lastMoved: inout [String: ContinuousClock.Instant]
    ) -> [MigrationRequest] {
        Rebalancer.plan(
            Classification(nodes, preset: .asymmetricLow), configuration: configuration ?? self.configuration,
            lastMoved: &lastMoved, now: now)
    }

    private var uneven: [NodeUtilization] {
        [
            node("hot", [("small", 2), ("big", 12), ("mid", 8), ("tiny", 1)]), node("warm", [("w", 10)]), node("cold", []),
            node("cool", [("c", 1)]),
        ]
    }

    @Test func movesTheBusiestVMsOfAnOverUtilisedNodeToTheEmptiestNodes() {
        var lastMoved: [String: ContinuousClock.Instant] = [:]
        let moves = plan(uneven, lastMoved: &lastMoved)
        // Two from "hot" (the per-node limit), busiest first, spread over the two under nodes.
        #expect(
            moves == [
                MigrationRequest(vmID: "big", fromNode: "hot", toNode: "cold"),
                MigrationRequest(vmID: "mid", fromNode: "hot", toNode: "cool"),
            ])
        #expect(Set(lastMoved.keys) == ["big", "mid"])
        #expect(lastMoved["big"] == now)
    }

    @Test func aVMThatMovedWaitsForItsCooldown() {
        var lastMoved: [String: ContinuousClock.Instant] = ["big": now - .seconds(10), "mid": now - .seconds(301)]
        let moves = plan(uneven, lastMoved: &lastMoved)
        #expect(moves.map(\.vmID) == ["mid", "small"])
        #expect(lastMoved["big"] == now - .seconds(10))
    }

    @Test func theRoundLimitCapsTheMoves() {
        var lastMoved: [String: ContinuousClock.Instant] = [:]
        let one = Rebalancer.Configuration(maxPerRound: 1, maxPerNode: 2)
        #expect(plan(uneven, configuration: one, lastMoved: &lastMoved).map(\.vmID) == ["big"])
    }

    @Test func nothingMovesWhenNoNodeIsOverOrNoneIsUnder() {
        var lastMoved: [String: ContinuousClock.Instant] = [:]
        let even = [node("a", [("x", 8)]), node("b", [("y", 8)])]
        #expect(plan(even, lastMoved: &lastMoved).isEmpty)
        #expect(plan([node("only", [("x", 30)])], lastMoved: &lastMoved).isEmpty)
        #expect(lastMoved.isEmpty)
    }

    @Test func aDestinationWithoutRoomForTheMemoryIsSkipped() {
        func node(_ name: String, cores: Double, cpu: Double, bytes: Int64, memory: Double) -> NodeUtilization {
            NodeUtilization(
                node: name, cpuCores: 32, memoryBytes: Double(128 << 30),
                vms: [CapacityFixtures.vm("\(name)-vm", cores: cores, bytes: bytes, cpu: cpu, memory: memory)],
                baseline: nil)
        }
        // The hot node's VM needs half a node's memory; "full" is the emptiest by score but has
        // 60 % of its memory taken (memory cannot be overcommitted).
        let hot = node("hot", cores: 30, cpu: 1, bytes: 64 << 30, memory: 1)
        let full = node("full", cores: 1, cpu: 0, bytes: 128 << 30, memory: 0.6)
        let roomy = node("roomy", cores: 20, cpu: 1, bytes: 4 << 30, memory: 1)
        let other = node("other", cores: 21, cpu: 1, bytes: 4 << 30, memory: 1)
        let classification = Classification([hot, full, roomy, other], preset: .asymmetricLow)
        #expect(classification.nodes.map(\.class) == [.over, .under, .under, .under])
        #expect(full.score < roomy.score)
        var lastMoved: [String: ContinuousClock.Instant] = [:]
        let moves = Rebalancer.plan(classification, configuration: configuration, lastMoved: &lastMoved, now: now)
        #expect(moves == [MigrationRequest(vmID: "hot-vm", fromNode: "hot", toNode: "roomy")])

        // With no destination that fits, nothing moves and no cooldown starts.
        lastMoved = [:]
        let cramped = Classification([hot, full], preset: .asymmetricLow)
        #expect(cramped.nodes.map(\.class) == [.over, .under])
        #expect(Rebalancer.plan(cramped, configuration: configuration, lastMoved: &lastMoved, now: now).isEmpty)
        #expect(lastMoved.isEmpty)
    }
}
