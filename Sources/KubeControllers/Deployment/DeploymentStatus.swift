import KubeModel

/// A Deployment's `status` from its ReplicaSets: the counts `kubectl get deployment` and
/// `rollout status` read, and the `Available` and `Progressing` conditions with the
/// Deployment controller's reasons.
struct DeploymentStatus: Sendable, Equatable {
    var replicas: Int
    var updatedReplicas: Int
    var readyReplicas: Int
    var availableReplicas: Int
    var unavailableReplicas: Int
    var observedGeneration: Int64?
    var available: (status: Bool, reason: String, message: String)
    var progressing: (status: Bool?, reason: String, message: String)

    init(deployment: Deployment, new: ReplicaSet?, all: [ReplicaSet], createdNew: Bool) {
        replicas = all.reduce(0) { $0 + $1.statusReplicas }
        updatedReplicas = new?.statusReplicas ?? 0
        readyReplicas = all.reduce(0) { $0 + $1.readyReplicas }
        availableReplicas = all.reduce(0) { $0 + $1.availableReplicas }
        unavailableReplicas = max(0, deployment.replicas - availableReplicas)
        observedGeneration = deployment.generation

        let minAvailable = deployment.replicas - deployment.fenceposts.maxUnavailable
        available =
            availableReplicas >= minAvailable
            ? (true, "MinimumReplicasAvailable", "Deployment has minimum availability.")
            : (false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")

        let newName = new?.name ?? ""
        let complete =
            new != nil && updatedReplicas == deployment.replicas && replicas == deployment.replicas
            && availableReplicas == deployment.replicas
        if deployment.isPaused {
            progressing = (nil, "DeploymentPaused", "Deployment is paused")
        } else if createdNew {
            progressing = (true, "NewReplicaSetCreated", "Created new replica set \"\(newName)\"")
        } else if complete {
            progressing = (true, "NewReplicaSetAvailable", "ReplicaSet \"\(newName)\" has successfully progressed.")
        } else {
            progressing = (true, "ReplicaSetUpdated", "ReplicaSet \"\(newName)\" is progressing.")
        }
    }

    static func == (lhs: DeploymentStatus, rhs: DeploymentStatus) -> Bool {
        lhs.replicas == rhs.replicas && lhs.updatedReplicas == rhs.updatedReplicas && lhs.readyReplicas == rhs.readyReplicas
            && lhs.availableReplicas == rhs.availableReplicas && lhs.unavailableReplicas == rhs.unavailableReplicas
            && lhs.observedGeneration == rhs.observedGeneration && lhs.available == rhs.available
            && lhs.progressing == rhs.progressing
    }

    /// `status` with these values; `collisionCount` and unknown fields kept.
    func applied(to status: JSONValue?) -> JSONValue {
        var status = status ?? [:]
        status["replicas"] = .int(Int64(replicas))
        status["updatedReplicas"] = .int(Int64(updatedReplicas))
        status["readyReplicas"] = .int(Int64(readyReplicas))
        status["availableReplicas"] = .int(Int64(availableReplicas))
        status["unavailableReplicas"] = unavailableReplicas > 0 ? .int(Int64(unavailableReplicas)) : nil
        if let observedGeneration { status["observedGeneration"] = .int(observedGeneration) }
        var conditions = status["conditions"]?.arrayValue ?? []
        DeploymentConditions.set(
            &conditions, type: DeploymentConditions.available, status: available.status,
            reason: available.reason, message: available.message)
        DeploymentConditions.set(
            &conditions, type: DeploymentConditions.progressing, status: progressing.status,
            reason: progressing.reason, message: progressing.message)
        status["conditions"] = .array(conditions)
        return status
    }
}
