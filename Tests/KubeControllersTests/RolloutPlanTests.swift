import Testing

@testable import KubeControllers

/// The rolling-update arithmetic, step by step, as kube-controller-manager takes the steps.
struct RolloutPlanTests {
    typealias Counts = RolloutPlan.Counts

    @Test func aFreshDeploymentGetsAllItsReplicasAtOnce() {
        let targets = RolloutPlan.rollingUpdate(
            desired: 3, maxSurge: 1, maxUnavailable: 0,
            new: Counts(name: "new", replicas: 0), old: [])
        #expect(targets == ["new": 3])
    }

    @Test func theNewReplicaSetGrowsOnlyByTheSurge() {
        let old = Counts(name: "old", replicas: 4, current: 4, available: 4)
        let targets = RolloutPlan.rollingUpdate(
            desired: 4, maxSurge: 1, maxUnavailable: 0,
            new: Counts(name: "new", replicas: 0), old: [old])
        #expect(targets == ["new": 1])
    }

    @Test func oldPodsGoOnlyWhileEnoughStayAvailable() {
        let old = Counts(name: "old", replicas: 4, current: 4, available: 4)
        // The surge pod is not available yet: with maxUnavailable 0 nothing old may go.
        let waiting = RolloutPlan.rollingUpdate(
            desired: 4, maxSurge: 1, maxUnavailable: 0,
            new: Counts(name: "new", replicas: 1, current: 1, available: 0), old: [old])
        #expect(waiting.isEmpty)
        // Once it is available, one old pod may go.
        let step = RolloutPlan.rollingUpdate(
            desired: 4, maxSurge: 1, maxUnavailable: 0,
            new: Counts(name: "new", replicas: 1, current: 1, available: 1), old: [old])
        #expect(step == ["old": 3])
    }

    @Test func maxUnavailableLetsOldPodsGoBeforeNewOnesAreReady() {
        let old = Counts(name: "old", replicas: 4, current: 4, available: 4)
        let step = RolloutPlan.rollingUpdate(
            desired: 4, maxSurge: 0, maxUnavailable: 2,
            new: Counts(name: "new", replicas: 0), old: [old])
        #expect(step == ["old": 2])
    }

    @Test func unhealthyOldReplicasAreRemovedFirstAndOldestFirst() {
        let oldest = Counts(name: "oldest", replicas: 2, current: 2, available: 0)
        let older = Counts(name: "older", replicas: 2, current: 2, available: 2)
        let step = RolloutPlan.scaleDownOld(
            desired: 4, maxUnavailable: 1,
            new: Counts(name: "new", replicas: 2, current: 2, available: 2),
            old: [oldest, older])
        // Budget: 6 total - 3 min available - 0 new unavailable = 3; the 2 unhealthy go,
        // then available pods above the minimum (4 - 3 = 1) from the oldest with replicas left.
        #expect(step == ["oldest": 0, "older": 1])
    }

    @Test func aCompletedRolloutScalesTheRestOfTheOldAway() {
        let old = Counts(name: "old", replicas: 1, current: 1, available: 1)
        let step = RolloutPlan.rollingUpdate(
            desired: 3, maxSurge: 1, maxUnavailable: 0,
            new: Counts(name: "new", replicas: 3, current: 3, available: 3), old: [old])
        #expect(step == ["old": 0])
    }

    @Test func scalingDownCutsTheNewReplicaSetAtOnce() {
        let step = RolloutPlan.rollingUpdate(
            desired: 2, maxSurge: 1, maxUnavailable: 0,
            new: Counts(name: "new", replicas: 5, current: 5, available: 5), old: [])
        #expect(step == ["new": 2])
    }

    @Test func recreateEmptiesTheOldBeforeStartingTheNew() {
        let new = Counts(name: "new", replicas: 0)
        #expect(
            RolloutPlan.recreate(desired: 3, new: new, old: [Counts(name: "old", replicas: 3, current: 3)])
                == ["old": 0])
        #expect(RolloutPlan.recreate(desired: 3, new: new, old: [Counts(name: "old", replicas: 0, current: 2)]).isEmpty)
        #expect(
            RolloutPlan.recreate(desired: 3, new: new, old: [Counts(name: "old", replicas: 0, current: 0)])
                == ["new": 3])
    }

    /// Whatever the availability, a rolling update with maxUnavailable 0 never plans fewer than
    /// `desired` pods, nor more than `desired + maxSurge`.
    @Test(arguments: [(4, 1, 0), (10, 3, 0), (5, 2, 1), (1, 1, 0)])
    func aWholeRolloutStaysWithinItsFenceposts(desired: Int, maxSurge: Int, maxUnavailable: Int) {
        var new = Counts(name: "new", replicas: 0)
        var old = Counts(name: "old", replicas: desired, current: desired, available: desired)
        var steps = 0
        while (new.available != desired || old.replicas != 0 || old.current != 0) && steps < 100 {
            let targets = RolloutPlan.rollingUpdate(
                desired: desired, maxSurge: maxSurge, maxUnavailable: maxUnavailable,
                new: new, old: [old])
            new.replicas = targets["new"] ?? new.replicas
            old.replicas = targets["old"] ?? old.replicas
            #expect(new.replicas + old.replicas <= desired + maxSurge)
            #expect(new.replicas + old.replicas >= desired - maxUnavailable)
            // The pods follow at once and every pod becomes available.
            (new.current, new.available) = (new.replicas, new.replicas)
            (old.current, old.available) = (old.replicas, old.replicas)
            steps += 1
        }
        #expect(new.replicas == desired && old.replicas == 0)
        #expect(steps < 100)
    }
}
