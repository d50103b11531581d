import Testing

@testable import KubeControllers

/// ``StatefulSetPlan``: ordered creation, scale-down from the top, rolling updates by reverse
/// ordinal above the partition.
struct StatefulSetPlanTests {
    typealias Member = StatefulSetPlan.Member

    func spec(_ replicas: Int, parallel: Bool = false, partition: Int = 0, current: String = "r1", update: String = "r1")
        -> StatefulSetPlan.Spec
    {
        StatefulSetPlan.Spec(
            replicas: replicas, parallel: parallel, partition: partition, currentRevision: current, updateRevision: update)
    }

    func healthy(_ ordinals: ClosedRange<Int>, revision: String = "r1") -> [Member] {
        ordinals.map { Member(ordinal: $0, revision: revision, state: .healthy) }
    }

    @Test func orderedReadyCreatesOnePodAndWaitsForItToBeReady() {
        #expect(StatefulSetPlan.actions(spec(3), []) == [.create(ordinal: 0, revision: "r1")])
        let starting = [Member(ordinal: 0, revision: "r1", state: .unhealthy)]
        #expect(StatefulSetPlan.actions(spec(3), starting).isEmpty)
        #expect(StatefulSetPlan.actions(spec(3), healthy(0...0)) == [.create(ordinal: 1, revision: "r1")])
        #expect(StatefulSetPlan.actions(spec(3), healthy(0...2)).isEmpty)
    }

    @Test func parallelCreatesEveryMissingPodAtOnce() {
        let starting = [Member(ordinal: 1, revision: "r1", state: .unhealthy)]
        #expect(
            StatefulSetPlan.actions(spec(3, parallel: true), starting)
                == [.create(ordinal: 0, revision: "r1"), .create(ordinal: 2, revision: "r1")])
    }

    @Test func scaleDownRemovesTheHighestOrdinalFirstOneAtATime() {
        #expect(StatefulSetPlan.actions(spec(1), healthy(0...3)) == [.delete(ordinal: 3)])
        let terminating = healthy(0...2) + [Member(ordinal: 3, revision: "r1", state: .terminating)]
        #expect(StatefulSetPlan.actions(spec(1), terminating).isEmpty)
        #expect(
            StatefulSetPlan.actions(spec(1, parallel: true), healthy(0...3))
                == [.delete(ordinal: 3), .delete(ordinal: 2), .delete(ordinal: 1)])
    }

    @Test func aFinishedPodIsReplaced() {
        let members = [Member(ordinal: 0, revision: "r1", state: .finished)] + healthy(1...1)
        #expect(StatefulSetPlan.actions(spec(2), members) == [.delete(ordinal: 0)])
    }

    @Test func rollingUpdateGoesInReverseOrdinalAndWaitsForEachPod() {
        let old = healthy(0...2)
        #expect(StatefulSetPlan.actions(spec(3, current: "r1", update: "r2"), old) == [.delete(ordinal: 2)])
        // Ordinal 2 came back at r2 but is not ready yet: wait.
        let recreated = healthy(0...1) + [Member(ordinal: 2, revision: "r2", state: .unhealthy)]
        #expect(StatefulSetPlan.actions(spec(3, current: "r1", update: "r2"), recreated).isEmpty)
        let ready = healthy(0...1) + healthy(2...2, revision: "r2")
        #expect(StatefulSetPlan.actions(spec(3, current: "r1", update: "r2"), ready) == [.delete(ordinal: 1)])
        // A missing pod is made at the update revision.
        #expect(
            StatefulSetPlan.actions(spec(3, current: "r1", update: "r2"), healthy(0...0) + healthy(2...2, revision: "r2"))
                == [.create(ordinal: 1, revision: "r2")])
    }

    @Test func thePartitionKeepsLowerOrdinalsAtTheCurrentRevision() {
        let partitioned = spec(3, partition: 2, current: "r1", update: "r2")
        let updated = healthy(0...1) + healthy(2...2, revision: "r2")
        #expect(StatefulSetPlan.actions(partitioned, updated).isEmpty)
        #expect(
            StatefulSetPlan.actions(partitioned, healthy(1...1) + healthy(2...2, revision: "r2")) == [.create(ordinal: 0, revision: "r1")])
    }
}
