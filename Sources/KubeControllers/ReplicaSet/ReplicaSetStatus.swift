import Foundation
import KubeModel

/// A ReplicaSet's `status` computed from its active pods: how many exist, carry every label
/// of the template, are ready, and have been ready for `minReadySeconds` (available).
struct ReplicaSetStatus: Sendable, Equatable {
    var replicas = 0
    var fullyLabeledReplicas = 0
    var readyReplicas = 0
    var availableReplicas = 0
    /// When the next pod becomes available, if one is waiting out `minReadySeconds`.
    var nextAvailable: Date?

    init(pods: [JSONValue], templateLabels: [String: String], minReadySeconds: Int, now: Date = Date()) {
        for object in pods {
            let pod = Pod(object)
            replicas += 1
            if templateLabels.allSatisfy({ pod.label($0.key) == $0.value }) { fullyLabeledReplicas += 1 }
            guard pod.isReady else { continue }
            readyReplicas += 1
            let readySince = pod.conditions.condition("Ready")?.transitionDate ?? .distantPast
            let availableAt = readySince.addingTimeInterval(TimeInterval(minReadySeconds))
            if minReadySeconds == 0 || availableAt <= now {
                availableReplicas += 1
            } else if nextAvailable.map({ availableAt < $0 }) ?? true {
                nextAvailable = availableAt
            }
        }
    }

    /// The object's `status` with these counts and `observedGeneration`, other fields kept.
    func applied(to status: JSONValue?, generation: Int64?) -> JSONValue {
        var status = status ?? [:]
        status["replicas"] = .int(Int64(replicas))
        status["fullyLabeledReplicas"] = .int(Int64(fullyLabeledReplicas))
        status["readyReplicas"] = .int(Int64(readyReplicas))
        status["availableReplicas"] = .int(Int64(availableReplicas))
        if let generation { status["observedGeneration"] = .int(generation) }
        return status
    }
}
