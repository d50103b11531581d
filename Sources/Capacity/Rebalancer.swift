import Foundation
import KubeModel
import Logging
import ServiceLifecycle

/// One pass of the rebalancer: what it moved and how uneven the cluster was before and after.
public struct RebalanceRound: Sendable {
    public var time: Date
    public var spreadBefore: Double
    public var spreadAfter: Double
    public var migrations: [JSONValue]
}

/// A closed loop that live-migrates VMs off over-utilised nodes towards under-utilised ones
/// (the descheduler's LowNodeUtilization with deviation thresholds, as node-classifier-sim
/// drives it), with limits that keep it from thrashing: at most `maxPerRound` migrations a
/// round and `maxPerNode` from one node, and a VM that moved waits `cooldown` before it can
/// move again — so it never bounces straight back.
public struct Rebalancer: Service {
    public struct Configuration: Sendable {
        public var interval: Duration
        public var maxPerRound: Int
        public var maxPerNode: Int
        public var cooldown: Duration

        public init(
            interval: Duration = .seconds(30), maxPerRound: Int = 5, maxPerNode: Int = 2,
            cooldown: Duration = .seconds(300)
        ) {
            self.interval = interval
            self.maxPerRound = maxPerRound
            self.maxPerNode = maxPerNode
            self.cooldown = cooldown
        }
    }

    let service: CapacityService
    let configuration: Configuration
    let logger: Logger

    public func run() async throws {
        do {
            try await loop()
        } catch is CancellationError {
            // Shutdown: a normal end.
        }
    }

    private func loop() async throws {
        try await cancelWhenGracefulShutdown {
            var lastMoved: [String: ContinuousClock.Instant] = [:]
            while !Task.isCancelled {
                try await Task.sleep(for: configuration.interval)
                guard service.isReady else { continue }
                if let round = await service.rebalanceOnce(configuration, lastMoved: &lastMoved) {
                    logger.info(
                        "rebalanced",
                        metadata: [
                            "migrations": "\(round.migrations.count)",
                            "spreadBefore": "\(round.spreadBefore)",
                            "spreadAfter": "\(round.spreadAfter)",
                        ])
                }
            }
        }
    }
}

extension Rebalancer {
    /// One round's moves, decided from a classification alone (no I/O, so it is tested on its
    /// own): over-utilised nodes busiest first, on each the VMs using the most CPU first, each
    /// to the emptiest under-utilised node whose memory still fits it, then the next emptiest.
    /// VMs moved less than `cooldown` before `now` stay; the planned ones are recorded in
    /// `lastMoved` at `now`.
    static func plan(
        _ classification: Classification, configuration: Configuration,
        lastMoved: inout [String: ContinuousClock.Instant], now: ContinuousClock.Instant
    ) -> [MigrationRequest] {
        let over = classification.nodes.filter { $0.class == .over }.map(\.node).sorted { $0.score > $1.score }
        var under = classification.nodes.filter { $0.class == .under }.map(\.node).sorted { $0.score < $1.score }
        guard !over.isEmpty, !under.isEmpty else { return [] }
        var planned: [MigrationRequest] = []
        var memoryAdded: [String: Double] = [:]
        for node in over where planned.count < configuration.maxPerRound {
            // Busiest VMs first: each move relieves the most.
            let candidates = node.vms.filter { vm in
                lastMoved[vm.vmName].map { now - $0 >= configuration.cooldown } ?? true
            }.sorted { $0.cpuConsumption(nodeCores: node.cpuCores) > $1.cpuConsumption(nodeCores: node.cpuCores) }
            var fromThisNode = 0
            for vm in candidates where fromThisNode < configuration.maxPerNode && planned.count < configuration.maxPerRound {
                // A destination whose memory still fits the VM (memory cannot be overcommitted).
                guard
                    let index = under.indices.first(where: { index in
                        let target = under[index]
                        let added = memoryAdded[target.node, default: 0]
                        return target.memoryUsage + added + vm.memoryConsumption(nodeMemory: target.memoryBytes) <= 1
                    })
                else { continue }
                let target = under[index]
                memoryAdded[target.node, default: 0] += vm.memoryConsumption(nodeMemory: target.memoryBytes)
                planned.append(MigrationRequest(vmID: vm.vmID, fromNode: node.node, toNode: target.node))
                lastMoved[vm.vmName] = now
                fromThisNode += 1
                // Spread the moves: the next VM goes to the next emptiest node.
                under.append(under.remove(at: index))
            }
        }
        return planned
    }
}

extension CapacityService {
    /// Plans and runs one round; nil when nothing is over-utilised or nothing can move.
    public func rebalanceOnce(
        _ configuration: Rebalancer.Configuration,
        lastMoved: inout [String: ContinuousClock.Instant]
    ) async -> RebalanceRound? {
        guard let cluster = connected else { return nil }
        let before = classification()
        let planned = Rebalancer.plan(before, configuration: configuration, lastMoved: &lastMoved, now: .now)
        guard !planned.isEmpty else { return nil }
        let results = await withTaskGroup(of: JSONValue.self) { group in
            for request in planned { group.addTask { await self.migrate(request, cluster: cluster) } }
            var results: [JSONValue] = []
            for await result in group { results.append(result) }
            return results
        }
        let round = RebalanceRound(
            time: Date(), spreadBefore: before.spread, spreadAfter: classification().spread,
            migrations: results)
        rebalanceHistory.withLock { history in
            history.append(round)
            if history.count > 20 { history.removeFirst(history.count - 20) }
        }
        return round
    }

    public var rebalanceRounds: [RebalanceRound] { rebalanceHistory.withLock { $0 } }
}
