/// The protobuf schemas of the kinds kubectl's typed generators and controllers send,
/// written out from the `generated.proto` files of kubernetes/api (core/v1,
/// coordination/v1, scheduling/v1, authentication/v1; apps/v1, batch/v1, rbac/v1,
/// networking/v1, policy/v1 and core/v1's pod types in the `+<group>` files) and kubernetes/apimachinery
/// (meta/v1, runtime, api/resource, util/intstr). Field numbers are those files';
/// JSON names are the Go `json` tags. Presence follows the Go types: `.keepZero` marks
/// pointer fields and fields whose JSON tag has no `omitempty`.
enum KubernetesProtobufSchemas {
    /// Root message for each `apiVersion` + `kind` the decoder accepts.
    static let rootMessages: [KindKey: String] = [
        KindKey(apiVersion: "v1", kind: "ConfigMap"): "core.ConfigMap",
        KindKey(apiVersion: "v1", kind: "Secret"): "core.Secret",
        KindKey(apiVersion: "v1", kind: "Namespace"): "core.Namespace",
        KindKey(apiVersion: "v1", kind: "ServiceAccount"): "core.ServiceAccount",
        KindKey(apiVersion: "v1", kind: "Service"): "core.Service",
        KindKey(apiVersion: "v1", kind: "ResourceQuota"): "core.ResourceQuota",
        KindKey(apiVersion: "v1", kind: "Event"): "core.Event",
        KindKey(apiVersion: "v1", kind: "Binding"): "core.Binding",
        KindKey(apiVersion: "coordination.k8s.io/v1", kind: "Lease"): "coordination.Lease",
        KindKey(apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass"): "scheduling.PriorityClass",
        KindKey(apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest"): "authentication.TokenRequest",
        KindKey(apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview"):
            "authorization.SelfSubjectAccessReview",
        KindKey(apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview"):
            "authorization.SelfSubjectRulesReview",
        // Generated tables (KubernetesProtobufSchemas+<group>.swift): what kubectl's `create`
        // generators send, and the other kinds with pod templates.
        KindKey(apiVersion: "v1", kind: "Pod"): "core.Pod",
        KindKey(apiVersion: "v1", kind: "PodTemplate"): "core.PodTemplate",
        KindKey(apiVersion: "v1", kind: "ReplicationController"): "core.ReplicationController",
        KindKey(apiVersion: "apps/v1", kind: "Deployment"): "apps.Deployment",
        KindKey(apiVersion: "apps/v1", kind: "ReplicaSet"): "apps.ReplicaSet",
        KindKey(apiVersion: "apps/v1", kind: "StatefulSet"): "apps.StatefulSet",
        KindKey(apiVersion: "apps/v1", kind: "DaemonSet"): "apps.DaemonSet",
        KindKey(apiVersion: "batch/v1", kind: "Job"): "batch.Job",
        KindKey(apiVersion: "batch/v1", kind: "CronJob"): "batch.CronJob",
        KindKey(apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role"): "rbac.Role",
        KindKey(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding"): "rbac.RoleBinding",
        KindKey(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole"): "rbac.ClusterRole",
        KindKey(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding"): "rbac.ClusterRoleBinding",
        KindKey(apiVersion: "networking.k8s.io/v1", kind: "Ingress"): "networking.Ingress",
        KindKey(apiVersion: "networking.k8s.io/v1", kind: "IngressClass"): "networking.IngressClass",
        KindKey(apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy"): "networking.NetworkPolicy",
        KindKey(apiVersion: "policy/v1", kind: "PodDisruptionBudget"): "policy.PodDisruptionBudget",
    ]

    struct KindKey: Hashable, Sendable {
        var apiVersion: String
        var kind: String
    }

    /// A declaration in the table: `field(3, "clusterIP", .string)`.
    static func field(
        _ number: Int, _ jsonName: String, _ type: ProtobufFieldType,
        _ presence: ProtobufFieldPresence = .omitEmpty
    ) -> ProtobufFieldSchema {
        ProtobufFieldSchema(number: number, jsonName: jsonName, type: type, presence: presence)
    }

    static let messages: [String: ProtobufMessageSchema] = Dictionary(
        (meta + core + coordination + scheduling + authentication + authorization
            + corePodTemplates + apps + batch + rbac + networking + policy).map { ($0.name, $0) },
        uniquingKeysWith: { first, _ in first })

    // MARK: k8s.io/apimachinery/pkg/apis/meta/v1

    static let meta: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "meta.ObjectMeta",
            [
                field(1, "name", .string),
                field(2, "generateName", .string),
                field(3, "namespace", .string),
                field(4, "selfLink", .string),
                field(5, "uid", .string),
                field(6, "resourceVersion", .string),
                field(7, "generation", .int64),
                field(8, "creationTimestamp", .time),
                field(9, "deletionTimestamp", .time),
                field(10, "deletionGracePeriodSeconds", .int64, .keepZero),
                field(11, "labels", .map(.string)),
                field(12, "annotations", .map(.string)),
                field(13, "ownerReferences", .repeated(.message("meta.OwnerReference"))),
                field(14, "finalizers", .repeated(.string)),
                // 15 was clusterName (removed); 17 is managedFields, which the server owns.
                field(17, "managedFields", .ignored),
            ]),
        ProtobufMessageSchema(
            "meta.OwnerReference",
            [
                field(5, "apiVersion", .string, .keepZero),
                field(1, "kind", .string, .keepZero),
                field(3, "name", .string, .keepZero),
                field(4, "uid", .string, .keepZero),
                field(6, "controller", .bool, .keepZero),
                field(7, "blockOwnerDeletion", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "meta.LabelSelector",
            [
                field(1, "matchLabels", .map(.string)),
                field(2, "matchExpressions", .repeated(.message("meta.LabelSelectorRequirement"))),
            ]),
        ProtobufMessageSchema(
            "meta.LabelSelectorRequirement",
            [
                field(1, "key", .string, .keepZero),
                field(2, "operator", .string, .keepZero),
                field(3, "values", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "meta.Condition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(3, "observedGeneration", .int64),
                field(4, "lastTransitionTime", .time),
                field(5, "reason", .string, .keepZero),
                field(6, "message", .string, .keepZero),
            ]),
    ]

    // MARK: k8s.io/api/core/v1

    static let core: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "core.ObjectReference",
            [
                field(1, "kind", .string),
                field(2, "namespace", .string),
                field(3, "name", .string),
                field(4, "uid", .string),
                field(5, "apiVersion", .string),
                field(6, "resourceVersion", .string),
                field(7, "fieldPath", .string),
            ]),
        ProtobufMessageSchema(
            "core.LocalObjectReference",
            [
                field(1, "name", .string)
            ]),
        ProtobufMessageSchema(
            "core.ConfigMap",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "data", .map(.string)),
                field(3, "binaryData", .map(.bytes)),
                field(4, "immutable", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.Secret",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "data", .map(.bytes)),
                field(3, "type", .string),
                field(4, "stringData", .map(.string)),
                field(5, "immutable", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.Namespace",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("core.NamespaceSpec")),
                field(3, "status", .message("core.NamespaceStatus")),
            ]),
        ProtobufMessageSchema(
            "core.NamespaceSpec",
            [
                field(1, "finalizers", .repeated(.string))
            ]),
        ProtobufMessageSchema(
            "core.NamespaceStatus",
            [
                field(1, "phase", .string),
                field(2, "conditions", .repeated(.message("core.NamespaceCondition"))),
            ]),
        ProtobufMessageSchema(
            "core.NamespaceCondition",
            [
                field(1, "type", .string, .keepZero),
                field(2, "status", .string, .keepZero),
                field(4, "lastTransitionTime", .time),
                field(5, "reason", .string),
                field(6, "message", .string),
            ]),
        ProtobufMessageSchema(
            "core.ServiceAccount",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "secrets", .repeated(.message("core.ObjectReference"))),
                field(3, "imagePullSecrets", .repeated(.message("core.LocalObjectReference"))),
                field(4, "automountServiceAccountToken", .bool, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.Service",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("core.ServiceSpec")),
                field(3, "status", .message("core.ServiceStatus")),
            ]),
        ProtobufMessageSchema(
            "core.ServiceSpec",
            [
                field(1, "ports", .repeated(.message("core.ServicePort"))),
                field(2, "selector", .map(.string)),
                field(3, "clusterIP", .string),
                field(4, "type", .string),
                field(5, "externalIPs", .repeated(.string)),
                field(7, "sessionAffinity", .string),
                field(8, "loadBalancerIP", .string),
                field(9, "loadBalancerSourceRanges", .repeated(.string)),
                field(10, "externalName", .string),
                field(11, "externalTrafficPolicy", .string),
                field(12, "healthCheckNodePort", .int32),
                field(13, "publishNotReadyAddresses", .bool),
                field(14, "sessionAffinityConfig", .message("core.SessionAffinityConfig")),
                field(17, "ipFamilyPolicy", .string, .keepZero),
                field(18, "clusterIPs", .repeated(.string)),
                field(19, "ipFamilies", .repeated(.string)),
                field(20, "allocateLoadBalancerNodePorts", .bool, .keepZero),
                field(21, "loadBalancerClass", .string, .keepZero),
                field(22, "internalTrafficPolicy", .string, .keepZero),
                field(23, "trafficDistribution", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ServicePort",
            [
                field(1, "name", .string),
                field(2, "protocol", .string),
                field(3, "port", .int32, .keepZero),
                field(4, "targetPort", .intOrString),
                field(5, "nodePort", .int32),
                field(6, "appProtocol", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.SessionAffinityConfig",
            [
                field(1, "clientIP", .message("core.ClientIPConfig"))
            ]),
        ProtobufMessageSchema(
            "core.ClientIPConfig",
            [
                field(1, "timeoutSeconds", .int32, .keepZero)
            ]),
        ProtobufMessageSchema(
            "core.ServiceStatus",
            [
                field(1, "loadBalancer", .message("core.LoadBalancerStatus")),
                field(2, "conditions", .repeated(.message("meta.Condition"))),
            ]),
        ProtobufMessageSchema(
            "core.LoadBalancerStatus",
            [
                field(1, "ingress", .repeated(.message("core.LoadBalancerIngress")))
            ]),
        ProtobufMessageSchema(
            "core.LoadBalancerIngress",
            [
                field(1, "ip", .string),
                field(2, "hostname", .string),
                field(3, "ipMode", .string, .keepZero),
                field(4, "ports", .repeated(.message("core.PortStatus"))),
            ]),
        ProtobufMessageSchema(
            "core.PortStatus",
            [
                field(1, "port", .int32, .keepZero),
                field(2, "protocol", .string, .keepZero),
                field(3, "error", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.ResourceQuota",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("core.ResourceQuotaSpec")),
                field(3, "status", .message("core.ResourceQuotaStatus")),
            ]),
        ProtobufMessageSchema(
            "core.ResourceQuotaSpec",
            [
                field(1, "hard", .map(.quantity)),
                field(2, "scopes", .repeated(.string)),
                field(3, "scopeSelector", .message("core.ScopeSelector")),
            ]),
        ProtobufMessageSchema(
            "core.ScopeSelector",
            [
                field(1, "matchExpressions", .repeated(.message("core.ScopedResourceSelectorRequirement")))
            ]),
        ProtobufMessageSchema(
            "core.ScopedResourceSelectorRequirement",
            [
                field(1, "scopeName", .string, .keepZero),
                field(2, "operator", .string, .keepZero),
                field(3, "values", .repeated(.string)),
            ]),
        ProtobufMessageSchema(
            "core.ResourceQuotaStatus",
            [
                field(1, "hard", .map(.quantity)),
                field(2, "used", .map(.quantity)),
            ]),
        ProtobufMessageSchema(
            "core.Event",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "involvedObject", .message("core.ObjectReference")),
                field(3, "reason", .string),
                field(4, "message", .string),
                field(5, "source", .message("core.EventSource")),
                field(6, "firstTimestamp", .time),
                field(7, "lastTimestamp", .time),
                field(8, "count", .int32),
                field(9, "type", .string),
                field(10, "eventTime", .microTime),
                field(11, "series", .message("core.EventSeries")),
                field(12, "action", .string),
                field(13, "related", .message("core.ObjectReference")),
                field(14, "reportingComponent", .string, .keepZero),
                field(15, "reportingInstance", .string, .keepZero),
            ]),
        ProtobufMessageSchema(
            "core.EventSource",
            [
                field(1, "component", .string),
                field(2, "host", .string),
            ]),
        ProtobufMessageSchema(
            "core.EventSeries",
            [
                field(1, "count", .int32),
                field(2, "lastObservedTime", .microTime),
            ]),
        ProtobufMessageSchema(
            "core.Binding",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "target", .message("core.ObjectReference")),
            ]),
    ]

    // MARK: k8s.io/api/coordination/v1

    static let coordination: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "coordination.Lease",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("coordination.LeaseSpec")),
            ]),
        ProtobufMessageSchema(
            "coordination.LeaseSpec",
            [
                field(1, "holderIdentity", .string, .keepZero),
                field(2, "leaseDurationSeconds", .int32, .keepZero),
                field(3, "acquireTime", .microTime),
                field(4, "renewTime", .microTime),
                field(5, "leaseTransitions", .int32, .keepZero),
                field(6, "strategy", .string, .keepZero),
                field(7, "preferredHolder", .string, .keepZero),
            ]),
    ]

    // MARK: k8s.io/api/scheduling/v1

    static let scheduling: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "scheduling.PriorityClass",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "value", .int32, .keepZero),
                field(3, "globalDefault", .bool),
                field(4, "description", .string),
                field(5, "preemptionPolicy", .string, .keepZero),
            ])
    ]

