import KubeClient

/// Names shared by the REST routes, the controllers and the guests.
public enum ProvisioningObjects {
    /// Where clusters provisioned through the REST API live (created on first use).
    public static let defaultNamespace = "virtyard-clusters"
    /// On a ClusterDefinition: the ClusterOperation (`op-<8 hex>`) that its latest spec
    /// change belongs to. The REST API sets it with every change it makes; the controller
    /// makes one for a change without it (a `kubectl apply`).
    public static let operationAnnotation = "virtyard.io/operation-id"
    /// On a ClusterDefinition: who asked for its latest change (for the audit log).
    public static let requestedByAnnotation = "virtyard.io/requested-by"
    /// Holds a ClusterDefinition until decommission has removed what it made.
    public static let finalizer = "virtyard.io/provisioning"
    /// On a ClusterOperation: the ClusterDefinition it works on.
    public static let clusterLabel = ProvisioningLabels.cluster
    /// The Event reason a simulated guest records on a VM whose configuration it rejected.
    public static let bootRejectedReason = "BootConfigurationRejected"
    public static let group = "virtyard.io"
    public static let version = "v1alpha1"
    public static let clusterDefinitions = "clusterdefinitions"
    public static let clusterOperations = "clusteroperations"
}

extension ResourceType {
    /// `clusterdefinitions.virtyard.io`: one per provisioned cluster (spec = the REST body).
    public static let clusterDefinitions = ResourceType(
        group: ProvisioningObjects.group, version: ProvisioningObjects.version,
        resource: ProvisioningObjects.clusterDefinitions, kind: "ClusterDefinition", namespaced: true)
    /// `clusteroperations.virtyard.io`: one per provision / scale / upgrade / decommission.
    public static let clusterOperations = ResourceType(
        group: ProvisioningObjects.group, version: ProvisioningObjects.version,
        resource: ProvisioningObjects.clusterOperations, kind: "ClusterOperation", namespaced: true)
}
