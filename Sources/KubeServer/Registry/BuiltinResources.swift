import KubeModel

/// The built-in kinds served without a CustomResourceDefinition: every kind Kubernetes 1.32
/// serves as stored objects (names, short names, categories and status subresources as
/// `kubectl api-resources` shows them against kube-apiserver 1.32), plus the few kinds the
/// server answers without storing. The groups other than core, apiextensions and
/// authorization are listed in `BuiltinResources+Groups.swift`.
public enum BuiltinResources {
    public static let namespaces = APIResource(
        group: "", version: "v1", resource: "namespaces", kind: "Namespace",
        namespaced: false, shortNames: ["ns"], hasStatus: true)
    public static let customResourceDefinitions = APIResource(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"],
        categories: ["api-extensions"], hasStatus: true)
    public static let pods = APIResource(
        group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true,
        shortNames: ["po"], categories: ["all"], hasStatus: true)
    /// `kubectl auth can-i` asks this; RBAC answers it. Reviews are answered, never stored.
    public static let selfSubjectAccessReviews = APIResource(
        group: "authorization.k8s.io", version: "v1", resource: "selfsubjectaccessreviews",
        kind: "SelfSubjectAccessReview", namespaced: false, verbs: ["create"])
    /// The other reviews: answered by the REST layer, listed here for discovery.
    public static let reviews: [APIResource] = [
        APIResource(
            group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews",
            kind: "SubjectAccessReview", namespaced: false, verbs: ["create"]),
        APIResource(
            group: "authorization.k8s.io", version: "v1", resource: "localsubjectaccessreviews",
            kind: "LocalSubjectAccessReview", namespaced: true, verbs: ["create"]),
        APIResource(
            group: "authorization.k8s.io", version: "v1", resource: "selfsubjectrulesreviews",
            kind: "SelfSubjectRulesReview", namespaced: false, verbs: ["create"]),
        APIResource(
            group: "authentication.k8s.io", version: "v1", resource: "selfsubjectreviews",
            kind: "SelfSubjectReview", namespaced: false, verbs: ["create"]),
    ]
    public static let events = APIResource(
        group: "", version: "v1", resource: "events", kind: "Event",
        namespaced: true, shortNames: ["ev"])
    public static let services = APIResource(
        group: "", version: "v1", resource: "services", kind: "Service",
        namespaced: true, shortNames: ["svc"], categories: ["all"], hasStatus: true)

    /// The core group (`/api/v1`).
    static let core: [APIResource] = [
        namespaces,
        APIResource(
            group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false, shortNames: ["no"],
            hasStatus: true),
        pods,
        APIResource(
            group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true,
            shortNames: ["cm"]),
        APIResource(group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true),
        services,
        APIResource(
            group: "", version: "v1", resource: "endpoints", kind: "Endpoints", listKind: "EndpointsList",
            namespaced: true, shortNames: ["ep"]),
        events,
        APIResource(
            group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true,
            shortNames: ["sa"]),
        APIResource(
            group: "", version: "v1", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim",
            namespaced: true, shortNames: ["pvc"], hasStatus: true),
        APIResource(
            group: "", version: "v1", resource: "persistentvolumes", kind: "PersistentVolume",
            namespaced: false, shortNames: ["pv"], hasStatus: true),
        APIResource(
            group: "", version: "v1", resource: "resourcequotas", kind: "ResourceQuota", namespaced: true,
            shortNames: ["quota"], hasStatus: true),
        APIResource(
            group: "", version: "v1", resource: "limitranges", kind: "LimitRange", namespaced: true,
            shortNames: ["limits"]),
        APIResource(
            group: "", version: "v1", resource: "replicationcontrollers", kind: "ReplicationController",
            namespaced: true, shortNames: ["rc"], categories: ["all"], hasStatus: true),
        APIResource(group: "", version: "v1", resource: "podtemplates", kind: "PodTemplate", namespaced: true),
    ]

    public static let all: [APIResource] = core + groups + [customResourceDefinitions, selfSubjectAccessReviews] + reviews
}
