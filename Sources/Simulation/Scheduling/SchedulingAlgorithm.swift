/// The scheduling cycle of kube-scheduler for one pod: filter nodes until enough feasible ones
/// are found, score those with weighted plugins, pick the best.
public struct SchedulingAlgorithm: Sendable {
    public var filters: [any FilterPlugin] {
        didSet { replan() }
    }
    public var scorers: [(plugin: any ScorePlugin, weight: Int64)] {
        didSet { replan() }
    }
    /// Percentage of nodes to look at once enough feasible nodes are found; nil is
    /// kube-scheduler's adaptive default (50% minus 1% per 125 nodes, at least 5%), 100
    /// scores every node.
    public var percentageOfNodesToScore: Int?
    private var random: SplitMix64
    private var plan: Plan
    /// What the plugins reading only node fields said, per pod shape and node position.
    private(set) var remembered: [SchedulingPod.Shape: NodeFieldVerdicts] = [:]

    /// kube-scheduler's default profile for the plugins simulated here, with its default
    /// weights (TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1, BalancedAllocation 1).
    public init(
        strategy: ResourceScoringStrategy = .leastAllocated, percentageOfNodesToScore: Int? = nil,
        seed: UInt64 = 0x5eed
    ) {
        let filters: [any FilterPlugin] = [
            NodeUnschedulableFilter(), NodeNameFilter(), TaintTolerationFilter(), NodeAffinityFilter(),
            ResourcesFitFilter(),
        ]
        let scorers: [(plugin: any ScorePlugin, weight: Int64)] = [
            (TaintTolerationScore(), 3), (NodeAffinityScore(), 2), (ResourcesFitScore(strategy: strategy), 1),
            (BalancedAllocationScore(), 1),
        ]
        self.filters = filters
        self.scorers = scorers
        self.percentageOfNodesToScore = percentageOfNodesToScore
        random = SplitMix64(seed: seed)
        plan = Plan(filters: filters, scorers: scorers)
    }

    /// Other plugins: what the old ones said no longer counts (and the remembered scores
    /// have another layout).
    private mutating func replan() {
        plan = Plan(filters: filters, scorers: scorers)
        remembered.removeAll()
    }

    /// Below this many nodes every node is looked at (`minFeasibleNodesToFind`).
    static let minimumFeasibleNodes = 100
    static let minimumPercentage = 5
    /// Pod shapes whose verdicts are kept; past this all are forgotten (a cluster rarely has
    /// more shapes pending at once; a bound keeps hostile variety from growing memory).
    static let rememberedShapes = 64

    /// How many feasible nodes to find before scoring (`numFeasibleNodesToFind`).
    public func feasibleNodesToFind(nodeCount: Int) -> Int {
        if nodeCount < Self.minimumFeasibleNodes { return nodeCount }
        var percentage = percentageOfNodesToScore ?? max(Self.minimumPercentage, 50 - nodeCount / 125)
        if percentage <= 0 { percentage = max(Self.minimumPercentage, 50 - nodeCount / 125) }
        if percentage >= 100 { return nodeCount }
        return max(Self.minimumFeasibleNodes, nodeCount * percentage / 100)
    }

    /// Picks a node for the pod, or says why none fits. Advances the cache's scan start.
    public mutating func schedule(_ pod: SchedulingPod, in cache: inout SchedulerCache) -> SchedulingDecision {
        let nodeCount = cache.nodeCount
        guard nodeCount > 0 else { return .unschedulable(FitError(nodeCount: 0, reasons: [:])) }
        let wanted = feasibleNodesToFind(nodeCount: nodeCount)
        let start = cache.nextStartNodeIndex % nodeCount
        let shape = pod.shape
        // Taken out of the dictionary while in use, so that filling it in does not copy it.
        var verdicts = remembered.removeValue(forKey: shape) ?? NodeFieldVerdicts()
        verdicts.prepare(version: cache.nodeFieldsVersion, nodeCount: nodeCount, scoreSlots: plan.rememberedScorers.count)
        // Filtering and scoring read the nodes through a buffer: going through the array
        // would copy each NodeInfo (and retain its storage) once per plugin call.
        let nodes = cache.nodes
        let outcome = nodes.withUnsafeBufferPointer { buffer in
            evaluate(pod, nodes: buffer, start: start, wanted: wanted, verdicts: &verdicts)
        }
        if remembered.count >= Self.rememberedShapes { remembered.removeAll() }
        remembered[shape] = verdicts
        cache.nextStartNodeIndex = (start + outcome.processed) % nodeCount
        return outcome.decision
    }

