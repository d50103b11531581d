import KubeClient

/// The built-in kinds a rule may name by kind alone, as cks-backend's rules do
/// (`kind: Pod`, `kind: NetworkPolicy`): their group, version, resource and scope in
/// Kubernetes 1.32. Another kind needs `resource.apiVersion`.
enum BuiltinKinds {
    private static let table: [(group: String, version: String, kinds: [(kind: String, resource: String, namespaced: Bool)])] = [
        (
            "", "v1",
            [
                ("Pod", "pods", true), ("Service", "services", true), ("ConfigMap", "configmaps", true),
                ("Secret", "secrets", true), ("ServiceAccount", "serviceaccounts", true),
                ("PersistentVolumeClaim", "persistentvolumeclaims", true), ("Endpoints", "endpoints", true),
                ("Event", "events", true), ("LimitRange", "limitranges", true), ("ResourceQuota", "resourcequotas", true),
                ("ReplicationController", "replicationcontrollers", true), ("PodTemplate", "podtemplates", true),
                ("Namespace", "namespaces", false), ("Node", "nodes", false), ("PersistentVolume", "persistentvolumes", false),
            ]
        ),
        (
            "apps", "v1",
            [
                ("Deployment", "deployments", true), ("ReplicaSet", "replicasets", true), ("StatefulSet", "statefulsets", true),
                ("DaemonSet", "daemonsets", true), ("ControllerRevision", "controllerrevisions", true),
            ]
        ),
        ("batch", "v1", [("Job", "jobs", true), ("CronJob", "cronjobs", true)]),
        (
            "rbac.authorization.k8s.io", "v1",
            [
                ("Role", "roles", true), ("RoleBinding", "rolebindings", true), ("ClusterRole", "clusterroles", false),
                ("ClusterRoleBinding", "clusterrolebindings", false),
            ]
        ),
        (
            "networking.k8s.io", "v1",
            [("NetworkPolicy", "networkpolicies", true), ("Ingress", "ingresses", true), ("IngressClass", "ingressclasses", false)]
        ),
        ("policy", "v1", [("PodDisruptionBudget", "poddisruptionbudgets", true)]),
        (
            "storage.k8s.io", "v1",
            [
                ("StorageClass", "storageclasses", false), ("CSIDriver", "csidrivers", false),
                ("VolumeAttachment", "volumeattachments", false),
            ]
        ),
        ("autoscaling", "v2", [("HorizontalPodAutoscaler", "horizontalpodautoscalers", true)]),
        ("coordination.k8s.io", "v1", [("Lease", "leases", true)]),
        ("discovery.k8s.io", "v1", [("EndpointSlice", "endpointslices", true)]),
        ("scheduling.k8s.io", "v1", [("PriorityClass", "priorityclasses", false)]),
        ("node.k8s.io", "v1", [("RuntimeClass", "runtimeclasses", false)]),
        (
            "admissionregistration.k8s.io", "v1",
            [
                ("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
                ("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
            ]
        ),
        ("apiextensions.k8s.io", "v1", [("CustomResourceDefinition", "customresourcedefinitions", false)]),
    ]

    /// By kind, case-insensitively; the plural resource name is accepted too (`pods`), as
    /// `kubectl get` accepts it.
    private static let byName: [String: ResourceType] = {
        var index: [String: ResourceType] = [:]
        for (group, version, kinds) in table {
            for (kind, resource, namespaced) in kinds {
                let type = ResourceType(group: group, version: version, resource: resource, kind: kind, namespaced: namespaced)
                index[kind.lowercased()] = type
                index[resource] = type
            }
        }
        return index
    }()

    static func resource(kind: String) -> ResourceType? {
        byName[kind.lowercased()]
    }

    /// The kind's resource in `apiVersion`: the built-in one when it is that, otherwise by
    /// Kubernetes' naming rule (the lower-case plural), namespaced.
    static func resource(apiVersion: String?, kind: String) -> ResourceType? {
        let builtin = resource(kind: kind)
        guard let apiVersion, !apiVersion.isEmpty else { return builtin }
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "v1")
        if let builtin, builtin.group == group {
            return ResourceType(
                group: group, version: version, resource: builtin.resource, kind: builtin.kind, namespaced: builtin.namespaced)
        }
        return Scenario.resource(apiVersion: apiVersion, kind: kind)
    }
}
