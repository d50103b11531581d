import ControllerKit
import KubeModel
import Testing

@testable import Capacity

/// The load index fed by the pod informer: which launchers count, on which node.
@Suite struct VMLoadIndexTests {
    private let load = CapacityFixtures.load(cores: 4, bytes: 8 << 30, cpu: 0.5, memory: 0.5)

    private func names(_ index: VMLoadIndex) -> [String: [String]] {
        index.loadsByNode().mapValues { $0.map(\.vmName) }
    }

    @Test func runningLaunchersCountOnTheirNodeSortedByVM() {
        let index = VMLoadIndex()
        index.handle(.added(CapacityFixtures.launcher("b", node: "n1", annotations: load).object, isInInitialList: true))
        index.handle(.added(CapacityFixtures.launcher("a", node: "n1", annotations: load).object, isInInitialList: true))
        index.handle(.added(CapacityFixtures.launcher("c", node: "n2", annotations: load).object, isInInitialList: false))
        #expect(names(index) == ["n1": ["a", "b"], "n2": ["c"]])
        #expect(index.loadsByNode()["n1"]?.first?.cpuCores == 4)
    }

    @Test func aNodeReadBeforeAChangeShowsTheChangeAfterwards() {
        let index = VMLoadIndex()
        index.handle(.added(CapacityFixtures.launcher("b", node: "n1", annotations: load).object, isInInitialList: false))
        index.handle(.added(CapacityFixtures.launcher("z", node: "n2", annotations: load).object, isInInitialList: false))
        #expect(names(index) == ["n1": ["b"], "n2": ["z"]])
        let added = CapacityFixtures.launcher("a", node: "n1", annotations: load).object
        index.handle(.added(added, isInInitialList: false))
        #expect(names(index) == ["n1": ["a", "b"], "n2": ["z"]])
        index.handle(.deleted(added, finalStateUnknown: false))
        #expect(names(index) == ["n1": ["b"], "n2": ["z"]])
        index.handle(.deleted(CapacityFixtures.launcher("z", node: "n2", annotations: load).object, finalStateUnknown: false))
        #expect(names(index) == ["n1": ["b"]])
    }

    @Test func pendingAndUnboundPodsAndOtherPodsDoNotCount() {
        let index = VMLoadIndex()
        // Bound but not yet started by the kubelet: it takes its room already.
        index.handle(.added(CapacityFixtures.launcher("starting", node: "n1", phase: "Pending").object, isInInitialList: false))
        index.handle(.added(CapacityFixtures.launcher("unbound", node: nil, phase: "Pending").object, isInInitialList: false))
        var other = CapacityFixtures.launcher("x")
        other.labels = ["app": "web"]
        other.object.name = "web-1"
        index.handle(.added(other.object, isInInitialList: false))
        #expect(names(index) == ["n1": ["starting"]])
    }

    @Test func anUpdateMovesALauncherAndAFinishedOneLeaves() {
        let index = VMLoadIndex()
        let before = CapacityFixtures.launcher("a", node: "n1", annotations: load)
        index.handle(.added(before.object, isInInitialList: false))
        // A pod's node does not change in Kubernetes, but the cache may see a delete and a
        // re-create under one key as one update; the index must not keep the old placement.
        let moved = CapacityFixtures.launcher("a", node: "n2", annotations: load)
        index.handle(.updated(old: before.object, new: moved.object))
        #expect(names(index) == ["n2": ["a"]])

        for phase in ["Succeeded", "Failed"] {
            index.handle(.updated(old: moved.object, new: CapacityFixtures.launcher("a", node: "n2", phase: phase).object))
            #expect(index.loadsByNode().isEmpty, "a launcher that has \(phase) holds no load")
            index.handle(.updated(old: moved.object, new: moved.object))
            #expect(names(index) == ["n2": ["a"]])
        }
    }

    @Test func aTerminatingLauncherLeavesAtOnce() {
        let index = VMLoadIndex()
        let pod = CapacityFixtures.launcher("a", annotations: load)
        index.handle(.added(pod.object, isInInitialList: false))
        var terminating = pod
        terminating.object.deletionTimestamp = "2026-12-04T10:00:00Z"
        index.handle(.updated(old: pod.object, new: terminating.object))
        #expect(index.loadsByNode().isEmpty)
    }

    @Test func aDeletionRemovesTheLauncherAndItsEmptyNode() {
        let index = VMLoadIndex()
        let a = CapacityFixtures.launcher("a", node: "n1", annotations: load)
        let b = CapacityFixtures.launcher("b", node: "n2", annotations: load)
        index.handle(.added(a.object, isInInitialList: false))
        index.handle(.added(b.object, isInInitialList: false))
        index.handle(.deleted(a.object, finalStateUnknown: false))
        #expect(names(index) == ["n2": ["b"]])
        // A deletion inferred from a re-list, and one of a pod never seen, are handled alike.
        index.handle(.deleted(b.object, finalStateUnknown: true))
        index.handle(.deleted(CapacityFixtures.launcher("never").object, finalStateUnknown: false))
        #expect(index.loadsByNode().isEmpty)
    }

    @Test func launchersOfTheSameNameInTwoNamespacesAreTwoVMs() {
        let index = VMLoadIndex()
        let first = CapacityFixtures.launcher("a", annotations: load)
        var second = first
        second.object.namespace = "other"
        index.handle(.added(first.object, isInInitialList: false))
        index.handle(.added(second.object, isInInitialList: false))
        #expect(index.loadsByNode()["n1"]?.count == 2)
        index.handle(.deleted(second.object, finalStateUnknown: false))
        #expect(index.loadsByNode()["n1"]?.count == 1)
    }
}
