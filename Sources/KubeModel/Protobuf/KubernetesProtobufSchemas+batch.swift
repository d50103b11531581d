extension KubernetesProtobufSchemas {
    /// Jobs and CronJobs, from `k8s.io/api/batch/v1` at kubernetes/api v0.32.0 (Kubernetes 1.32): field numbers and
    /// types from its `generated.proto`, JSON names and presence from `types.go` (pointer
    /// fields and fields without `omitempty` keep their zero values; an empty JSON name is a
    /// struct embedded with `json:",inline"`). Written by a script from those two files, not
    /// by hand; regenerate rather than edit when a Kubernetes version adds fields.
    static let batch: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "batch.Job",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("batch.JobSpec")),
                field(3, "status", .message("batch.JobStatus")),
            ]),
        ProtobufMessageSchema(
            "batch.JobSpec",
            [
                field(1, "parallelism", .int32, .keepZero),
                field(2, "completions", .int32, .keepZero),
                field(3, "activeDeadlineSeconds", .int64, .keepZero),
                field(11, "podFailurePolicy", .message("batch.PodFailurePolicy")),
                field(16, "successPolicy", .message("batch.SuccessPolicy")),
                field(7, "backoffLimit", .int32, .keepZero),
                field(12, "backoffLimitPerIndex", .int32, .keepZero),
                field(13, "maxFailedIndexes", .int32, .keepZero),
                field(4, "selector", .message("meta.LabelSelector")),
                field(5, "manualSelector", .bool, .keepZero),
                field(6, "template", .message("core.PodTemplateSpec")),
                field(8, "ttlSecondsAfterFinished", .int32, .keepZero),
                field(9, "completionMode", .string, .keepZero),
                field(10, "suspend", .bool, .keepZero),
                field(14, "podReplacementPolicy", .string, .keepZero),
                field(15, "managedBy", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "batch.PodFailurePolicy",
            [
                field(1, "rules", .repeated(.message("batch.PodFailurePolicyRule")))
            ]),
        ProtobufMessageSchema(
            "batch.PodFailurePolicyRule",
            [
                field(1, "action", .string, .keepZero),
                field(2, "onExitCodes", .message("batch.PodFailurePolicyOnExitCodesRequirement")),
                field(3, "onPodConditions", .repeated(.message("batch.PodFailurePolicyOnPodConditionsPattern"))),
            ]),
        ProtobufMessageSchema(
            "batch.PodFailurePolicyOnExitCodesRequirement",
            [
                field(1, "containerName", .string, .keepZero),
                field(2, "operator", .string, .keepZero),
                field(3, "values", .repeated(.int32)),
            ]),
        ProtobufMessageSchema(
            "batch.PodFailurePolicyOnPodConditionsPattern",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "batch.SuccessPolicy",
            [
                field(1, "rules", .repeated(.message("batch.SuccessPolicyRule")))
            ]),
        ProtobufMessageSchema(
            "batch.SuccessPolicyRule",
            [
                field(1, "succeededIndexes", .string, .keepZero),
                field(2, "succeededCount", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "batch.JobStatus",
            [
                field(1, "conditions", .repeated(.message("batch.JobCondition"))),
                field(2, "startTime", .time),
                field(3, "completionTime", .time),
                field(4, "active", .int32),
                field(5, "succeeded", .int32),
                field(6, "failed", .int32),
                field(11, "terminating", .int32, .keepZero),
                field(7, "completedIndexes", .string),
                field(10, "failedIndexes", .string, .keepZero),
                field(8, "uncountedTerminatedPods", .message("batch.UncountedTerminatedPods")),
                field(9, "ready", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "batch.JobCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(3, "lastProbeTime", .time),
                field(4, "lastTransitionTime", .time),
                field(5, "reason", .string),
                field(6, "message", .string),
            ]),
        ProtobufMessageSchema(
            "batch.UncountedTerminatedPods",
            [
                field(1, "succeeded", .repeated(.string)),
                field(2, "failed", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "batch.CronJob",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("batch.CronJobSpec")),
                field(3, "status", .message("batch.CronJobStatus")),
            ]),
        ProtobufMessageSchema(
            "batch.CronJobSpec",
            [
                field(1, "schedule", .string, .keepZero),
                field(8, "timeZone", .string, .keepZero),
                field(2, "startingDeadlineSeconds", .int64, .keepZero),
                field(3, "concurrencyPolicy", .string),
                field(4, "suspend", .bool, .keepZero),
                field(5, "jobTemplate", .message("batch.JobTemplateSpec")),
                field(6, "successfulJobsHistoryLimit", .int32, .keepZero),
                field(7, "failedJobsHistoryLimit", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "batch.JobTemplateSpec",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("batch.JobSpec")),
            ]),
        ProtobufMessageSchema(
            "batch.CronJobStatus",
            [
                field(1, "active", .repeated(.message("core.ObjectReference"))),
                field(4, "lastScheduleTime", .time),
                field(5, "lastSuccessfulTime", .time),
            ]),
    ]
}
