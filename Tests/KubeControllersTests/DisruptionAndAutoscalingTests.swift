import Foundation
import KubeModel
import Testing

@testable import KubeControllers

/// ``DisruptionBudgetStatus`` and ``ReplicaCalculator``: the arithmetic of the disruption and
/// HPA controllers.
struct DisruptionAndAutoscalingTests {
    @Test func minAvailableAsACountUsesThePodsFound() {
        let status = DisruptionBudgetStatus(minAvailable: .count(2), maxUnavailable: nil, pods: 3, healthy: 3, controllerScale: 0)
        #expect(status == .init(currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1))
        let short = DisruptionBudgetStatus(minAvailable: .count(2), maxUnavailable: nil, pods: 3, healthy: 2, controllerScale: 0)
        #expect(short.disruptionsAllowed == 0)
    }

    @Test func percentagesAndMaxUnavailableUseTheControllersScale() {
        // 50% of 5 wanted replicas rounds up to 3.
        let half = DisruptionBudgetStatus(minAvailable: .percent(50), maxUnavailable: nil, pods: 4, healthy: 4, controllerScale: 5)
        #expect(half == .init(currentHealthy: 4, desiredHealthy: 3, expectedPods: 5, disruptionsAllowed: 1))
        let one = DisruptionBudgetStatus(minAvailable: nil, maxUnavailable: .count(1), pods: 3, healthy: 3, controllerScale: 3)
        #expect(one == .init(currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1))
        let none = DisruptionBudgetStatus(minAvailable: nil, maxUnavailable: .count(1), pods: 0, healthy: 0, controllerScale: 0)
        #expect(none.disruptionsAllowed == 0)
    }

    @Test func theConditionFollowsTheAllowance() throws {
        let allowed = DisruptionBudgetStatus(minAvailable: .count(1), maxUnavailable: nil, pods: 2, healthy: 2, controllerScale: 0)
        let json = allowed.applied(to: nil, generation: 3)
        let condition = try #require(json["conditions"]?.arrayValue?.condition("DisruptionAllowed"))
        #expect(condition.isTrue && condition.reason == "SufficientPods" && condition.observedGeneration == 3)
        let failed = DisruptionBudgetStatus.failSafe(json, message: "found no controller ref for pod \"x\"", generation: 3)
        #expect(failed["disruptionsAllowed"]?.intValue == 0)
        #expect(failed["conditions"]?.arrayValue?.condition("DisruptionAllowed")?.reason == "SyncFailed")
    }

    @Test func replicasFollowUsageOverTarget() {
        // Two pods at 100% of a 100m request against a 50% target: four.
        #expect(
            ReplicaCalculator.replicas(current: 2, usage: [100, 100], requests: [100, 100], missing: 0, missingRequest: 100, target: 50)
                == 4)
        // Within the 10% tolerance: no change.
        #expect(
            ReplicaCalculator.replicas(current: 2, usage: [52, 52], requests: [100, 100], missing: 0, missingRequest: 100, target: 50) == 2)
        // Idle pods: down to ceil(0) = 0 before the bounds.
        #expect(
            ReplicaCalculator.replicas(
                current: 3, usage: [0, 0, 0], requests: [100, 100, 100], missing: 0, missingRequest: 100, target: 50) == 0)
        // Scaling up, a pod not yet ready counts as idle: 2 × 100% + 1 × 0% over a 50% target → 4.
        #expect(
            ReplicaCalculator.replicas(current: 3, usage: [100, 100], requests: [100, 100], missing: 1, missingRequest: 100, target: 50)
                == 4)
        // Average value: 300m per pod over a 100m target, two pods → six.
        #expect(ReplicaCalculator.replicas(current: 2, usage: [300, 300], requests: nil, missing: 0, missingRequest: 0, target: 100) == 6)
    }

    @Test func boundsAndTheScaleUpRate() {
        #expect(ReplicaCalculator.bounded(0, current: 3, min: 1, max: 10) == (1, .tooFew))
        #expect(ReplicaCalculator.bounded(12, current: 8, min: 1, max: 10) == (10, .tooMany))
        #expect(ReplicaCalculator.bounded(50, current: 2, min: 1, max: 100) == (6, .scaleUpLimit))
        #expect(ReplicaCalculator.bounded(4, current: 2, min: 1, max: 10) == (4, .none))
    }

    @Test func scaleDownIsStabilisedOverTheWindow() {
        let history = RecommendationHistory()
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(history.stabilized(5, current: 2, for: "hpa", upWindow: 0, downWindow: 300, now: start) == 5)
        // A lower recommendation within five minutes keeps the highest recent one.
        #expect(history.stabilized(1, current: 5, for: "hpa", upWindow: 0, downWindow: 300, now: start + 60) == 5)
        // Past the window it goes through.
        #expect(history.stabilized(1, current: 5, for: "hpa", upWindow: 0, downWindow: 300, now: start + 400) == 1)
    }

    @Test func simulatedUtilisationComesFromTheAnnotation() throws {
        var pod: JSONValue = [
            "metadata": ["name": "p"], "spec": ["containers": [["name": "c", "resources": ["requests": ["cpu": "200m"]]]]],
        ]
        #expect(SimulatedMetrics.utilization(of: pod) == SimulatedMetrics.defaultUtilization)
        pod.annotations = [SimulatedMetrics.cpuUtilizationAnnotation: "80%"]
        #expect(SimulatedMetrics.utilization(of: pod) == 80)
        #expect(try SimulatedMetrics.cpuRequest(of: pod).get() == 200)
        let bare: JSONValue = ["metadata": ["name": "q"], "spec": ["containers": [["name": "c"]]]]
        #expect(throws: SimulatedMetrics.MissingRequest.self) { try SimulatedMetrics.cpuRequest(of: bare).get() }
    }
}
