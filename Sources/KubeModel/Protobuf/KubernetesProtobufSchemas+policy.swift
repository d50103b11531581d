extension KubernetesProtobufSchemas {
    /// PodDisruptionBudgets, from `k8s.io/api/policy/v1` at kubernetes/api v0.32.0 (Kubernetes 1.32): field numbers and
    /// types from its `generated.proto`, JSON names and presence from `types.go` (pointer
    /// fields and fields without `omitempty` keep their zero values; an empty JSON name is a
    /// struct embedded with `json:",inline"`). Written by a script from those two files, not
    /// by hand; regenerate rather than edit when a Kubernetes version adds fields.
    static let policy: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "policy.PodDisruptionBudget",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("policy.PodDisruptionBudgetSpec")),
                field(3, "status", .message("policy.PodDisruptionBudgetStatus")),
            ]),
        ProtobufMessageSchema(
            "policy.PodDisruptionBudgetSpec",
            [
                field(1, "minAvailable", .intOrString),
                field(2, "selector", .message("meta.LabelSelector")),
                field(3, "maxUnavailable", .intOrString),
                field(4, "unhealthyPodEvictionPolicy", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "policy.PodDisruptionBudgetStatus",
            [
                field(1, "observedGeneration", .int64),
                field(2, "disruptedPods", .map(.time)),
                field(3, "disruptionsAllowed", .int32, .keepZero),
                field(4, "currentHealthy", .int32, .keepZero),
                field(5, "desiredHealthy", .int32, .keepZero),
                field(6, "expectedPods", .int32, .keepZero),
                field(7, "conditions", .repeated(.message("meta.Condition"))),
            ]),
    ]
}
