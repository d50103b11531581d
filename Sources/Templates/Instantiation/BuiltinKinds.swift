import KubeClient

/// The built-in kinds a template may create, by group, version and kind: Kubernetes serves
/// them without CRDs, so they cannot be looked up the way custom kinds are.
enum BuiltinKinds {
    static func resource(group: String, version: String, kind: String) -> ResourceType? {
        table[Key(group: group, version: version, kind: kind)]
    }

    private struct Key: Hashable {
        var group: String
        var version: String
        var kind: String
    }

    private static let table: [Key: ResourceType] = {
        var table: [Key: ResourceType] = [:]
        func add(_ group: String, _ versions: [String], _ kind: String, _ resource: String, namespaced: Bool = true) {
            for version in versions {
                table[Key(group: group, version: version, kind: kind)] = ResourceType(
                    group: group, version: version, resource: resource, kind: kind, namespaced: namespaced)
            }
        }
        for (kind, resource) in [
            ("ConfigMap", "configmaps"), ("Secret", "secrets"), ("Service", "services"), ("Pod", "pods"),
            ("PersistentVolumeClaim", "persistentvolumeclaims"), ("ServiceAccount", "serviceaccounts"),
            ("Endpoints", "endpoints"), ("LimitRange", "limitranges"), ("ResourceQuota", "resourcequotas"),
            ("ReplicationController", "replicationcontrollers"), ("Event", "events"), ("PodTemplate", "podtemplates"),
        ] {
            add("", ["v1"], kind, resource)
        }
        add("", ["v1"], "Namespace", "namespaces", namespaced: false)
        add("", ["v1"], "PersistentVolume", "persistentvolumes", namespaced: false)
        add("", ["v1"], "Node", "nodes", namespaced: false)
        for (kind, resource) in [
            ("Deployment", "deployments"), ("StatefulSet", "statefulsets"), ("DaemonSet", "daemonsets"),
            ("ReplicaSet", "replicasets"), ("ControllerRevision", "controllerrevisions"),
        ] {
            add("apps", ["v1"], kind, resource)
        }
        add("batch", ["v1"], "Job", "jobs")
        add("batch", ["v1"], "CronJob", "cronjobs")
        add("autoscaling", ["v1", "v2"], "HorizontalPodAutoscaler", "horizontalpodautoscalers")
        add("policy", ["v1"], "PodDisruptionBudget", "poddisruptionbudgets")
        add("networking.k8s.io", ["v1"], "NetworkPolicy", "networkpolicies")
        add("networking.k8s.io", ["v1"], "Ingress", "ingresses")
        add("networking.k8s.io", ["v1"], "IngressClass", "ingressclasses", namespaced: false)
        add("discovery.k8s.io", ["v1"], "EndpointSlice", "endpointslices")
        add("coordination.k8s.io", ["v1"], "Lease", "leases")
        add("rbac.authorization.k8s.io", ["v1"], "Role", "roles")
        add("rbac.authorization.k8s.io", ["v1"], "RoleBinding", "rolebindings")
        add("rbac.authorization.k8s.io", ["v1"], "ClusterRole", "clusterroles", namespaced: false)
        add("rbac.authorization.k8s.io", ["v1"], "ClusterRoleBinding", "clusterrolebindings", namespaced: false)
        add("storage.k8s.io", ["v1"], "StorageClass", "storageclasses", namespaced: false)
        add("scheduling.k8s.io", ["v1"], "PriorityClass", "priorityclasses", namespaced: false)
        return table
    }()
}
