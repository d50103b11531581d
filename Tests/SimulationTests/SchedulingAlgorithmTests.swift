import KubeModel
import Testing

@testable import Simulation

private let mib: Int64 = 1 << 20
private let gib: Int64 = 1 << 30

/// A node with room for 110 pods (the resource defaults would otherwise allow none).
private func makeNode(
    _ name: String, cpu: Int64 = 4000, memory: Int64 = 8 * gib, pods: Int64 = 110,
    labels: [String: String] = [:], taints: [Taint] = [], unschedulable: Bool = false
) -> NodeInfo {
    NodeInfo(
        name: name, labels: labels, taints: taints, unschedulable: unschedulable,
        allocatable: ResourceAmounts(milliCPU: cpu, memory: memory, pods: pods))
}

/// A pod whose uid is its name.
private func makePod(
    _ name: String, cpu: Int64 = 0, memory: Int64 = 0, nodeSelector: [String: String] = [:],
    required: [NodeSelectorTerm]? = nil, preferred: [WeightedNodeSelectorTerm] = [],
    tolerations: [Toleration] = []
) -> SchedulingPod {
    SchedulingPod(
        namespace: "default", name: name, uid: name, requests: ResourceAmounts(milliCPU: cpu, memory: memory),
        nodeSelector: nodeSelector, requiredNodeAffinity: required, preferredNodeAffinity: preferred,
        tolerations: tolerations)
}

private func makeCache(_ nodes: [NodeInfo]) -> SchedulerCache {
    var cache = SchedulerCache()
    for node in nodes { cache.upsertNode(node) }
    return cache
}

private func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    do {
        return try JSONValue(parsing: text)
    } catch {
        Issue.record("test JSON does not parse: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

private let kwokTaint = Taint(key: "kwok.x-k8s.io/node", value: "fake", effect: .noSchedule)

extension SchedulingDecision {
    fileprivate var chosenNode: String? {
        if case .scheduled(let node, _, _) = self { return node }
        return nil
    }

    fileprivate var evaluated: Int? {
        if case .scheduled(_, let evaluated, _) = self { return evaluated }
        return nil
    }

    fileprivate var feasible: Int? {
        if case .scheduled(_, _, let feasible) = self { return feasible }
        return nil
    }

    fileprivate var fitError: FitError? {
        if case .unschedulable(let error) = self { return error }
        return nil
    }
}

// MARK: - Filters

@Suite struct ResourceFitTests {
    @Test func podTooBigForOneNodeGoesToTheOther() {
        var cache = makeCache([makeNode("small", cpu: 1000), makeNode("big", cpu: 4000)])
        var algorithm = SchedulingAlgorithm()
        let decision = algorithm.schedule(makePod("p", cpu: 2000, memory: gib), in: &cache)
        #expect(decision.chosenNode == "big")
        #expect(decision.evaluated == 2)
        #expect(decision.feasible == 1)
    }

    @Test func reasonsInKubeSchedulerWords() {
        let filter = ResourcesFitFilter()
        let node = makeNode("n", cpu: 1000, memory: gib)
        #expect(filter.filter(makePod("p", cpu: 2000), node) == FilterFailure("Insufficient cpu"))
        #expect(filter.filter(makePod("p", memory: 2 * gib), node) == FilterFailure("Insufficient memory"))
        #expect(filter.filter(makePod("p", cpu: 1000, memory: gib), node) == nil, "exactly full still fits")

        var full = makeNode("n", pods: 1)
        full.add(makePod("existing"))
        #expect(filter.filter(makePod("p"), full) == FilterFailure("Too many pods"))
        #expect(filter.filter(makePod("p"), makeNode("n", pods: 0)) == FilterFailure("Too many pods"))
    }

    @Test func requestsOfPlacedPodsCount() {
        var node = makeNode("n", cpu: 1000, memory: 4 * gib)
        node.add(makePod("a", cpu: 600, memory: gib))
        let filter = ResourcesFitFilter()
        #expect(filter.filter(makePod("p", cpu: 400), node) == nil)
        #expect(filter.filter(makePod("p", cpu: 401), node) == FilterFailure("Insufficient cpu"))
        #expect(filter.filter(makePod("p", memory: 3 * gib), node) == nil)
        #expect(filter.filter(makePod("p", memory: 3 * gib + 1), node) == FilterFailure("Insufficient memory"))
    }

    @Test func podWithoutRequestsFitsAFullNode() {
        var cache = makeCache([makeNode("n", cpu: 1000, memory: gib)])
        cache.addPod(makePod("hog", cpu: 1000, memory: gib), on: "n")
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("p"), in: &cache).chosenNode == "n")
    }

    @Test func tooManyPodsThroughTheAlgorithm() {
        var cache = makeCache([makeNode("n", pods: 1)])
        cache.addPod(makePod("existing"), on: "n")
        var algorithm = SchedulingAlgorithm()
        let decision = algorithm.schedule(makePod("p"), in: &cache)
        #expect(decision.fitError?.description == "0/1 nodes are available: 1 Too many pods.")
    }
}

@Suite struct FitErrorTests {
    @Test func nothingFitsReportsSortedReasonCounts() throws {
        var cache = makeCache([
            makeNode("n1", cpu: 1000),
            makeNode("n2", cpu: 8000, taints: [kwokTaint]),
            makeNode("n3", cpu: 8000, taints: [kwokTaint]),
        ])
        var algorithm = SchedulingAlgorithm()
        let decision = algorithm.schedule(makePod("p", cpu: 2000), in: &cache)
        let error = try #require(decision.fitError)
        #expect(error.nodeCount == 3)
        #expect(error.reasons == ["Insufficient cpu": 1, "node(s) had untolerated taint {kwok.x-k8s.io/node: fake}": 2])
        #expect(
            error.description
                == "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {kwok.x-k8s.io/node: fake}.")
    }

    @Test func reasonsSortAsStringsNotByCount() {
        // kube-scheduler sorts the "<count> <reason>" strings, so "10 …" comes before "2 …".
        let error = FitError(nodeCount: 12, reasons: ["Insufficient cpu": 2, "node(s) had untolerated taint {a: }": 10])
        #expect(error.description == "0/12 nodes are available: 10 node(s) had untolerated taint {a: }, 2 Insufficient cpu.")
    }

    @Test func noNodes() {
        var cache = SchedulerCache()
        var algorithm = SchedulingAlgorithm()
        let decision = algorithm.schedule(makePod("p"), in: &cache)
        #expect(decision.fitError == FitError(nodeCount: 0, reasons: [:]))
        #expect(decision.fitError?.description == "no nodes available to schedule pods")
    }
}

@Suite struct TaintTolerationTests {
    let dedicated = Taint(key: "dedicated", value: "gpu", effect: .noSchedule)

    @Test func taintDescription() {
        #expect(dedicated.description == "{dedicated: gpu}")
        #expect(Taint(key: "k", effect: .noExecute).description == "{k: }")
    }

    @Test func noScheduleTaintBlocksWithoutToleration() {
        var cache = makeCache([makeNode("gpu", taints: [dedicated])])
        var algorithm = SchedulingAlgorithm()
        let decision = algorithm.schedule(makePod("p"), in: &cache)
        #expect(decision.fitError?.description == "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}.")
    }

    @Test func noExecuteTaintBlocksToo() {
        let filter = TaintTolerationFilter()
        let node = makeNode("n", taints: [Taint(key: "k", value: "v", effect: .noExecute)])
        #expect(filter.filter(makePod("p"), node) == FilterFailure("node(s) had untolerated taint {k: v}"))
    }

