extension KubernetesProtobufSchemas {
    /// Deployments, ReplicaSets, StatefulSets, DaemonSets, from `k8s.io/api/apps/v1` at kubernetes/api v0.32.0 (Kubernetes 1.32): field numbers and
    /// types from its `generated.proto`, JSON names and presence from `types.go` (pointer
    /// fields and fields without `omitempty` keep their zero values; an empty JSON name is a
    /// struct embedded with `json:",inline"`). Written by a script from those two files, not
    /// by hand; regenerate rather than edit when a Kubernetes version adds fields.
    static let apps: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "apps.Deployment",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("apps.DeploymentSpec")),
                field(3, "status", .message("apps.DeploymentStatus")),
            ]),
        ProtobufMessageSchema(
            "apps.DeploymentSpec",
            [
                field(1, "replicas", .int32, .keepZero),
                field(2, "selector", .message("meta.LabelSelector")),
                field(3, "template", .message("core.PodTemplateSpec")),
                field(4, "strategy", .message("apps.DeploymentStrategy")),
                field(5, "minReadySeconds", .int32),
                field(6, "revisionHistoryLimit", .int32, .keepZero),
                field(7, "paused", .bool),
                field(9, "progressDeadlineSeconds", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "apps.DeploymentStrategy",
            [
                field(1, "type", .string),
                field(2, "rollingUpdate", .message("apps.RollingUpdateDeployment")),
            ]),
        ProtobufMessageSchema(
            "apps.RollingUpdateDeployment",
            [
                field(1, "maxUnavailable", .intOrString),
                field(2, "maxSurge", .intOrString),
            ]),
        ProtobufMessageSchema(
            "apps.DeploymentStatus",
            [
                field(1, "observedGeneration", .int64),
                field(2, "replicas", .int32),
                field(3, "updatedReplicas", .int32),
                field(7, "readyReplicas", .int32),
                field(4, "availableReplicas", .int32),
                field(5, "unavailableReplicas", .int32),
                field(6, "conditions", .repeated(.message("apps.DeploymentCondition"))),
                field(8, "collisionCount", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "apps.DeploymentCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(6, "lastUpdateTime", .time),
                field(7, "lastTransitionTime", .time),
                field(4, "reason", .string),
                field(5, "message", .string),
            ]),
        ProtobufMessageSchema(
            "apps.ReplicaSet",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("apps.ReplicaSetSpec")),
                field(3, "status", .message("apps.ReplicaSetStatus")),
            ]),
        ProtobufMessageSchema(
            "apps.ReplicaSetSpec",
            [
                field(1, "replicas", .int32, .keepZero),
                field(4, "minReadySeconds", .int32),
                field(2, "selector", .message("meta.LabelSelector")),
                field(3, "template", .message("core.PodTemplateSpec")),
            ]),
        ProtobufMessageSchema(
            "apps.ReplicaSetStatus",
            [
                field(1, "replicas", .int32, .keepZero),
                field(2, "fullyLabeledReplicas", .int32),
                field(4, "readyReplicas", .int32),
                field(5, "availableReplicas", .int32),
                field(3, "observedGeneration", .int64),
                field(6, "conditions", .repeated(.message("apps.ReplicaSetCondition"))),
            ]),
        ProtobufMessageSchema(
            "apps.ReplicaSetCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(3, "lastTransitionTime", .time),
                field(4, "reason", .string),
                field(5, "message", .string),
            ]),
        ProtobufMessageSchema(
            "apps.StatefulSet",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("apps.StatefulSetSpec")),
                field(3, "status", .message("apps.StatefulSetStatus")),
            ]),
        ProtobufMessageSchema(
            "apps.StatefulSetSpec",
            [
                field(1, "replicas", .int32, .keepZero),
                field(2, "selector", .message("meta.LabelSelector")),
                field(3, "template", .message("core.PodTemplateSpec")),
                field(4, "volumeClaimTemplates", .repeated(.message("core.PersistentVolumeClaim"))),
                field(5, "serviceName", .string, .keepZero),
                field(6, "podManagementPolicy", .string),
                field(7, "updateStrategy", .message("apps.StatefulSetUpdateStrategy")),
                field(8, "revisionHistoryLimit", .int32, .keepZero),
                field(9, "minReadySeconds", .int32),
                field(10, "persistentVolumeClaimRetentionPolicy", .message("apps.StatefulSetPersistentVolumeClaimRetentionPolicy")),
                field(11, "ordinals", .message("apps.StatefulSetOrdinals")),
            ]),
        ProtobufMessageSchema(
            "apps.StatefulSetUpdateStrategy",
            [
                field(1, "type", .string),
                field(2, "rollingUpdate", .message("apps.RollingUpdateStatefulSetStrategy")),
            ]),
        ProtobufMessageSchema(
            "apps.RollingUpdateStatefulSetStrategy",
            [
                field(1, "partition", .int32, .keepZero),
                field(2, "maxUnavailable", .intOrString),
            ]),
        ProtobufMessageSchema(
            "apps.StatefulSetPersistentVolumeClaimRetentionPolicy",
            [
                field(1, "whenDeleted", .string),
                field(2, "whenScaled", .string),
            ]),
        ProtobufMessageSchema(
            "apps.StatefulSetOrdinals",
            [
                field(1, "start", .int32, .keepZero)
            ]),
        ProtobufMessageSchema(
            "apps.StatefulSetStatus",
            [
                field(1, "observedGeneration", .int64),
                field(2, "replicas", .int32, .keepZero),
                field(3, "readyReplicas", .int32),
                field(4, "currentReplicas", .int32),
                field(5, "updatedReplicas", .int32),
                field(6, "currentRevision", .string),
                field(7, "updateRevision", .string),
                field(9, "collisionCount", .int32, .keepZero),
                field(10, "conditions", .repeated(.message("apps.StatefulSetCondition"))),
                field(11, "availableReplicas", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "apps.StatefulSetCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(3, "lastTransitionTime", .time),
                field(4, "reason", .string),
                field(5, "message", .string),
            ]),
        ProtobufMessageSchema(
            "apps.DaemonSet",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("apps.DaemonSetSpec")),
                field(3, "status", .message("apps.DaemonSetStatus")),
            ]),
        ProtobufMessageSchema(
            "apps.DaemonSetSpec",
            [
                field(1, "selector", .message("meta.LabelSelector")),
                field(2, "template", .message("core.PodTemplateSpec")),
                field(3, "updateStrategy", .message("apps.DaemonSetUpdateStrategy")),
                field(4, "minReadySeconds", .int32),
                field(6, "revisionHistoryLimit", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "apps.DaemonSetUpdateStrategy",
            [
                field(1, "type", .string),
                field(2, "rollingUpdate", .message("apps.RollingUpdateDaemonSet")),
            ]),
        ProtobufMessageSchema(
            "apps.RollingUpdateDaemonSet",
            [
                field(1, "maxUnavailable", .intOrString),
                field(2, "maxSurge", .intOrString),
            ]),
        ProtobufMessageSchema(
            "apps.DaemonSetStatus",
            [
                field(1, "currentNumberScheduled", .int32, .keepZero),
                field(2, "numberMisscheduled", .int32, .keepZero),
                field(3, "desiredNumberScheduled", .int32, .keepZero),
                field(4, "numberReady", .int32, .keepZero),
                field(5, "observedGeneration", .int64),
                field(6, "updatedNumberScheduled", .int32),
                field(7, "numberAvailable", .int32),
                field(8, "numberUnavailable", .int32),
                field(9, "collisionCount", .int32, .keepZero),
                field(10, "conditions", .repeated(.message("apps.DaemonSetCondition"))),
            ]),
        ProtobufMessageSchema(
            "apps.DaemonSetCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(3, "lastTransitionTime", .time),
                field(4, "reason", .string),
                field(5, "message", .string),
            ]),
    ]
}
