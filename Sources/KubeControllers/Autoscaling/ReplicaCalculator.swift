import Foundation
import Synchronization

/// The HPA controller's replica arithmetic (`replica_calculator.go` and
/// `stabilizeRecommendationWithBehaviors`), pure.
enum ReplicaCalculator {
    /// Within 10% of the target nothing changes (`--horizontal-pod-autoscaler-tolerance`).
    static let tolerance = 0.1

    /// The replicas a metric asks for: `ceil(ready × usage / target)` from the ready pods'
    /// usage, with pods not yet ready reckoned the cautious way — as using nothing when
    /// scaling up, and when scaling down as using all their request (utilisation) or the
    /// target (average value) — and no change when that caution reverses the direction or
    /// lands within the tolerance.
    ///
    /// - Parameters:
    ///   - usage: per ready pod, its CPU use in millicores;
    ///   - requests: for a utilisation target, each ready pod's request (the utilisation is
    ///     Σusage/Σrequest); nil for an average-value target;
    ///   - missing: pods without a metric (not yet Running and Ready);
    ///   - missingRequest: the request of each missing pod (utilisation only);
    ///   - target: percent of request, or millicores per pod.
    static func replicas(current: Int, usage: [Double], requests: [Double]?, missing: Int, missingRequest: Double, target: Double) -> Int {
        guard target > 0, !usage.isEmpty || missing > 0 else { return current }
        func ratio(_ usage: [Double], _ requests: [Double]?) -> Double {
            let used: Double = sum(usage)
            if let requests {
                let requested: Double = sum(requests)
                guard requested > 0 else { return 0 }
                let utilization: Double = used * 100 / requested
                return utilization / target
            }
            guard !usage.isEmpty else { return 0 }
            let average: Double = used / Double(usage.count)
            return average / target
        }
        let first: Double = ratio(usage, requests)
        if missing == 0 {
            if abs(first - 1.0) <= tolerance { return current }
            let wanted: Double = first * Double(usage.count)
            return Int(wanted.rounded(.up))
        }
        // The missing pods at 0 when scaling up, at the target when scaling down.
        var assumed: Double = 0
        if first < 1.0 {
            assumed = requests == nil ? target : missingRequest * Swift.max(100.0, target) / 100.0
        }
        let allUsage: [Double] = usage + Array(repeating: assumed, count: missing)
        let allRequests: [Double]? = requests.map { $0 + Array(repeating: missingRequest, count: missing) }
        let second: Double = ratio(allUsage, allRequests)
        if abs(second - 1.0) <= tolerance { return current }
        let scalingUp = first > 1.0
        // The caution turned the direction round: stay.
        if scalingUp != (second > 1.0) { return current }
        let wanted: Double = second * Double(allUsage.count)
        let desired = Int(wanted.rounded(.up))
        if scalingUp ? desired < current : desired > current { return current }
        return desired
    }

    static func sum(_ values: [Double]) -> Double {
        var total: Double = 0
        for value in values { total += value }
        return total
    }

    /// Why the bounds changed a recommendation (the `ScalingLimited` condition).
    enum Limit: Sendable, Equatable {
        case none
        case tooFew
        case tooMany
        case scaleUpLimit
    }

    /// The recommendation within `minReplicas…maxReplicas` and the default scale-up rate
    /// (at most double, or four more, per period).
    static func bounded(_ desired: Int, current: Int, min minimum: Int, max maximum: Int) -> (Int, Limit) {
        let rateLimit = Swift.max(current * 2, current + 4)
        if desired > rateLimit, rateLimit < maximum { return (rateLimit, .scaleUpLimit) }
        if desired > maximum { return (maximum, .tooMany) }
        if desired < minimum { return (minimum, .tooFew) }
        return (desired, .none)
    }
}

/// The recent recommendations of each autoscaler, in memory as in kube-controller-manager: a
/// scale-down takes the highest of the last `scaleDown` window (5 minutes by default), so a
/// brief dip does not shed pods; a scale-up the lowest of its window (none by default).
final class RecommendationHistory: Sendable {
    private let entries = Mutex<[String: [(at: Date, replicas: Int)]]>([:])

    func stabilized(
        _ recommendation: Int, current: Int, for key: String, upWindow: Int, downWindow: Int, now: Date = Date()
    ) -> Int {
        entries.withLock { entries in
            let kept = (entries[key] ?? []).filter { now.timeIntervalSince($0.at) < Double(max(upWindow, downWindow)) }
            var up = recommendation
            var down = recommendation
            for entry in kept {
                if now.timeIntervalSince(entry.at) < Double(upWindow) { up = min(up, entry.replicas) }
                if now.timeIntervalSince(entry.at) < Double(downWindow) { down = max(down, entry.replicas) }
            }
            entries[key] = kept + [(now, recommendation)]
            var result = current
            if result < up { result = up }
            if result > down { result = down }
            return result
        }
    }

    func forget(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}
