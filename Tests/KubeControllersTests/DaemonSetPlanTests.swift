import KubeModel
import Testing

@testable import KubeControllers

/// ``DaemonPlacement`` and ``DaemonSetPlan``: which nodes get a daemon pod, and how a template
/// change replaces them within `maxUnavailable`.
struct DaemonSetPlanTests {
    func node(_ name: String, labels: [String: String] = [:], taints: [JSONValue] = []) -> JSONValue {
        var node: JSONValue = ["metadata": ["name": .string(name)], "spec": ["taints": .array(taints)]]
        node.labels = labels
        return node
    }

    @Test func nodeSelectorAffinityAndTaintsDecidePlacement() {
        let spec = DaemonPlacement.withStandardTolerations(["nodeSelector": ["disk": "ssd"]])
        #expect(DaemonPlacement.verdict(podSpec: spec, node: node("a", labels: ["disk": "ssd"])).shouldRun)
        #expect(!DaemonPlacement.verdict(podSpec: spec, node: node("b")).shouldRun)

        let affinity: JSONValue = [
            "affinity": [
                "nodeAffinity": [
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        "nodeSelectorTerms": [["matchExpressions": [["key": "zone", "operator": "In", "values": ["x"]]]]]
                    ]
                ]
            ]
        ]
        #expect(DaemonPlacement.verdict(podSpec: affinity, node: node("a", labels: ["zone": "x"])).shouldRun)
        #expect(!DaemonPlacement.verdict(podSpec: affinity, node: node("a", labels: ["zone": "y"])).shouldRun)

        let noSchedule: JSONValue = ["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]
        let plain = DaemonPlacement.withStandardTolerations([:])
        let tainted = DaemonPlacement.verdict(podSpec: plain, node: node("c", taints: [noSchedule]))
        #expect(tainted == .init(shouldRun: false, shouldContinueRunning: true))
        let tolerating = DaemonPlacement.withStandardTolerations([
            "tolerations": [["key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"]]
        ])
        #expect(DaemonPlacement.verdict(podSpec: tolerating, node: node("c", taints: [noSchedule])).shouldRun)
        // The standard tolerations let a daemon run on a cordoned node.
        let cordoned: JSONValue = ["key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"]
        #expect(DaemonPlacement.verdict(podSpec: plain, node: node("d", taints: [cordoned])).shouldRun)
    }

    @Test func podsArePinnedToTheirNodeByMetadataName() {
        let pod: JSONValue = ["spec": ["affinity": DaemonPlacement.pinned(nil, to: "node-1")]]
        #expect(DaemonPlacement.targetNode(of: pod) == "node-1")
        var bound = pod
        bound[path: ["spec", "nodeName"]] = "node-2"
        #expect(DaemonPlacement.targetNode(of: bound) == "node-2")
    }

    let runs = DaemonPlacement.Verdict(shouldRun: true, shouldContinueRunning: true)
    let never = DaemonPlacement.Verdict(shouldRun: false, shouldContinueRunning: false)

    func pod(_ name: String, _ hash: String, available: Bool = true, age: Int = 0) -> DaemonSetPlan.DaemonPod {
        .init(name: name, hash: hash, ready: available, available: available, age: age)
    }

    @Test func oneManagedPodPerEligibleNode() {
        let nodes: [DaemonSetPlan.NodeState] = [
            .init(name: "a", verdict: runs, pods: []),
            .init(name: "b", verdict: runs, pods: [pod("b1", "h", age: 0), pod("b2", "h", age: 1)]),
            .init(name: "c", verdict: never, pods: [pod("c1", "h")]),
        ]
        let actions = DaemonSetPlan.actions(nodes, hash: "h", rollingUpdate: true, maxUnavailable: 1)
        #expect(actions == .init(createOn: ["a"], delete: ["b2", "c1"]))
        let status = DaemonSetPlan.status(nodes, hash: "h")
        #expect(status.desiredNumberScheduled == 2)
        #expect(status.currentNumberScheduled == 1)
        #expect(status.numberMisscheduled == 1)
        #expect(status.numberAvailable == 1)
        #expect(status.numberUnavailable == 1)
    }

    @Test func rollingUpdateReplacesWithinMaxUnavailable() {
        let nodes: [DaemonSetPlan.NodeState] = ["a", "b", "c"].map { .init(name: $0, verdict: runs, pods: [pod("\($0)1", "old")]) }
        #expect(DaemonSetPlan.rollingUpdate(nodes, hash: "new", maxUnavailable: 1) == ["a1"])
        #expect(DaemonSetPlan.rollingUpdate(nodes, hash: "new", maxUnavailable: 2) == ["a1", "b1"])
        // Node a is being replaced (no pod yet): nothing more may go.
        var replacing = nodes
        replacing[0].pods = [DaemonSetPlan.DaemonPod(name: "a1", hash: "old", terminating: true)]
        #expect(DaemonSetPlan.rollingUpdate(replacing, hash: "new", maxUnavailable: 1).isEmpty)
        // An unavailable old pod goes at once.
        var broken = nodes
        broken[2].pods = [pod("c1", "old", available: false)]
        #expect(DaemonSetPlan.rollingUpdate(broken, hash: "new", maxUnavailable: 1) == ["c1"])
    }
}
