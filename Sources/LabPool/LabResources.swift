import KubeClient
import KubeModel

extension ResourceType {
    /// A pool of lab clusters (cluster-scoped).
    public static let labPools = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "labpools",
        kind: "LabPool", namespaced: false)
    /// A user's lease of a lab cluster.
    public static let labSessions = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "labsessions",
        kind: "LabSession", namespaced: true)
    /// One member of a pool, in its own namespace.
    public static let labClusters = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "labclusters",
        kind: "LabCluster", namespaced: true)
}

/// Names the lab pool gives things, as cks-backend names them.
public enum Lab {
    public static let apiVersion = "virtyard.io/v1alpha1"
    /// The pool `--lab-pool-size` creates; its clusters are `cluster1` … `clusterN`.
    public static let defaultPool = "default"
    public static let poolLabel = "virtyard.io/lab-pool"
    /// On the control-plane VM's template: the VM hosts this virtual cluster (embedded mode).
    public static let virtualClusterLabel = "virtyard.io/virtual-cluster"
    /// On both VMs' templates: the VM is a node of that cluster.
    public static let virtualClusterNodeLabel = "virtyard.io/virtual-cluster-node"
    /// On both VMs' templates: the most objects, and bytes of objects, the cluster's API may
    /// hold (from the pool's `spec.quota`; the host applies its defaults without them).
    public static let virtualClusterMaxObjectsLabel = "virtyard.io/virtual-cluster-max-objects"
    public static let virtualClusterMaxBytesLabel = "virtyard.io/virtual-cluster-max-bytes"

    /// `cluster<n>` in the default pool, `<pool>-<n>` in others; also the namespace.
    public static func clusterID(pool: String, index: Int) -> String {
        pool == defaultPool ? "cluster\(index)" : "\(pool)-\(index)"
    }

    public static func controlPlaneVM(_ id: String) -> String { "cp-\(id)" }
    public static func workerVM(_ id: String) -> String { "wk-\(id)" }
    public static func snapshotName(ofVM vm: String) -> String { "\(vm)-snapshot" }

    public static let sessionFinalizer = "virtyard.io/lab-session"
    /// When the session was asked for, to the nanosecond: the order of the waiting queue
    /// (creation timestamps have whole seconds).
    public static let requestedAtAnnotation = "virtyard.io/requested-at"

    public enum SessionPhase: String, Sendable, CaseIterable {
        case pending = "Pending"
        case provisioning = "Provisioning"
        case running = "Running"
        case completed = "Completed"
        case failed = "Failed"
        case expired = "Expired"

        var isOver: Bool { self == .completed || self == .failed || self == .expired }
    }

    public enum Phase: String, Sendable, CaseIterable {
        case creating = "Creating"
        case available = "Available"
        case locked = "Locked"
        case resetting = "Resetting"
        case error = "Error"
    }
}