    @Test func tolerationsThatAdmit() {
        let node = makeNode("gpu", taints: [dedicated])
        let admitting: [Toleration] = [
            Toleration(key: "dedicated", value: "gpu"),
            Toleration(key: "dedicated", value: "gpu", effect: .noSchedule),
            Toleration(key: "dedicated", exists: true),
            Toleration(key: "dedicated", exists: true, effect: .noSchedule),
            Toleration(key: "", exists: true),
        ]
        for toleration in admitting {
            #expect(TaintTolerationFilter().filter(makePod("p", tolerations: [toleration]), node) == nil, "\(toleration)")
            var cache = makeCache([node])
            var algorithm = SchedulingAlgorithm()
            #expect(algorithm.schedule(makePod("p", tolerations: [toleration]), in: &cache).chosenNode == "gpu")
        }
    }

    @Test func tolerationsThatDoNotAdmit() {
        let node = makeNode("gpu", taints: [dedicated])
        let refusing: [Toleration] = [
            Toleration(key: "dedicated", value: "cpu"),
            Toleration(key: "dedicated"),
            Toleration(key: "dedicated", exists: true, effect: .noExecute),
            Toleration(key: "dedicated", value: "gpu", effect: .preferNoSchedule),
            Toleration(key: "other", exists: true),
            Toleration(key: "", exists: true, effect: .noExecute),
        ]
        for toleration in refusing {
            #expect(
                TaintTolerationFilter().filter(makePod("p", tolerations: [toleration]), node)
                    == FilterFailure("node(s) had untolerated taint {dedicated: gpu}"), "\(toleration)")
        }
    }

    @Test func emptyKeyExistsToleratesEveryTaint() {
        let node = makeNode("n", taints: [dedicated, kwokTaint, Taint(key: "x", effect: .noExecute)])
        #expect(TaintTolerationFilter().filter(makePod("p", tolerations: [Toleration(key: "", exists: true)]), node) == nil)
        // Every taint needs a toleration: tolerating one of them is not enough.
        #expect(
            TaintTolerationFilter().filter(makePod("p", tolerations: [Toleration(key: "dedicated", exists: true)]), node)
                == FilterFailure("node(s) had untolerated taint {kwok.x-k8s.io/node: fake}"))
        let all = [
            Toleration(key: "dedicated", exists: true), Toleration(key: "kwok.x-k8s.io/node", value: "fake"),
            Toleration(key: "x", exists: true, effect: .noExecute),
        ]
        #expect(TaintTolerationFilter().filter(makePod("p", tolerations: all), node) == nil)
    }

    @Test func preferNoScheduleDoesNotFilter() {
        var cache = makeCache([makeNode("n", taints: [Taint(key: "soft", effect: .preferNoSchedule)])])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("p"), in: &cache).chosenNode == "n")
    }

    @Test func preferNoScheduleTaintLowersTheScore() {
        let soft = Taint(key: "soft", effect: .preferNoSchedule)
        var cache = makeCache([makeNode("tainted", taints: [soft]), makeNode("clean")])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("p", cpu: 1000, memory: gib), in: &cache).chosenNode == "clean")

        // Weight 3 outweighs resources: the clean node is busier but still wins
        // (tainted: 0 + 81 + 93 = 174, clean: 300 + 56 + 93 = 449).
        var busy = makeCache([makeNode("tainted", taints: [soft]), makeNode("clean")])
        busy.addPod(makePod("load", cpu: 1000, memory: 2 * gib), on: "clean")
        #expect(algorithm.schedule(makePod("p", cpu: 1000, memory: gib), in: &busy).chosenNode == "clean")

        // Tolerated, the taint no longer counts and the emptier node wins.
        var tolerated = makeCache([makeNode("tainted", taints: [soft]), makeNode("clean")])
        tolerated.addPod(makePod("load", cpu: 1000, memory: 2 * gib), on: "clean")
        let pod = makePod("p", cpu: 1000, memory: gib, tolerations: [Toleration(key: "soft", exists: true)])
        #expect(algorithm.schedule(pod, in: &tolerated).chosenNode == "tainted")
    }

    @Test func taintScoreNormalisesInReverse() {
        let plugin = TaintTolerationScore()
        let soft = Taint(key: "a", effect: .preferNoSchedule)
        let softer = Taint(key: "b", effect: .preferNoSchedule)
        #expect(plugin.score(makePod("p"), makeNode("n", taints: [soft, softer, dedicated])) == 2)
        #expect(plugin.score(makePod("p", tolerations: [Toleration(key: "a", exists: true)]), makeNode("n", taints: [soft, softer])) == 1)
        var scores: [Int64] = [0, 1, 2]
        plugin.normalize(&scores)
        #expect(scores == [100, 50, 0])
        var none: [Int64] = [0, 0]
        plugin.normalize(&none)
        #expect(none == [100, 100])
    }
}

@Suite struct NodeAffinityTests {
    func admits(_ pod: SchedulingPod, _ node: NodeInfo) -> Bool { NodeAffinityFilter().filter(pod, node) == nil }

