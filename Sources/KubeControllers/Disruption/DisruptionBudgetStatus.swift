import ControllerKit
import KubeModel

/// A PodDisruptionBudget's numbers, as the disruption controller's `getExpectedPodCount` and
/// `updatePdbStatus` compute them: a pure function of the budget, the pods it selects, and —
/// for percentages and `maxUnavailable` — the scale of those pods' controllers.
struct DisruptionBudgetStatus: Sendable, Equatable {
    var currentHealthy: Int
    var desiredHealthy: Int
    var expectedPods: Int
    var disruptionsAllowed: Int

    init(currentHealthy: Int, desiredHealthy: Int, expectedPods: Int, disruptionsAllowed: Int) {
        self.currentHealthy = currentHealthy
        self.desiredHealthy = desiredHealthy
        self.expectedPods = expectedPods
        self.disruptionsAllowed = disruptionsAllowed
    }

    /// Whether the expected count must come from the controllers' scale (`maxUnavailable`,
    /// or `minAvailable` as a percentage) rather than from the pods found.
    static func needsControllerScale(minAvailable: IntOrPercent?, maxUnavailable: IntOrPercent?) -> Bool {
        if maxUnavailable != nil { return true }
        if case .percent? = minAvailable { return true }
        return false
    }

    /// - Parameters:
    ///   - pods: how many pods the selector matches;
    ///   - healthy: how many of them are Ready and not being deleted;
    ///   - controllerScale: the summed `replicas` of their controllers, when
    ///     ``needsControllerScale(minAvailable:maxUnavailable:)``.
    init(minAvailable: IntOrPercent?, maxUnavailable: IntOrPercent?, pods: Int, healthy: Int, controllerScale: Int) {
        var expected = pods
        var desired = 0
        if let maxUnavailable {
            expected = controllerScale
            desired = max(0, expected - maxUnavailable.scaled(total: expected, roundUp: true))
        } else if let minAvailable {
            switch minAvailable {
            case .count(let count):
                desired = max(0, count)
            case .percent:
                expected = controllerScale
                desired = minAvailable.scaled(total: expected, roundUp: true)
            }
        }
        currentHealthy = healthy
        desiredHealthy = desired
        expectedPods = expected
        disruptionsAllowed = expected <= 0 ? 0 : max(0, healthy - desired)
    }

    /// The object's status: these numbers, `observedGeneration`, and the `DisruptionAllowed`
    /// condition (`SufficientPods` or `InsufficientPods`). `disruptedPods` is kept.
    func applied(to status: JSONValue?, generation: Int64?, now: String = Timestamp.now()) -> JSONValue {
        var status = status ?? [:]
        status["currentHealthy"] = .int(Int64(currentHealthy))
        status["desiredHealthy"] = .int(Int64(desiredHealthy))
        status["expectedPods"] = .int(Int64(expectedPods))
        status["disruptionsAllowed"] = .int(Int64(disruptionsAllowed))
        let allowed = disruptionsAllowed > 0
        return Self.withCondition(
            status, allowed: allowed, reason: allowed ? "SufficientPods" : "InsufficientPods", message: "",
            generation: generation, now: now)
    }

    /// The fail-safe status of `failSafe`: no disruption allowed, `SyncFailed` with the error.
    static func failSafe(_ status: JSONValue?, message: String, generation: Int64?, now: String = Timestamp.now()) -> JSONValue {
        var status = status ?? [:]
        status["disruptionsAllowed"] = 0
        return withCondition(status, allowed: false, reason: "SyncFailed", message: message, generation: generation, now: now)
    }

    private static func withCondition(
        _ status: JSONValue, allowed: Bool, reason: String, message: String, generation: Int64?, now: String
    ) -> JSONValue {
        var status = status
        if let generation { status["observedGeneration"] = .int(generation) }
        var conditions = status["conditions"]?.arrayValue ?? []
        StatusConditions.set(
            &conditions,
            Condition(
                type: PodDisruptionBudget.disruptionAllowedCondition, status: Condition.Status(allowed), reason: reason,
                message: message, observedGeneration: generation), now: now)
        status["conditions"] = .array(conditions)
        return status
    }
}
