extension KubernetesProtobufSchemas {
    /// Ingresses, IngressClasses, NetworkPolicies, from `k8s.io/api/networking/v1` at kubernetes/api v0.32.0 (Kubernetes 1.32): field numbers and
    /// types from its `generated.proto`, JSON names and presence from `types.go` (pointer
    /// fields and fields without `omitempty` keep their zero values; an empty JSON name is a
    /// struct embedded with `json:",inline"`). Written by a script from those two files, not
    /// by hand; regenerate rather than edit when a Kubernetes version adds fields.
    static let networking: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "networking.Ingress",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("networking.IngressSpec")),
                field(3, "status", .message("networking.IngressStatus")),
            ]),
        ProtobufMessageSchema(
            "networking.IngressSpec",
            [
                field(4, "ingressClassName", .string, .keepZero),
                field(1, "defaultBackend", .message("networking.IngressBackend")),
                field(2, "tls", .repeated(.message("networking.IngressTLS"))),
                field(3, "rules", .repeated(.message("networking.IngressRule"))),
            ]),
        ProtobufMessageSchema(
            "networking.IngressBackend",
            [
                field(4, "service", .message("networking.IngressServiceBackend")),
                field(3, "resource", .message("core.TypedLocalObjectReference")),
            ]),
        ProtobufMessageSchema(
            "networking.IngressServiceBackend",
            [
                field(1, "name", .string, .keepZero),
                field(2, "port", .message("networking.ServiceBackendPort")),
            ]),
        ProtobufMessageSchema(
            "networking.ServiceBackendPort",
            [
                field(1, "name", .string),
                field(2, "number", .int32),
            ]),
        ProtobufMessageSchema(
            "networking.IngressTLS",
            [
                field(1, "hosts", .repeated(.string)),
                field(2, "secretName", .string),
            ]),
        ProtobufMessageSchema(
            "networking.IngressRule",
            [
                field(1, "host", .string),
                field(2, "", .message("networking.IngressRuleValue")),
            ]),
        ProtobufMessageSchema(
            "networking.IngressRuleValue",
            [
                field(1, "http", .message("networking.HTTPIngressRuleValue"))
            ]),
        ProtobufMessageSchema(
            "networking.HTTPIngressRuleValue",
            [
                field(1, "paths", .repeated(.message("networking.HTTPIngressPath")))
            ]),
        ProtobufMessageSchema(
            "networking.HTTPIngressPath",
            [
                field(1, "path", .string),
                field(3, "pathType", .string, .keepZero),
                field(2, "backend", .message("networking.IngressBackend")),
            ]),
        ProtobufMessageSchema(
            "networking.IngressStatus",
            [
                field(1, "loadBalancer", .message("networking.IngressLoadBalancerStatus"))
            ]),
        ProtobufMessageSchema(
            "networking.IngressLoadBalancerStatus",
            [
                field(1, "ingress", .repeated(.message("networking.IngressLoadBalancerIngress")))
            ]),
        ProtobufMessageSchema(
            "networking.IngressLoadBalancerIngress",
            [
                field(1, "ip", .string),
                field(2, "hostname", .string),
                field(4, "ports", .repeated(.message("networking.IngressPortStatus"))),
            ]),
        ProtobufMessageSchema(
            "networking.IngressPortStatus",
            [
                field(1, "port", .int32, .keepZero),
                field(2, "protocol", .string, .keepZero),
                field(3, "error", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "networking.IngressClass",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("networking.IngressClassSpec")),
            ]),
        ProtobufMessageSchema(
            "networking.IngressClassSpec",
            [
                field(1, "controller", .string),
                field(2, "parameters", .message("networking.IngressClassParametersReference")),
            ]),
        ProtobufMessageSchema(
            "networking.IngressClassParametersReference",
            [
                field(1, "apiGroup", .string, .keepZero),
                field(2, "kind", .string, .keepZero),
                field(3, "name", .string, .keepZero),
                field(4, "scope", .string, .keepZero),
                field(5, "namespace", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "networking.NetworkPolicy",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("networking.NetworkPolicySpec")),
            ]),
        ProtobufMessageSchema(
            "networking.NetworkPolicySpec",
            [
                field(1, "podSelector", .message("meta.LabelSelector")),
                field(2, "ingress", .repeated(.message("networking.NetworkPolicyIngressRule"))),
                field(3, "egress", .repeated(.message("networking.NetworkPolicyEgressRule"))),
                field(4, "policyTypes", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "networking.NetworkPolicyIngressRule",
            [
                field(1, "ports", .repeated(.message("networking.NetworkPolicyPort"))),
                field(2, "from", .repeated(.message("networking.NetworkPolicyPeer"))),
            ]),
        ProtobufMessageSchema(
            "networking.NetworkPolicyPort",
            [
                field(1, "protocol", .string, .keepZero),
                field(2, "port", .intOrString),
                field(3, "endPort", .int32, .keepZero),
            ]),
        ProtobufMessageSchema(
            "networking.NetworkPolicyPeer",
            [
                field(1, "podSelector", .message("meta.LabelSelector")),
                field(2, "namespaceSelector", .message("meta.LabelSelector")),
                field(3, "ipBlock", .message("networking.IPBlock")),
            ]),
        ProtobufMessageSchema(
            "networking.IPBlock",
            [
                field(1, "cidr", .string, .keepZero),
                field(2, "except", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "networking.NetworkPolicyEgressRule",
            [
                field(1, "ports", .repeated(.message("networking.NetworkPolicyPort"))),
                field(2, "to", .repeated(.message("networking.NetworkPolicyPeer"))),
            ]),
    ]
}