    private mutating func evaluate(
        _ pod: SchedulingPod, nodes: UnsafeBufferPointer<NodeInfo>, start: Int,
        wanted: Int, verdicts: inout NodeFieldVerdicts
    ) -> (decision: SchedulingDecision, processed: Int) {
        let nodeCount = nodes.count
        var feasible: [Int] = []
        feasible.reserveCapacity(min(wanted, nodeCount))
        var window: [Int] = []
        var reasons: [String: Int] = [:]
        var processed = 0
        // Nodes are taken in windows just large enough to complete the feasible set if all
        // pass, so exactly as many are examined as one at a time would be; the plugins asked
        // every time then see a window per call, not a node.
        while processed < nodeCount && feasible.count < wanted {
            window.removeAll(keepingCapacity: true)
            let size = min(wanted - feasible.count, nodeCount - processed)
            for _ in 0..<size {
                let index = (start + processed) % nodeCount
                processed += 1
                if !verdicts.known[index] { remember(pod, nodes[index], at: index, in: &verdicts) }
                if let failure = verdicts.failures[index] {
                    for reason in failure.reasons { reasons[reason, default: 0] += 1 }
                } else {
                    window.append(index)
                }
            }
            for filter in plan.otherFilters where !window.isEmpty {
                filter.filter(pod, nodes, keeping: &window, reasons: &reasons)
            }
            feasible.append(contentsOf: window)
        }
        guard !feasible.isEmpty else {
            return (.unschedulable(FitError(nodeCount: nodeCount, reasons: reasons)), processed)
        }
        if feasible.count == 1 {
            return (.scheduled(node: nodes[feasible[0]].name, evaluated: processed, feasible: 1), processed)
        }
        var totals = [Int64](repeating: 0, count: feasible.count)
        var scores = [Int64](repeating: 0, count: feasible.count)
        let slots = plan.rememberedScorers.count
        for (position, (plugin, weight)) in scorers.enumerated() {
            if let slot = plan.scoreSlot[position] {
                for (candidate, index) in feasible.enumerated() { scores[candidate] = verdicts.scores[index * slots + slot] }
            } else {
                plugin.score(pod, nodes, candidates: feasible, into: &scores)
            }
            plugin.normalize(&scores)
            for candidate in scores.indices { totals[candidate] += scores[candidate] * weight }
        }
        // Ties go to a node chosen uniformly at random (reservoir sampling), as in kube-scheduler.
        var best = 0
        var ties = 1
        for position in 1..<totals.count {
            if totals[position] > totals[best] {
                best = position
                ties = 1
            } else if totals[position] == totals[best] {
                ties += 1
                if random.next(upperBound: UInt64(ties)) == 0 { best = position }
            }
        }
        return (.scheduled(node: nodes[feasible[best]].name, evaluated: processed, feasible: feasible.count), processed)
    }

    /// Asks the plugins that read only node fields about one node, once per pod shape.
    private func remember(_ pod: SchedulingPod, _ node: NodeInfo, at index: Int, in verdicts: inout NodeFieldVerdicts) {
        verdicts.known[index] = true
        verdicts.failures[index] = firstFailure(of: plan.rememberedFilters, pod, node)
        guard verdicts.failures[index] == nil else { return }
        let slots = plan.rememberedScorers.count
        for (slot, plugin) in plan.rememberedScorers.enumerated() { verdicts.scores[index * slots + slot] = plugin.score(pod, node) }
    }

    private func firstFailure(of filters: [any FilterPlugin], _ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure? {
        for filter in filters {
            if let failure = filter.filter(pod, node) { return failure }
        }
        return nil
    }

    /// The plugins split by whether their answers can be remembered.
    private struct Plan: Sendable {
        var rememberedFilters: [any FilterPlugin]
        var otherFilters: [any FilterPlugin]
        var rememberedScorers: [any ScorePlugin]
        /// For each scorer, its slot among the remembered scores, or nil when asked every time.
        var scoreSlot: [Int?]

        init(filters: [any FilterPlugin], scorers: [(plugin: any ScorePlugin, weight: Int64)]) {
            rememberedFilters = filters.filter(\.readsOnlyNodeFields)
            otherFilters = filters.filter { !$0.readsOnlyNodeFields }
            rememberedScorers = []
            scoreSlot = []
            for (plugin, _) in scorers {
                if plugin.readsOnlyNodeFields {
                    scoreSlot.append(rememberedScorers.count)
                    rememberedScorers.append(plugin)
                } else {
                    scoreSlot.append(nil)
                }
            }
        }
    }
}

/// For one pod shape, by node position: whether the node-field plugins have been asked, the
/// first such filter's failure, and the raw node-field scores (`scoreSlots` per node).
struct NodeFieldVerdicts: Sendable {
    var version: UInt64 = 0
    var known: [Bool] = []
    var failures: [FilterFailure?] = []
    var scores: [Int64] = []

    /// Forgets everything when the nodes changed (any node added or removed changes the
    /// version, so the arrays always match the node count of their version).
    mutating func prepare(version current: UInt64, nodeCount: Int, scoreSlots: Int) {
        guard version != current else { return }
        version = current
        known = Array(repeating: false, count: nodeCount)
        failures = Array(repeating: nil, count: nodeCount)
        scores = Array(repeating: 0, count: nodeCount * scoreSlots)
    }
}

public enum SchedulingDecision: Sendable {
    /// `evaluated` nodes were filtered, `feasible` of them passed and were scored.
    case scheduled(node: String, evaluated: Int, feasible: Int)
    case unschedulable(FitError)
}

/// Nothing fits: the per-reason node counts behind kube-scheduler's
/// "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint …" message.
public struct FitError: Error, Sendable, Hashable, CustomStringConvertible {
    public var nodeCount: Int
    public var reasons: [String: Int]

    public var description: String {
        guard nodeCount > 0 else { return "no nodes available to schedule pods" }
        let parts = reasons.map { "\($0.value) \($0.key)" }.sorted()
        return "0/\(nodeCount) nodes are available: \(parts.joined(separator: ", "))."
    }
}

/// A small deterministic generator, so tie-breaks are reproducible in tests and benchmarks.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
