import KubeModel

/// The built-in kinds served without a CustomResourceDefinition.
public enum BuiltinResources {
    public static let namespaces = APIResource(group: "", version: "v1", resource: "namespaces", kind: "Namespace",
                                               namespaced: false, shortNames: ["ns"], hasStatus: true)
    public static let customResourceDefinitions = APIResource(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions",
        kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"],
        categories: ["api-extensions"], hasStatus: true)
    public static let pods = APIResource(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true,
                                         shortNames: ["po"], categories: ["all"], hasStatus: true)
    /// `kubectl auth can-i` asks this; every authenticated caller holds the admin token, so
    /// the answer is always yes. Reviews are answered, never stored.
    public static let selfSubjectAccessReviews = APIResource(
        group: "authorization.k8s.io", version: "v1", resource: "selfsubjectaccessreviews",
        kind: "SelfSubjectAccessReview", namespaced: false, verbs: ["create"])
    public static let events = APIResource(group: "", version: "v1", resource: "events", kind: "Event",
                                           namespaced: true, shortNames: ["ev"])

    public static let all: [APIResource] = [
        namespaces,
        APIResource(group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false, shortNames: ["no"],
                    hasStatus: true),
        pods,
        APIResource(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true,
                    shortNames: ["cm"]),
        APIResource(group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true),
        APIResource(group: "", version: "v1", resource: "services", kind: "Service", namespaced: true,
                    shortNames: ["svc"], categories: ["all"], hasStatus: true),
        APIResource(group: "", version: "v1", resource: "endpoints", kind: "Endpoints", listKind: "EndpointsList",
                    namespaced: true, shortNames: ["ep"]),
        events,
        APIResource(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true,
                    shortNames: ["sa"]),
        APIResource(group: "", version: "v1", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim",
                    namespaced: true, shortNames: ["pvc"], hasStatus: true),
        APIResource(group: "", version: "v1", resource: "persistentvolumes", kind: "PersistentVolume",
                    namespaced: false, shortNames: ["pv"], hasStatus: true),
        APIResource(group: "", version: "v1", resource: "resourcequotas", kind: "ResourceQuota", namespaced: true,
                    shortNames: ["quota"], hasStatus: true),
        APIResource(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true),
        APIResource(group: "storage.k8s.io", version: "v1", resource: "storageclasses", kind: "StorageClass",
                    namespaced: false, shortNames: ["sc"]),
        customResourceDefinitions,
        selfSubjectAccessReviews,
    ]
}