    /// A pod whose required node affinity is `terms` (the JSON of `nodeSelectorTerms`).
    func podRequiring(_ terms: String) throws -> SchedulingPod {
        try SchedulingPod(
            parse(
                #"""
                {"metadata": {"name": "p", "namespace": "default", "uid": "p"},
                 "spec": {"containers": [{"name": "c"}],
                          "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
                              {"nodeSelectorTerms": \#(terms)}}}}}
                """#))
    }

    @Test func nodeSelectorPicksTheLabelledNode() {
        var cache = makeCache([
            makeNode("hdd", labels: ["disk": "hdd"]), makeNode("ssd", labels: ["disk": "ssd"]),
            makeNode("plain"),
        ])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("p", nodeSelector: ["disk": "ssd"]), in: &cache).chosenNode == "ssd")
        let decision = algorithm.schedule(makePod("q", nodeSelector: ["disk": "nvme"]), in: &cache)
        #expect(decision.fitError?.description == "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.")
    }

    @Test func nodeSelectorNeedsEveryLabel() {
        let pod = makePod("p", nodeSelector: ["disk": "ssd", "zone": "a"])
        #expect(admits(pod, makeNode("n", labels: ["disk": "ssd", "zone": "a", "extra": "x"])))
        #expect(!admits(pod, makeNode("n", labels: ["disk": "ssd"])))
        #expect(!admits(pod, makeNode("n", labels: ["disk": "ssd", "zone": "b"])))
    }

    @Test func requiredIn() throws {
        let pod = try podRequiring(#"[{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]"#)
        #expect(admits(pod, makeNode("n", labels: ["zone": "a"])))
        #expect(admits(pod, makeNode("n", labels: ["zone": "b"])))
        #expect(!admits(pod, makeNode("n", labels: ["zone": "c"])))
        #expect(!admits(pod, makeNode("n")))

        var cache = makeCache([makeNode("x", labels: ["zone": "c"]), makeNode("y", labels: ["zone": "b"])])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(pod, in: &cache).chosenNode == "y")
    }

    @Test func requiredNotIn() throws {
        let pod = try podRequiring(#"[{"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}]"#)
        #expect(!admits(pod, makeNode("n", labels: ["zone": "a"])))
        #expect(admits(pod, makeNode("n", labels: ["zone": "b"])))
        #expect(admits(pod, makeNode("n")))
    }

    @Test func requiredExistsAndDoesNotExist() throws {
        let exists = try podRequiring(#"[{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}]"#)
        #expect(admits(exists, makeNode("n", labels: ["gpu": ""])))
        #expect(!admits(exists, makeNode("n", labels: ["cpu": "x"])))
        let absent = try podRequiring(#"[{"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]}]"#)
        #expect(admits(absent, makeNode("n")))
        #expect(!admits(absent, makeNode("n", labels: ["gpu": "nvidia"])))
    }

    @Test func requiredGtAndLt() throws {
        let greater = try podRequiring(#"[{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}]"#)
        #expect(admits(greater, makeNode("n", labels: ["cores": "8"])))
        #expect(!admits(greater, makeNode("n", labels: ["cores": "4"])))
        #expect(!admits(greater, makeNode("n", labels: ["cores": "many"])))
        #expect(!admits(greater, makeNode("n")))
        let less = try podRequiring(#"[{"matchExpressions": [{"key": "cores", "operator": "Lt", "values": ["4"]}]}]"#)
        #expect(admits(less, makeNode("n", labels: ["cores": "2"])))
        #expect(!admits(less, makeNode("n", labels: ["cores": "4"])))
    }

    @Test func requiredMatchFieldsOnNodeName() throws {
        let pod = try podRequiring(#"[{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-b"]}]}]"#)
        #expect(admits(pod, makeNode("node-b")))
        #expect(!admits(pod, makeNode("node-a")))

        var cache = makeCache([makeNode("node-a"), makeNode("node-b"), makeNode("node-c")])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(pod, in: &cache).chosenNode == "node-b")

        // Only metadata.name is a field.
        let other = try podRequiring(#"[{"matchFields": [{"key": "metadata.uid", "operator": "NotIn", "values": ["x"]}]}]"#)
        #expect(!admits(other, makeNode("node-a")))
    }

    @Test func termsAreOredAndExpressionsAnded() throws {
        let pod = try podRequiring(
            #"""
            [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]},
                                   {"key": "gpu", "operator": "Exists"}]},
             {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["special"]}]}]
            """#)
        #expect(admits(pod, makeNode("n", labels: ["zone": "a", "gpu": "yes"])))
        #expect(!admits(pod, makeNode("n", labels: ["zone": "a"])))
        #expect(!admits(pod, makeNode("n", labels: ["gpu": "yes"])))
        #expect(admits(pod, makeNode("special")))
    }

    @Test func termWithoutExpressionsMatchesNothing() throws {
        for terms in [#"[{}]"#, #"[{"matchExpressions": []}]"#, #"[{"matchExpressions": [], "matchFields": []}]"#] {
            let pod = try podRequiring(terms)
            #expect(!admits(pod, makeNode("n")), "\(terms)")
            #expect(!admits(pod, makeNode("n", labels: ["zone": "a"])), "\(terms)")
        }
        #expect(!NodeSelectorTerm().matches(labels: ["a": "b"], nodeName: "n"))
        // Another term can still match.
        let pod = try podRequiring(#"[{}, {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]"#)
        #expect(admits(pod, makeNode("n", labels: ["zone": "a"])))
    }

    @Test func unknownOperatorMatchesNothing() throws {
        let pod = try podRequiring(#"[{"matchExpressions": [{"key": "zone", "operator": "Near", "values": ["a"]}]}]"#)
        #expect(!admits(pod, makeNode("n", labels: ["zone": "a"])))
    }

    @Test func noAffinityMatchesEverything() throws {
        let pod = try SchedulingPod(parse(#"{"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}"#))
        #expect(pod.requiredNodeAffinity == nil)
        #expect(admits(pod, makeNode("n")))
        #expect(admits(pod, makeNode("m", labels: ["x": "y"])))
    }

    @Test func nodeSelectorAndAffinityMustBothHold() {
        let pod = makePod(
            "p", nodeSelector: ["disk": "ssd"],
            required: [NodeSelectorTerm(matchExpressions: [.init(key: "zone", op: .in, values: ["a"])])])
        #expect(admits(pod, makeNode("n", labels: ["disk": "ssd", "zone": "a"])))
        #expect(!admits(pod, makeNode("n", labels: ["disk": "ssd", "zone": "b"])))
        #expect(!admits(pod, makeNode("n", labels: ["zone": "a"])))
    }

    @Test func preferredAffinitySteersByWeight() throws {
        let pod = try SchedulingPod(
            parse(
                #"""
                {"metadata": {"name": "p", "namespace": "default", "uid": "p"},
                 "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}],
                          "affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                              {"weight": 10, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}},
                              {"weight": 50, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}},
                              {"preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["c"]}]}}]}}}}
                """#))
        #expect(pod.preferredNodeAffinity.map(\.weight) == [10, 50], "a term without a weight is dropped")
        var cache = makeCache([
            makeNode("a", labels: ["zone": "a"]), makeNode("b", labels: ["zone": "b"]),
            makeNode("c", labels: ["zone": "c"]),
        ])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(pod, in: &cache).chosenNode == "b")
    }

    @Test func preferredAffinityOutweighsAModestLoadDifference() {
        // empty: 300 + 0 + 81 + 93 = 474; preferred (1000m/2Gi placed): 300 + 200 + 56 + 93 = 649.
        var cache = makeCache([makeNode("empty"), makeNode("preferred", labels: ["tier": "fast"])])
        cache.addPod(makePod("load", cpu: 1000, memory: 2 * gib), on: "preferred")
        let term = NodeSelectorTerm(matchExpressions: [.init(key: "tier", op: .exists)])
        let pod = makePod("p", cpu: 1000, memory: gib, preferred: [WeightedNodeSelectorTerm(weight: 1, term: term)])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(pod, in: &cache).chosenNode == "preferred")
        #expect(algorithm.schedule(makePod("q", cpu: 1000, memory: gib), in: &cache).chosenNode == "empty")
    }

    @Test func affinityScoreSumsWeightsAndNormalises() {
        let plugin = NodeAffinityScore()
        let zoneA = NodeSelectorTerm(matchExpressions: [.init(key: "zone", op: .in, values: ["a"])])
        let ssd = NodeSelectorTerm(matchExpressions: [.init(key: "disk", op: .in, values: ["ssd"])])
        let pod = makePod("p", preferred: [.init(weight: 10, term: zoneA), .init(weight: 40, term: ssd)])
        #expect(plugin.score(pod, makeNode("n", labels: ["zone": "a", "disk": "ssd"])) == 50)
        #expect(plugin.score(pod, makeNode("n", labels: ["zone": "a"])) == 10)
        #expect(plugin.score(pod, makeNode("n")) == 0)
        var scores: [Int64] = [10, 50, 0]
        plugin.normalize(&scores)
        #expect(scores == [20, 100, 0])
        var none: [Int64] = [0, 0]
        plugin.normalize(&none)
        #expect(none == [0, 0])
    }
}

@Suite struct UnschedulableNodeTests {
    @Test func cordonedNodeIsSkipped() {
        var cache = makeCache([makeNode("cordoned", unschedulable: true), makeNode("busy")])
        cache.addPod(makePod("load", cpu: 1000, memory: 2 * gib), on: "busy")
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("p", cpu: 1000, memory: gib), in: &cache).chosenNode == "busy")

        var alone = makeCache([makeNode("cordoned", unschedulable: true)])
        #expect(
            algorithm.schedule(makePod("p"), in: &alone).fitError?.description
                == "0/1 nodes are available: 1 node(s) were unschedulable.")
    }

    @Test func toleratingTheUnschedulableTaintAdmits() {
        let tolerations: [[Toleration]] = [
            [Toleration(key: "node.kubernetes.io/unschedulable", exists: true, effect: .noSchedule)],
            [Toleration(key: "node.kubernetes.io/unschedulable", exists: true)],
            [Toleration(key: "", exists: true)],
        ]
        for toleration in tolerations {
            var cache = makeCache([makeNode("cordoned", unschedulable: true), makeNode("busy")])
            cache.addPod(makePod("load", cpu: 1000, memory: 2 * gib), on: "busy")
            var algorithm = SchedulingAlgorithm()
            let pod = makePod("p", cpu: 1000, memory: gib, tolerations: toleration)
            #expect(algorithm.schedule(pod, in: &cache).chosenNode == "cordoned", "\(toleration)")
        }
        let wrongEffect = makePod(
            "p",
            tolerations: [
                Toleration(
                    key: "node.kubernetes.io/unschedulable", exists: true,
                    effect: .noExecute)
            ])
        #expect(
            NodeUnschedulableFilter().filter(wrongEffect, makeNode("n", unschedulable: true))
                == FilterFailure("node(s) were unschedulable"))
    }

    @Test func nodeNameFilter() {
        var pod = makePod("p")
        pod.nodeName = "b"
        #expect(NodeNameFilter().filter(pod, makeNode("b")) == nil)
        #expect(NodeNameFilter().filter(pod, makeNode("a")) == FilterFailure("node(s) didn't match the requested node name"))
        #expect(NodeNameFilter().filter(makePod("q"), makeNode("a")) == nil)
    }
}

// MARK: - Scoring

@Suite struct ScoringTests {
    /// Four nodes of 4 CPU / 8 GiB: "over" is too full for the pod, the others differ in load.
    func loadedCluster() -> SchedulerCache {
        var cache = makeCache([makeNode("over"), makeNode("n1"), makeNode("n2"), makeNode("n3")])
        cache.addPod(makePod("l0", cpu: 3800, memory: gib), on: "over")
        cache.addPod(makePod("l1", cpu: 3000, memory: 6 * gib), on: "n1")
        cache.addPod(makePod("l2", cpu: 1000, memory: 2 * gib), on: "n2")
        cache.addPod(makePod("l3", cpu: 2000, memory: 4 * gib), on: "n3")
        return cache
    }

    @Test func leastAllocatedPicksTheEmptiestNode() {
        // Fit scores n1 12, n2 62, n3 37; the nodes are all perfectly balanced.
        var cache = loadedCluster()
        var algorithm = SchedulingAlgorithm()
        let decision = algorithm.schedule(makePod("p", cpu: 500, memory: gib), in: &cache)
        #expect(decision.chosenNode == "n2")
        #expect(decision.evaluated == 4)
        #expect(decision.feasible == 3)
    }

    @Test func mostAllocatedPicksTheFullestThatFits() {
        // Fit scores n1 87, n2 37, n3 62; "over" does not fit.
        var cache = loadedCluster()
        var algorithm = SchedulingAlgorithm(strategy: .mostAllocated)
        #expect(algorithm.schedule(makePod("p", cpu: 500, memory: gib), in: &cache).chosenNode == "n1")
    }

    @Test func resourceFitScoresByHand() {
        let node = makeNode("n")
        let pod = makePod("p", cpu: 1000, memory: gib)
        // cpu (4000 − 1000) × 100 / 4000 = 75, memory 7 × 100 / 8 = 87 (87.5), (75 + 87) / 2 = 81.
        #expect(ResourcesFitScore().score(pod, node) == 81)
        // cpu 25, memory 12 (12.5), 37 / 2 = 18.
        #expect(ResourcesFitScore(strategy: .mostAllocated).score(pod, node) == 18)
        // Request-less pods count as 100m / 200Mi: cpu 90, memory 80.
        #expect(ResourcesFitScore().score(makePod("q"), makeNode("m", cpu: 1000, memory: 1000 * mib)) == 85)
        // A resource requested beyond capacity scores 0: cpu 0, memory 87.
        #expect(ResourcesFitScore().score(makePod("r", cpu: 5000, memory: gib), node) == 43)
        #expect(ResourcesFitScore(strategy: .mostAllocated).score(makePod("r", cpu: 5000, memory: gib), node) == 6)
    }

    @Test func balancedAllocationScoresByHand() {
        let pod = makePod("p", cpu: 1000, memory: 2 * gib)
        var uneven = makeNode("uneven")
        uneven.add(makePod("l", cpu: 2000, memory: 2 * gib))
        var even = makeNode("even")
        even.add(makePod("l", cpu: 1500, memory: 3 * gib))
        // uneven: cpu 0.75, memory 0.5 → (1 − 0.125) × 100 = 87; even: 0.625 and 0.625 → 100.
        #expect(BalancedAllocationScore().score(pod, uneven) == 87)
        #expect(BalancedAllocationScore().score(pod, even) == 100)
        // Fractions are capped at 1: cpu 1 (5000/4000), memory 0.25 → 62.
        #expect(BalancedAllocationScore().score(makePod("big", cpu: 5000, memory: 2 * gib), makeNode("n")) == 62)
        // Best-effort pods are not scored.
        #expect(BalancedAllocationScore().score(makePod("q"), makeNode("n")) == 0)
    }

    @Test func balancedAllocationBreaksAnEqualFit() {
        // Both nodes get fit score 37; balance decides: uneven 300 + 37 + 87 = 424, even 300 + 37 + 100 = 437.
        var cache = makeCache([makeNode("uneven"), makeNode("even")])
        cache.addPod(makePod("l1", cpu: 2000, memory: 2 * gib), on: "uneven")
        cache.addPod(makePod("l2", cpu: 1500, memory: 3 * gib), on: "even")
        let pod = makePod("p", cpu: 1000, memory: 2 * gib)
        #expect(ResourcesFitScore().score(pod, cache.node(named: "uneven")!) == 37)
        #expect(ResourcesFitScore().score(pod, cache.node(named: "even")!) == 37)
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(pod, in: &cache).chosenNode == "even")
    }

    @Test func tiesAreBrokenAmongTheTiedNodesOnly() {
        for seed in UInt64(1)...20 {
            var cache = makeCache([makeNode("a"), makeNode("b"), makeNode("busy"), makeNode("c")])
            cache.addPod(makePod("load", cpu: 2000, memory: 4 * gib), on: "busy")
            var algorithm = SchedulingAlgorithm(seed: seed)
            let chosen = algorithm.schedule(makePod("p", cpu: 100, memory: mib), in: &cache).chosenNode
            #expect(["a", "b", "c"].contains(chosen ?? ""), "seed \(seed): \(chosen ?? "nil")")
        }
    }
}

// MARK: - percentageOfNodesToScore

@Suite struct PercentageOfNodesToScoreTests {
    @Test(arguments: zip([1, 50, 99, 100, 200, 1000, 5000, 6000, 10000], [1, 50, 99, 100, 100, 420, 500, 300, 500]))
    func adaptiveDefault(nodeCount: Int, expected: Int) {
        #expect(SchedulingAlgorithm().feasibleNodesToFind(nodeCount: nodeCount) == expected)
    }

    @Test func explicitPercentage() {
        #expect(SchedulingAlgorithm(percentageOfNodesToScore: 100).feasibleNodesToFind(nodeCount: 5000) == 5000)
        #expect(SchedulingAlgorithm(percentageOfNodesToScore: 150).feasibleNodesToFind(nodeCount: 5000) == 5000)
        #expect(SchedulingAlgorithm(percentageOfNodesToScore: 30).feasibleNodesToFind(nodeCount: 1000) == 300)
        #expect(SchedulingAlgorithm(percentageOfNodesToScore: 10).feasibleNodesToFind(nodeCount: 500) == 100)
        #expect(SchedulingAlgorithm(percentageOfNodesToScore: 1).feasibleNodesToFind(nodeCount: 50) == 50)
        // 0 means the adaptive default.
        #expect(SchedulingAlgorithm(percentageOfNodesToScore: 0).feasibleNodesToFind(nodeCount: 5000) == 500)
    }

    @Test func fiveThousandNodesEvaluateFiveHundredAndRotate() {
        var cache = makeCache((0..<5000).map { makeNode("node-\($0)") })
        var algorithm = SchedulingAlgorithm()
        let index = { (decision: SchedulingDecision) in decision.chosenNode.flatMap { Int($0.dropFirst("node-".count)) } ?? -1 }

        let first = algorithm.schedule(makePod("p1", cpu: 100, memory: mib), in: &cache)
        #expect(first.evaluated == 500)
        #expect(first.feasible == 500)
        #expect((0..<500).contains(index(first)))
        #expect(cache.nextStartNodeIndex == 500)

        let second = algorithm.schedule(makePod("p2", cpu: 100, memory: mib), in: &cache)
        #expect(second.evaluated == 500)
        #expect((500..<1000).contains(index(second)))
        #expect(cache.nextStartNodeIndex == 1000)
    }

    @Test func scanStartAdvancesPastInfeasibleNodesAndWraps() {
        // 200 nodes: 100 feasible ones are wanted (49% of 200 is below the minimum of 100).
        var cache = makeCache((0..<200).map { makeNode("node-\($0)", taints: $0 < 10 ? [kwokTaint] : []) })
        var algorithm = SchedulingAlgorithm()

        let first = algorithm.schedule(makePod("p1"), in: &cache)
        #expect(first.evaluated == 110)
        #expect(first.feasible == 100)
        #expect(cache.nextStartNodeIndex == 110)

        // 110…199 (90 feasible), 0…9 (tainted), 10…19 (10 feasible).
        let second = algorithm.schedule(makePod("p2"), in: &cache)
        #expect(second.evaluated == 110)
        #expect(second.feasible == 100)
        #expect(cache.nextStartNodeIndex == 20)

        let third = algorithm.schedule(makePod("p3"), in: &cache)
        #expect(third.evaluated == 100)
        #expect(cache.nextStartNodeIndex == 120)
    }

    @Test func unschedulablePodScansEveryNodeAndKeepsTheStart() {
        var cache = makeCache((0..<200).map { makeNode("node-\($0)") })
        cache.nextStartNodeIndex = 37
        var algorithm = SchedulingAlgorithm()
        let decision = algorithm.schedule(makePod("p", cpu: 8000), in: &cache)
        #expect(decision.fitError?.description == "0/200 nodes are available: 200 Insufficient cpu.")
        #expect(cache.nextStartNodeIndex == 37)
    }

    @Test func smallClustersAndFullPercentageEvaluateEveryNode() {
        var small = makeCache([makeNode("a"), makeNode("b"), makeNode("c")])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("p"), in: &small).evaluated == 3)
        #expect(small.nextStartNodeIndex == 0)

        var large = makeCache((0..<300).map { makeNode("node-\($0)") })
        var everything = SchedulingAlgorithm(percentageOfNodesToScore: 100)
        let decision = everything.schedule(makePod("p"), in: &large)
        #expect(decision.evaluated == 300)
        #expect(decision.feasible == 300)
    }
}

// MARK: - Cache

@Suite struct SchedulerCacheTests {
    @Test func addPodAccountsRequestsAndNonZeroDefaults() {
        var cache = makeCache([makeNode("n")])
        cache.addPod(makePod("a", cpu: 500, memory: gib), on: "n")
        #expect(cache.node(named: "n")?.requested == ResourceAmounts(milliCPU: 500, memory: gib, pods: 1))
        #expect(cache.node(named: "n")?.nonZeroRequested == ResourceAmounts(milliCPU: 500, memory: gib, pods: 1))

        cache.addPod(makePod("b"), on: "n")
        #expect(cache.node(named: "n")?.requested == ResourceAmounts(milliCPU: 500, memory: gib, pods: 2))
        #expect(cache.node(named: "n")?.nonZeroRequested == ResourceAmounts(milliCPU: 600, memory: gib + 200 * mib, pods: 2))
        #expect(cache.nodeName(ofPod: "a") == "n")
        #expect(cache.nodeName(ofPod: "b") == "n")

        // Counting the same pod again changes nothing.
        cache.addPod(makePod("a", cpu: 500, memory: gib), on: "n")
        #expect(cache.node(named: "n")?.requested == ResourceAmounts(milliCPU: 500, memory: gib, pods: 2))
        #expect(cache.node(named: "n")?.pods.count == 2)
    }

    @Test func removePod() {
        var cache = makeCache([makeNode("n")])
        cache.addPod(makePod("a", cpu: 500, memory: gib), on: "n")
        cache.addPod(makePod("b"), on: "n")
        cache.removePod(uid: "b")
        #expect(cache.node(named: "n")?.requested == ResourceAmounts(milliCPU: 500, memory: gib, pods: 1))
        #expect(cache.node(named: "n")?.nonZeroRequested == ResourceAmounts(milliCPU: 500, memory: gib, pods: 1))
        #expect(cache.nodeName(ofPod: "b") == nil)
        cache.removePod(uid: "b")
        cache.removePod(uid: "never")
        cache.removePod(uid: "a")
        #expect(cache.node(named: "n")?.requested == .zero)
        #expect(cache.node(named: "n")?.nonZeroRequested == .zero)
    }

    @Test func addingAPodToAnotherNodeMovesIt() {
        var cache = makeCache([makeNode("a"), makeNode("b")])
        let pod = makePod("p", cpu: 700, memory: gib)
        cache.addPod(pod, on: "a")
        cache.addPod(pod, on: "b")
        #expect(cache.node(named: "a")?.requested == .zero)
        #expect(cache.node(named: "b")?.requested == ResourceAmounts(milliCPU: 700, memory: gib, pods: 1))
        #expect(cache.nodeName(ofPod: "p") == "b")
    }

    @Test func podsOfAnUnknownNodeCountOnceItAppears() {
        var cache = SchedulerCache()
        cache.addPod(makePod("early", cpu: 300, memory: gib), on: "later")
        cache.addPod(makePod("gone", cpu: 5000), on: "later")
        cache.removePod(uid: "gone")
        #expect(cache.nodeName(ofPod: "early") == "later")
        #expect(cache.nodeCount == 0)

        cache.upsertNode(makeNode("later"))
        #expect(cache.node(named: "later")?.requested == ResourceAmounts(milliCPU: 300, memory: gib, pods: 1))

        // Removing it now takes it off the node.
        cache.removePod(uid: "early")
        #expect(cache.node(named: "later")?.requested == .zero)
    }

    @Test func orphanPodMovedToAKnownNode() {
        var cache = makeCache([makeNode("known")])
        let pod = makePod("p", cpu: 300)
        cache.addPod(pod, on: "unknown")
        cache.addPod(pod, on: "known")
        cache.upsertNode(makeNode("unknown"))
        #expect(cache.node(named: "unknown")?.requested == .zero)
        #expect(cache.node(named: "known")?.requested.milliCPU == 300)
    }

    @Test func upsertKeepsPodsAndRefreshesTheNode() {
        var cache = makeCache([makeNode("n")])
        cache.addPod(makePod("a", cpu: 500), on: "n")
        cache.upsertNode(makeNode("n", cpu: 2000, labels: ["zone": "a"], taints: [kwokTaint], unschedulable: true))
        let node = cache.node(named: "n")
        #expect(cache.nodeCount == 1)
        #expect(node?.allocatable.milliCPU == 2000)
        #expect(node?.labels == ["zone": "a"])
        #expect(node?.taints == [kwokTaint])
        #expect(node?.unschedulable == true)
        #expect(node?.requested.milliCPU == 500)
    }

    @Test func removeNode() {
        var cache = makeCache([makeNode("a"), makeNode("b"), makeNode("c")])
        cache.addPod(makePod("p", cpu: 100), on: "c")
        cache.nextStartNodeIndex = 2
        cache.removeNode(named: "a")
        #expect(cache.nodeCount == 2)
        #expect(cache.node(named: "a")?.name == nil)
        #expect(cache.nodes.map(\.name) == ["b", "c"])
        #expect(cache.node(named: "b")?.name == "b")
        #expect(cache.node(named: "c")?.requested.milliCPU == 100)
        #expect(cache.nextStartNodeIndex == 0, "a scan start past the end restarts at 0")
        cache.removeNode(named: "missing")
        #expect(cache.nodeCount == 2)

        // Later pods land on the remaining nodes by name.
        cache.addPod(makePod("q", cpu: 50), on: "b")
        #expect(cache.node(named: "b")?.requested.milliCPU == 50)
    }

    @Test func podsOfARemovedNodeCountWhenItComesBack() {
        // kube-scheduler keeps a removed node's pods (the pod deletions may arrive later), and
        // SchedulerCache.removeNode says it does too; the implementation forgets them.
        var cache = makeCache([makeNode("n")])
        cache.addPod(makePod("p", cpu: 500), on: "n")
        cache.removeNode(named: "n")
        cache.upsertNode(makeNode("n"))
        #expect(cache.node(named: "n")?.requested.milliCPU == 500)
        #expect(cache.nodeName(ofPod: "p") == "n")
    }
}

@Suite struct NodeInfoTests {
    @Test func readsNodeJSON() throws {
        let node = try NodeInfo(
            parse(
                #"""
                {"metadata": {"name": "n1", "labels": {"zone": "a"}},
                 "spec": {"unschedulable": true,
                          "taints": [{"key": "k", "value": "v", "effect": "NoSchedule"},
                                     {"key": "soft", "effect": "PreferNoSchedule"},
                                     {"key": "bad", "effect": "Sideways"}]},
                 "status": {"capacity": {"cpu": "8", "memory": "16Gi", "pods": "110"},
                            "allocatable": {"cpu": "7500m", "memory": "15Gi", "pods": "100"}}}
                """#))
        #expect(node.name == "n1")
        #expect(node.labels == ["zone": "a"])
        #expect(node.unschedulable)
        #expect(node.taints == [Taint(key: "k", value: "v", effect: .noSchedule), Taint(key: "soft", effect: .preferNoSchedule)])
        #expect(node.allocatable == ResourceAmounts(milliCPU: 7500, memory: 15 * gib, pods: 100))

        let capacityOnly = try NodeInfo(
            parse(#"{"metadata": {"name": "n2"}, "status": {"capacity": {"cpu": "2", "memory": "1Gi", "pods": 10}}}"#))
        #expect(capacityOnly.allocatable == ResourceAmounts(milliCPU: 2000, memory: gib, pods: 10))
        #expect(!capacityOnly.unschedulable)
        #expect(capacityOnly.taints.isEmpty)
    }

    @Test func resourceListRoundTrip() {
        let amounts = ResourceAmounts(milliCPU: 1500, memory: 4 * gib, pods: 110)
        let expected: JSONValue = ["cpu": "1500m", "memory": "4Gi", "pods": "110"]
        #expect(amounts.resourceList == expected)
        #expect(ResourceAmounts(resourceList: amounts.resourceList) == amounts)
        #expect(
            ResourceAmounts(resourceList: ["cpu": "bogus", "memory": "1Mi", "nvidia.com/gpu": "1"])
                == ResourceAmounts(milliCPU: 0, memory: mib, pods: 0))
        #expect(ResourceAmounts(resourceList: nil) == .zero)
    }

    @Test func addingTheSamePodTwiceCountsOnce() {
        var node = makeNode("n")
        node.add(makePod("a", cpu: 100, memory: mib))
        node.add(makePod("a", cpu: 100, memory: mib))
        #expect(node.requested == ResourceAmounts(milliCPU: 100, memory: mib, pods: 1))
        node.remove(podUID: "unknown")
        #expect(node.requested == ResourceAmounts(milliCPU: 100, memory: mib, pods: 1))
        node.remove(podUID: "a")
        #expect(node.requested == .zero)
        #expect(node.pods.isEmpty)
    }
}

// MARK: - Pods

@Suite struct SchedulingPodTests {
    @Test func memberwiseInitDefaults() {
        let pod = SchedulingPod(namespace: "ns", name: "p", requests: ResourceAmounts(milliCPU: 500))
        #expect(pod.requests == ResourceAmounts(milliCPU: 500, memory: 0, pods: 1))
        #expect(pod.nonZeroRequests == ResourceAmounts(milliCPU: 500, memory: 200 * mib, pods: 1))
        #expect(pod.key == "ns/p")
        #expect(pod.schedulerName == "default-scheduler")
        let empty = SchedulingPod(namespace: "ns", name: "q")
        #expect(empty.nonZeroRequests == ResourceAmounts(milliCPU: 100, memory: 200 * mib, pods: 1))
    }

    @Test func sumsContainerRequests() throws {
        let pod = try SchedulingPod(
            parse(
                #"""
                {"metadata": {"name": "web", "namespace": "shop", "uid": "u-1"},
                 "spec": {"containers": [
                     {"name": "a", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}},
                     {"name": "b", "resources": {"requests": {"cpu": "500m", "memory": "128Mi"}}}]}}
                """#))
        #expect(pod.key == "shop/web")
        #expect(pod.uid == "u-1")
        #expect(pod.requests == ResourceAmounts(milliCPU: 750, memory: 192 * mib, pods: 1))
        #expect(pod.nonZeroRequests == ResourceAmounts(milliCPU: 750, memory: 192 * mib, pods: 1))
        #expect(pod.nodeName == nil)
        #expect(pod.requiredNodeAffinity == nil)
        #expect(pod.preferredNodeAffinity.isEmpty)
        #expect(pod.tolerations.isEmpty)
        #expect(pod.priority == 0)
        #expect(pod.schedulerName == "default-scheduler")
    }

    @Test func nonZeroDefaultsApplyPerContainer() throws {
        let pod = try SchedulingPod(
            parse(
                #"""
                {"metadata": {"name": "p", "namespace": "ns"},
                 "spec": {"containers": [
                     {"name": "a", "resources": {"requests": {"cpu": "250m"}}},
                     {"name": "b"}]}}
                """#))
        #expect(pod.requests == ResourceAmounts(milliCPU: 250, memory: 0, pods: 1))
        #expect(pod.nonZeroRequests == ResourceAmounts(milliCPU: 350, memory: 400 * mib, pods: 1))
    }

    @Test func initContainersCountAsTheirMaximumPlusOverhead() throws {
        let pod = try SchedulingPod(
            parse(
                #"""
                {"metadata": {"name": "p", "namespace": "ns"},
                 "spec": {"containers": [
                              {"name": "a", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}},
                              {"name": "b", "resources": {"requests": {"cpu": "500m", "memory": "128Mi"}}}],
                          "initContainers": [
                              {"name": "i1", "resources": {"requests": {"cpu": "1", "memory": "256Mi"}}},
                              {"name": "i2", "resources": {"requests": {"cpu": "100m", "memory": "1Gi"}}}],
                          "overhead": {"cpu": "100m", "memory": "64Mi"}}}
                """#))
        #expect(pod.requests == ResourceAmounts(milliCPU: 1100, memory: gib + 64 * mib, pods: 1))
        #expect(pod.nonZeroRequests == ResourceAmounts(milliCPU: 1100, memory: gib + 64 * mib, pods: 1))
    }

    @Test func smallInitContainersDoNotRaiseRequests() throws {
        let pod = try SchedulingPod(
            parse(
                #"""
                {"metadata": {"name": "p", "namespace": "ns"},
                 "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "2", "memory": "2Gi"}}}],
                          "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}
                """#))
        #expect(pod.requests == ResourceAmounts(milliCPU: 2000, memory: 2 * gib, pods: 1))
    }

    @Test func limitsStandInForMissingRequests() throws {
        let pod = try SchedulingPod(
            parse(
                #"""
                {"metadata": {"name": "p", "namespace": "ns"},
                 "spec": {"containers": [
                     {"name": "a", "resources": {"limits": {"cpu": "2", "memory": "1Gi"}}},
                     {"name": "b", "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "1", "memory": "512Mi"}}},
                     {"name": "c", "resources": {"requests": {"cpu": 1}}}]}}
                """#))
        #expect(pod.requests == ResourceAmounts(milliCPU: 3100, memory: 1536 * mib, pods: 1))
        #expect(pod.nonZeroRequests == ResourceAmounts(milliCPU: 3100, memory: 1536 * mib + 200 * mib, pods: 1))
    }

    @Test func readsPlacementFields() throws {
        let pod = try SchedulingPod(
            parse(
                #"""
                {"metadata": {"name": "p", "namespace": "ns"},
                 "spec": {"containers": [{"name": "a"}],
                          "nodeName": "n1",
                          "nodeSelector": {"disk": "ssd", "count": 5},
                          "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"},
                                          {"key": "d", "operator": "Equal", "value": "x"},
                                          {"operator": "Exists"}],
                          "priority": 1000,
                          "schedulerName": "custom"}}
                """#))
        #expect(pod.nodeName == "n1")
        #expect(pod.nodeSelector == ["disk": "ssd"])
        #expect(
            pod.tolerations == [
                Toleration(key: "k", exists: true, effect: .noSchedule),
                Toleration(key: "d", value: "x"),
                Toleration(key: "", exists: true),
            ])
        #expect(pod.priority == 1000)
        #expect(pod.schedulerName == "custom")

        let unbound = try SchedulingPod(parse(#"{"metadata": {"name": "p"}, "spec": {"nodeName": ""}}"#))
        #expect(unbound.nodeName == nil)
        #expect(unbound.requests == ResourceAmounts(milliCPU: 0, memory: 0, pods: 1))
    }
}

// MARK: - Verdicts remembered per pod shape

/// The same plugin, never remembered: the reference the remembering algorithm must agree with.
private struct AskedEveryTimeFilter: FilterPlugin {
    let inner: any FilterPlugin
    var name: String { inner.name }
    func filter(_ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure? { inner.filter(pod, node) }
}

private struct AskedEveryTimeScore: ScorePlugin {
    let inner: any ScorePlugin
    var name: String { inner.name }
    func score(_ pod: SchedulingPod, _ node: NodeInfo) -> Int64 { inner.score(pod, node) }
    func normalize(_ scores: inout [Int64]) { inner.normalize(&scores) }
}

/// Refuses one node by name: a plugin reading only node fields.
private struct NotNamedFilter: FilterPlugin {
    let refused: String
    var name: String { "NotNamed" }
    var readsOnlyNodeFields: Bool { true }
    func filter(_ pod: SchedulingPod, _ node: NodeInfo) -> FilterFailure? {
        node.name == refused ? FilterFailure("node(s) were refused by name") : nil
    }
}

@Suite struct RememberedVerdictTests {
    @Test func aNodeTaintedAfterwardsIsNoLongerChosen() {
        var cache = makeCache([makeNode("a"), makeNode("b")])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("first"), in: &cache).feasible == 2)
        cache.upsertNode(makeNode("a", taints: [kwokTaint]))
        for index in 0..<4 {
            #expect(algorithm.schedule(makePod("p\(index)"), in: &cache).chosenNode == "b")
        }
        let error = algorithm.schedule(makePod("q"), in: &cache)
        #expect(error.feasible == 1)
    }

    @Test func aRelabelledNodeIsAskedAgain() {
        var cache = makeCache([makeNode("a", labels: ["disk": "hdd"]), makeNode("b", labels: ["disk": "hdd"])])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("first", nodeSelector: ["disk": "ssd"]), in: &cache).fitError != nil)
        cache.upsertNode(makeNode("b", labels: ["disk": "ssd"]))
        #expect(algorithm.schedule(makePod("second", nodeSelector: ["disk": "ssd"]), in: &cache).chosenNode == "b")
    }

    @Test func removingANodeDoesNotShiftVerdictsOntoItsNeighbours() {
        var cache = makeCache([makeNode("tainted", taints: [kwokTaint]), makeNode("gone"), makeNode("clean")])
        var algorithm = SchedulingAlgorithm()
        _ = algorithm.schedule(makePod("first"), in: &cache)
        cache.removeNode(named: "gone")
        for index in 0..<4 {
            #expect(algorithm.schedule(makePod("p\(index)"), in: &cache).chosenNode == "clean")
        }
    }

    @Test func aNewCacheStartsAfresh() {
        var algorithm = SchedulingAlgorithm()
        var first = makeCache([makeNode("a"), makeNode("b", taints: [kwokTaint])])
        #expect(algorithm.schedule(makePod("p"), in: &first).chosenNode == "a")
        // The next term's cache has the same positions with the opposite taints.
        var second = makeCache([makeNode("a", taints: [kwokTaint]), makeNode("b")])
        #expect(algorithm.schedule(makePod("q"), in: &second).chosenNode == "b")
    }

    @Test func aNodeNamedByThePodIsItsOwnShape() {
        var cache = makeCache([makeNode("a"), makeNode("b")])
        var algorithm = SchedulingAlgorithm()
        var onA = makePod("x")
        onA.nodeName = "a"
        var onB = makePod("y")
        onB.nodeName = "b"
        #expect(algorithm.schedule(onA, in: &cache).chosenNode == "a")
        #expect(algorithm.schedule(onB, in: &cache).chosenNode == "b")
    }

    @Test func otherPluginsForgetWhatTheOldOnesSaid() {
        var cache = makeCache([makeNode("a"), makeNode("b")])
        var algorithm = SchedulingAlgorithm()
        #expect(algorithm.schedule(makePod("first"), in: &cache).feasible == 2)
        algorithm.filters.append(NotNamedFilter(refused: "a"))
        for index in 0..<3 {
            #expect(algorithm.schedule(makePod("p\(index)"), in: &cache).chosenNode == "b")
        }
        // Fewer remembered scorers, then more, with nodes added in between: no stale layout.
        algorithm.scorers.removeFirst()
        cache.upsertNode(makeNode("c"))
        #expect(algorithm.schedule(makePod("q"), in: &cache).feasible == 2)
        algorithm.scorers.append((TaintTolerationScore(), 3))
        cache.upsertNode(makeNode("d"))
        #expect(algorithm.schedule(makePod("r"), in: &cache).feasible == 3)
    }

    @Test func variedShapesStayBounded() {
        var cache = makeCache([makeNode("a")])
        var algorithm = SchedulingAlgorithm()
        for index in 0..<(SchedulingAlgorithm.rememberedShapes * 3) {
            _ = algorithm.schedule(makePod("p\(index)", nodeSelector: ["k": "\(index)"]), in: &cache)
        }
        #expect(algorithm.remembered.count <= SchedulingAlgorithm.rememberedShapes)
        #expect(!algorithm.remembered.isEmpty)
    }

    /// A varied cluster that changes under a stream of pods of a few shapes: the remembering
    /// algorithm makes exactly the decisions (nodes, counts, reasons) of one asking every time.
    @Test func decidesExactlyAsAskingEveryTime() {
        var generator = SplitMix64(seed: 42)
        func pick(_ count: Int) -> Int { Int(generator.next(upperBound: UInt64(count))) }
        let zones = ["a", "b", "c"]
        var nodes: [NodeInfo] = []
        for index in 0..<300 {
            let taints: [Taint] =
                switch pick(5) {
                case 0: [kwokTaint]
                case 1: [Taint(key: "gpu", effect: .preferNoSchedule)]
                default: []
                }
            nodes.append(
                makeNode(
                    "n\(index)", cpu: Int64(2000 + 1000 * pick(4)), memory: Int64(2 + pick(6)) * gib,
                    labels: ["zone": zones[pick(3)], "kubernetes.io/hostname": "n\(index)"], taints: taints,
                    unschedulable: pick(20) == 0))
        }
        let shapes: [(Int) -> SchedulingPod] = [
            { makePod("plain-\($0)", cpu: 500, memory: gib) },
            { makePod("zoned-\($0)", cpu: 250, memory: 512 * mib, nodeSelector: ["zone": "b"]) },
            { makePod("tolerant-\($0)", cpu: 1000, tolerations: [Toleration(key: "", exists: true)]) },
            {
                makePod(
                    "preferring-\($0)", memory: gib,
                    required: [NodeSelectorTerm(matchExpressions: [.init(key: "zone", op: .notIn, values: ["c"])])],
                    preferred: [
                        WeightedNodeSelectorTerm(
                            weight: 10, term: NodeSelectorTerm(matchExpressions: [.init(key: "zone", op: .in, values: ["a"])]))
                    ])
            },
            // Fits only the roomy nodes added on the way, or nowhere: failures and their reasons.
            { makePod("huge-\($0)", cpu: 6000) },
        ]
        var remembering = SchedulingAlgorithm(percentageOfNodesToScore: 30)
        var reference = SchedulingAlgorithm(percentageOfNodesToScore: 30)
        reference.filters = reference.filters.map { AskedEveryTimeFilter(inner: $0) }
        reference.scorers = reference.scorers.map { (AskedEveryTimeScore(inner: $0.plugin), $0.weight) }
        var rememberingCache = makeCache(nodes)
        var referenceCache = makeCache(nodes)
        var decided = 0
        for index in 0..<1_500 {
            let pod = shapes[index % shapes.count](index)
            let expected = reference.schedule(pod, in: &referenceCache)
            let actual = remembering.schedule(pod, in: &rememberingCache)
            #expect(actual.chosenNode == expected.chosenNode)
            #expect(actual.evaluated == expected.evaluated)
            #expect(actual.fitError == expected.fitError)
            if let node = expected.chosenNode {
                decided += 1
                referenceCache.addPod(pod, on: node)
                rememberingCache.addPod(pod, on: node)
            }
            // Now and then the cluster changes: a taint, a label, a node gone, one added.
            if index % 97 == 0 {
                var changed = nodes[pick(nodes.count)]
                changed.taints = changed.taints.isEmpty ? [kwokTaint] : []
                changed.labels["zone"] = zones[pick(3)]
                referenceCache.upsertNode(changed)
                rememberingCache.upsertNode(changed)
            }
            if index % 211 == 0 {
                let name = "n\(pick(nodes.count))"
                referenceCache.removeNode(named: name)
                rememberingCache.removeNode(named: name)
                let added = makeNode("extra-\(index)", cpu: 8000, labels: ["zone": zones[pick(3)]])
                referenceCache.upsertNode(added)
                rememberingCache.upsertNode(added)
            }
            // Pods leave too, so that full nodes free up.
            if index % 5 == 0, index >= 50 {
                let leaving = shapes[(index - 50) % shapes.count](index - 50)
                referenceCache.removePod(uid: leaving.uid)
                rememberingCache.removePod(uid: leaving.uid)
            }
        }
        #expect(decided > 1_000)
        #expect(decided < 1_500)
    }
}

// MARK: - Windows and batched plugin calls

/// kube-scheduler's cycle written plainly, one node and one plugin call at a time (node-field
/// filters first, as the algorithm documents): what the windowed, batched algorithm must agree
/// with. Returns the nodes sharing the best total, of which the algorithm picks one.
private func plainCycle(
    _ pod: SchedulingPod, _ cache: SchedulerCache, _ algorithm: SchedulingAlgorithm
) -> (best: Set<String>, evaluated: Int, feasible: Int, fitError: FitError?) {
    let nodes = cache.nodes
    let wanted = algorithm.feasibleNodesToFind(nodeCount: nodes.count)
    let start = cache.nextStartNodeIndex % nodes.count
    let filters = algorithm.filters.filter(\.readsOnlyNodeFields) + algorithm.filters.filter { !$0.readsOnlyNodeFields }
    var feasible: [NodeInfo] = []
    var reasons: [String: Int] = [:]
    var evaluated = 0
    while evaluated < nodes.count && feasible.count < wanted {
        let node = nodes[(start + evaluated) % nodes.count]
        evaluated += 1
        if let failure = filters.lazy.compactMap({ $0.filter(pod, node) }).first {
            for reason in failure.reasons { reasons[reason, default: 0] += 1 }
        } else {
            feasible.append(node)
        }
    }
    guard !feasible.isEmpty else { return ([], evaluated, 0, FitError(nodeCount: nodes.count, reasons: reasons)) }
    var totals = [Int64](repeating: 0, count: feasible.count)
    for (plugin, weight) in algorithm.scorers {
        var scores = feasible.map { plugin.score(pod, $0) }
        plugin.normalize(&scores)
        for index in totals.indices { totals[index] += scores[index] * weight }
    }
    let top = totals.max() ?? 0
    return (Set(feasible.indices.filter { totals[$0] == top }.map { feasible[$0].name }), evaluated, feasible.count, nil)
}

@Suite struct WindowedCycleTests {
    /// Nodes fill up unevenly, so resource fit (asked every time, in windows) refuses nodes
    /// inside a window, across the wrap, and everywhere: the counts, the reasons and the pick
    /// match the plain cycle on every pod.
    @Test func agreesWithThePlainCycleAsNodesFill() {
        var generator = SplitMix64(seed: 7)
        func pick(_ count: Int) -> Int { Int(generator.next(upperBound: UInt64(count))) }
        let nodes = (0..<260).map { index in
            makeNode(
                "n\(index)", cpu: Int64(1000 + 500 * pick(6)), memory: Int64(1 + pick(4)) * gib, pods: Int64(3 + pick(8)),
                taints: pick(9) == 0 ? [kwokTaint] : [])
        }
        var cache = makeCache(nodes)
        var algorithm = SchedulingAlgorithm()
        // A custom plugin asked every time, through the batch calls' default implementations.
        algorithm.filters.append(AskedEveryTimeFilter(inner: NotNamedFilter(refused: "n3")))
        algorithm.scorers.append((AskedEveryTimeScore(inner: ResourcesFitScore(strategy: .mostAllocated)), 1))
        var windowsWithRefusals = 0
        var unschedulable = 0
        for index in 0..<1_200 {
            let pod = makePod("p\(index)", cpu: Int64(100 * (1 + pick(8))), memory: Int64(1 + pick(4)) * 128 * mib)
            let expected = plainCycle(pod, cache, algorithm)
            let decision = algorithm.schedule(pod, in: &cache)
            switch decision {
            case .scheduled(let node, let evaluated, let feasible):
                #expect(expected.best.contains(node))
                #expect(evaluated == expected.evaluated)
                #expect(feasible == expected.feasible)
                if evaluated > feasible, feasible > 1 { windowsWithRefusals += 1 }
                cache.addPod(pod, on: node)
            case .unschedulable(let error):
                #expect(error == expected.fitError)
                unschedulable += 1
            }
        }
        // The stream covered what it is for: refusals inside windows, and a full cluster.
        #expect(windowsWithRefusals > 100)
        #expect(unschedulable > 10)
    }

    @Test func theBatchCallsDefaultsMatchTheSingleCalls() {
        let nodes = [
            makeNode("roomy", cpu: 8000), makeNode("small", cpu: 500), makeNode("no-pods", pods: 0),
            makeNode("tight", cpu: 1000, memory: gib),
        ]
        let pod = makePod("p", cpu: 900, memory: 2 * gib)
        nodes.withUnsafeBufferPointer { buffer in
            var kept = Array(buffer.indices)
            var reasons: [String: Int] = [:]
            ResourcesFitFilter().filter(pod, buffer, keeping: &kept, reasons: &reasons)
            #expect(kept == [0])
            #expect(reasons == ["Insufficient cpu": 1, "Too many pods": 1, "Insufficient memory": 1])

            for plugin in [ResourcesFitScore(), ResourcesFitScore(strategy: .mostAllocated)] as [any ScorePlugin]
                + [BalancedAllocationScore()]
            {
                var scores = [Int64](repeating: -1, count: 2)
                plugin.score(pod, buffer, candidates: [3, 0], into: &scores)
                #expect(scores == [plugin.score(pod, buffer[3]), plugin.score(pod, buffer[0])])
            }
        }
    }
}
