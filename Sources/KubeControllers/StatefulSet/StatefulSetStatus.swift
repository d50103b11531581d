import Foundation
import KubeModel

/// A StatefulSet's `status` from its pods (`computeReplicaStatus` and
/// `completeRollingUpdate` of the StatefulSet controller): counts by readiness and revision,
/// and the current revision moved to the update revision once every wanted pod runs it.
struct StatefulSetStatus: Sendable, Equatable {
    var replicas = 0
    var readyReplicas = 0
    var availableReplicas = 0
    var currentReplicas = 0
    var updatedReplicas = 0
    var currentRevision: String
    var updateRevision: String
    /// When the next ready pod becomes available, if one waits out `minReadySeconds`.
    var nextAvailable: Date?

    init(
        pods: [JSONValue], wantedReplicas: Int, rollingUpdate: Bool, currentRevision: String, updateRevision: String,
        minReadySeconds: Int, now: Date = Date()
    ) {
        self.currentRevision = currentRevision
        self.updateRevision = updateRevision
        for object in pods {
            let pod = Pod(object)
            replicas += 1
            if pod.phase == .running, pod.isReady {
                readyReplicas += 1
                let availableAt = (pod.conditions.condition("Ready")?.transitionDate ?? .distantPast)
                    .addingTimeInterval(TimeInterval(minReadySeconds))
                if minReadySeconds == 0 || availableAt <= now {
                    availableReplicas += 1
                } else if nextAvailable.map({ availableAt < $0 }) ?? true {
                    nextAvailable = availableAt
                }
            }
            guard !pod.isDeleting else { continue }
            let revision = pod.label(ControllerRevisions.hashLabel)
            if revision == currentRevision { currentReplicas += 1 }
            if revision == updateRevision { updatedReplicas += 1 }
        }
        if rollingUpdate, updatedReplicas == wantedReplicas, readyReplicas == wantedReplicas, replicas == wantedReplicas {
            self.currentRevision = updateRevision
            currentReplicas = updatedReplicas
        }
    }

    /// The object's `status` with these fields, others (`collisionCount`, conditions) kept.
    func applied(to status: JSONValue?, generation: Int64?) -> JSONValue {
        var status = status ?? [:]
        status["replicas"] = .int(Int64(replicas))
        status["readyReplicas"] = .int(Int64(readyReplicas))
        status["availableReplicas"] = .int(Int64(availableReplicas))
        status["currentReplicas"] = .int(Int64(currentReplicas))
        status["updatedReplicas"] = .int(Int64(updatedReplicas))
        status["currentRevision"] = .string(currentRevision)
        status["updateRevision"] = .string(updateRevision)
        status["collisionCount"] = status["collisionCount"] ?? 0
        if let generation { status["observedGeneration"] = .int(generation) }
        return status
    }
}
