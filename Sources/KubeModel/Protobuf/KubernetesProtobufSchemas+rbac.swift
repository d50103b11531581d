extension KubernetesProtobufSchemas {
    /// Roles, ClusterRoles and their bindings, from `k8s.io/api/rbac/v1` at kubernetes/api v0.32.0 (Kubernetes 1.32): field numbers and
    /// types from its `generated.proto`, JSON names and presence from `types.go` (pointer
    /// fields and fields without `omitempty` keep their zero values; an empty JSON name is a
    /// struct embedded with `json:",inline"`). Written by a script from those two files, not
    /// by hand; regenerate rather than edit when a Kubernetes version adds fields.
    static let rbac: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "rbac.Role",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "rules", .repeated(.message("rbac.PolicyRule"))),
            ]),
        ProtobufMessageSchema(
            "rbac.PolicyRule",
            [
                field(1, "verbs", .repeated(.string)),
                field(2, "apiGroups", .repeated(.string)),
                field(3, "resources", .repeated(.string)),
                field(4, "resourceNames", .repeated(.string)),
                field(5, "nonResourceURLs", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "rbac.RoleBinding",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "subjects", .repeated(.message("rbac.Subject"))),
                field(3, "roleRef", .message("rbac.RoleRef")),
            ]),
        ProtobufMessageSchema(
            "rbac.Subject",
            [
                field(1, "kind", .string, .keepZero),
                field(2, "apiGroup", .string),
                field(3, "name", .string, .keepZero),
                field(4, "namespace", .string),
            ]),
        ProtobufMessageSchema(
            "rbac.RoleRef",
            [
                field(1, "apiGroup", .string, .keepZero),
                field(2, "kind", .string, .keepZero),
                field(3, "name", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "rbac.ClusterRole",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "rules", .repeated(.message("rbac.PolicyRule"))),
                field(3, "aggregationRule", .message("rbac.AggregationRule")),
            ]),
        ProtobufMessageSchema(
            "rbac.AggregationRule",
            [
                field(1, "clusterRoleSelectors", .repeated(.message("meta.LabelSelector")))
            ]),
        ProtobufMessageSchema(
            "rbac.ClusterRoleBinding",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "subjects", .repeated(.message("rbac.Subject"))),
                field(3, "roleRef", .message("rbac.RoleRef")),
            ]),
    ]
}
