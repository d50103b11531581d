import KubeModel

extension BuiltinResources {
    /// The named groups of Kubernetes 1.32 whose kinds are stored objects, one served version
    /// each: the version kube-apiserver prefers. autoscaling/v1 is left out on purpose: its
    /// HorizontalPodAutoscaler has another shape than v2's, and the server stores one
    /// version per kind without converting between them.
    static let groups: [APIResource] =
        apps + batch + autoscaling + rbac + networking + policy + storage
        + coordination + discovery + eventsGroup + scheduling + admissionRegistration + apiRegistration
        + certificates + node + flowControl

    private static func stored(
        _ group: String, _ resource: String, _ kind: String, namespaced: Bool,
        shortNames: [String] = [], categories: [String] = [],
        hasStatus: Bool = false
    ) -> APIResource {
        APIResource(
            group: group, version: "v1", resource: resource, kind: kind, namespaced: namespaced,
            shortNames: shortNames, categories: categories, hasStatus: hasStatus)
    }

    static let apps: [APIResource] = [
        stored(
            "apps", "deployments", "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"],
            hasStatus: true),
        stored(
            "apps", "replicasets", "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"],
            hasStatus: true),
        stored(
            "apps", "statefulsets", "StatefulSet", namespaced: true, shortNames: ["sts"], categories: ["all"],
            hasStatus: true),
        stored(
            "apps", "daemonsets", "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"],
            hasStatus: true),
        stored("apps", "controllerrevisions", "ControllerRevision", namespaced: true),
    ]

    static let batch: [APIResource] = [
        stored("batch", "jobs", "Job", namespaced: true, categories: ["all"], hasStatus: true),
        stored(
            "batch", "cronjobs", "CronJob", namespaced: true, shortNames: ["cj"], categories: ["all"],
            hasStatus: true),
    ]

    static let autoscaling: [APIResource] = [
        APIResource(
            group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers",
            kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"],
            hasStatus: true)
    ]

    static let rbac: [APIResource] = [
        stored("rbac.authorization.k8s.io", "roles", "Role", namespaced: true),
        stored("rbac.authorization.k8s.io", "rolebindings", "RoleBinding", namespaced: true),
        stored("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", namespaced: false),
        stored("rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", namespaced: false),
    ]

    static let networking: [APIResource] = [
        stored("networking.k8s.io", "networkpolicies", "NetworkPolicy", namespaced: true, shortNames: ["netpol"]),
        stored("networking.k8s.io", "ingresses", "Ingress", namespaced: true, shortNames: ["ing"], hasStatus: true),
        stored("networking.k8s.io", "ingressclasses", "IngressClass", namespaced: false),
    ]

    static let policy: [APIResource] = [
        stored(
            "policy", "poddisruptionbudgets", "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"],
            hasStatus: true)
    ]

    static let storage: [APIResource] = [
        stored("storage.k8s.io", "storageclasses", "StorageClass", namespaced: false, shortNames: ["sc"]),
        stored("storage.k8s.io", "volumeattachments", "VolumeAttachment", namespaced: false, hasStatus: true),
        stored("storage.k8s.io", "csidrivers", "CSIDriver", namespaced: false),
        stored("storage.k8s.io", "csinodes", "CSINode", namespaced: false),
        stored("storage.k8s.io", "csistoragecapacities", "CSIStorageCapacity", namespaced: true),
    ]

    static let coordination: [APIResource] = [
        stored("coordination.k8s.io", "leases", "Lease", namespaced: true)
    ]

    static let discovery: [APIResource] = [
        stored("discovery.k8s.io", "endpointslices", "EndpointSlice", namespaced: true)
    ]

    /// events.k8s.io/v1 Events are stored apart from core Events: kube-apiserver converts
    /// between the two shapes (`note` ↔ `message`, `regarding` ↔ `involvedObject`), and this
    /// server does not convert between kinds.
    static let eventsGroup: [APIResource] = [
        stored("events.k8s.io", "events", "Event", namespaced: true, shortNames: ["ev"])
    ]

    static let scheduling: [APIResource] = [
        stored("scheduling.k8s.io", "priorityclasses", "PriorityClass", namespaced: false, shortNames: ["pc"])
    ]

    /// Stored only: no webhook is called and no policy is evaluated.
    static let admissionRegistration: [APIResource] = [
        stored(
            "admissionregistration.k8s.io", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration",
            namespaced: false, categories: ["api-extensions"]),
        stored(
            "admissionregistration.k8s.io", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration",
            namespaced: false, categories: ["api-extensions"]),
        stored(
            "admissionregistration.k8s.io", "validatingadmissionpolicies", "ValidatingAdmissionPolicy",
            namespaced: false, categories: ["api-extensions"], hasStatus: true),
        stored(
            "admissionregistration.k8s.io", "validatingadmissionpolicybindings",
            "ValidatingAdmissionPolicyBinding", namespaced: false, categories: ["api-extensions"]),
    ]

    /// Stored only: nothing is proxied to an aggregated API server.
    static let apiRegistration: [APIResource] = [
        stored(
            "apiregistration.k8s.io", "apiservices", "APIService", namespaced: false,
            categories: ["api-extensions"], hasStatus: true)
    ]

    /// Stored only: no signer issues certificates.
    static let certificates: [APIResource] = [
        stored(
            "certificates.k8s.io", "certificatesigningrequests", "CertificateSigningRequest", namespaced: false,
            shortNames: ["csr"], hasStatus: true)
    ]

    static let node: [APIResource] = [
        stored("node.k8s.io", "runtimeclasses", "RuntimeClass", namespaced: false)
    ]

    /// Stored only: requests are not classified into priority levels.
    static let flowControl: [APIResource] = [
        stored("flowcontrol.apiserver.k8s.io", "flowschemas", "FlowSchema", namespaced: false, hasStatus: true),
        stored(
            "flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", "PriorityLevelConfiguration",
            namespaced: false, hasStatus: true),
    ]
}
