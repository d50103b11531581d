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
    public static let jobs = ResourceType(group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true)
    public static let cronJobs = ResourceType(
        group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob",
        namespaced: true)
}