    // MARK: k8s.io/api/authentication/v1

    static let authentication: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "authentication.TokenRequest",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("authentication.TokenRequestSpec")),
                field(3, "status", .message("authentication.TokenRequestStatus")),
            ]),
        ProtobufMessageSchema(
            "authentication.TokenRequestSpec",
            [
                field(1, "audiences", .repeated(.string)),
                field(3, "boundObjectRef", .message("authentication.BoundObjectReference")),
                field(4, "expirationSeconds", .int64, .keepZero),
            ]),
        ProtobufMessageSchema(
            "authentication.BoundObjectReference",
            [
                field(1, "kind", .string),
                field(2, "apiVersion", .string),
                field(3, "name", .string),
                field(4, "uid", .string),
            ]),
        ProtobufMessageSchema(
            "authentication.TokenRequestStatus",
            [
                field(1, "token", .string, .keepZero),
                field(2, "expirationTimestamp", .time),
            ]),
    ]

    // MARK: k8s.io/api/authorization/v1 (what `kubectl auth can-i` sends)

    static let authorization: [ProtobufMessageSchema] = [
        ProtobufMessageSchema(
            "authorization.SelfSubjectAccessReview",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("authorization.SelfSubjectAccessReviewSpec")),
            ]),
        ProtobufMessageSchema(
            "authorization.SelfSubjectAccessReviewSpec",
            [
                field(1, "resourceAttributes", .message("authorization.ResourceAttributes")),
                field(2, "nonResourceAttributes", .message("authorization.NonResourceAttributes")),
            ]),
        ProtobufMessageSchema(
            "authorization.ResourceAttributes",
            [
                field(1, "namespace", .string),
                field(2, "verb", .string),
                field(3, "group", .string),
                field(4, "version", .string),
                field(5, "resource", .string),
                field(6, "subresource", .string),
                field(7, "name", .string),
            ]),
        // What `kubectl auth can-i --list` sends.
        ProtobufMessageSchema(
            "authorization.SelfSubjectRulesReview",
            [
                field(1, "metadata", .message("meta.ObjectMeta")),
                field(2, "spec", .message("authorization.SelfSubjectRulesReviewSpec")),
            ]),
        ProtobufMessageSchema("authorization.SelfSubjectRulesReviewSpec", [field(1, "namespace", .string)]),
        ProtobufMessageSchema(
            "authorization.NonResourceAttributes",
            [
                field(1, "path", .string),
                field(2, "verb", .string),
            ]),
    ]
}
