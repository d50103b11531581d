import KubeClient

/// The workload kinds these controllers address, named once. Kept in their own namespace so
/// they cannot collide with names KubeClient may add for the same kinds.
public enum WorkloadResources {
    public static let deployments = ResourceType(
        group: "apps", version: "v1", resource: "deployments", kind: "Deployment",
        namespaced: true)
    public static let replicaSets = ResourceType(
        group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet",
        namespaced: true)
    public static let statefulSets = ResourceType(
        group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet",
        namespaced: true)
    public static let daemonSets = ResourceType(
        group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet",
        namespaced: true)
    public static let controllerRevisions = ResourceType(
        group: "apps", version: "v1", resource: "controllerrevisions", kind: "ControllerRevision",
        namespaced: true)
    public static let replicationControllers = ResourceType(
        group: "", version: "v1", resource: "replicationcontrollers", kind: "ReplicationController",
        namespaced: true)
    public static let jobs = ResourceType(group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true)
    public static let cronJobs = ResourceType(
        group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob",
        namespaced: true)
    public static let podDisruptionBudgets = ResourceType(
        group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget",
        namespaced: true)
    public static let horizontalPodAutoscalers = ResourceType(
        group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers",
        kind: "HorizontalPodAutoscaler", namespaced: true)

    /// The kinds served with a `scale` subresource, by kind: what an HPA's `scaleTargetRef`
    /// and a PodDisruptionBudget's pod owners can name.
    static let scalable: [String: ResourceType] = [
        "Deployment": deployments, "ReplicaSet": replicaSets, "StatefulSet": statefulSets,
        "ReplicationController": replicationControllers,
    ]
}
