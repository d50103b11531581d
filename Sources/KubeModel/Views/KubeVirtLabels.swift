/// KubeVirt's well-known label and annotation names, as virt-controller and virt-handler
/// write them, in one place for the simulated KubeVirt that writes them and the capacity
/// exporter that reads them back from launcher pods.
public enum KubeVirtLabels {
    /// The component label (`kubevirt.io: virt-launcher` on a launcher pod).
    public static let app = "kubevirt.io"
    /// The value of ``app`` on a VMI's launcher pod.
    public static let launcherApp = "virt-launcher"
    public static let createdBy = "kubevirt.io/created-by"
    public static let vmName = "vm.kubevirt.io/name"
    public static let domain = "kubevirt.io/domain"
    public static let nodeName = "kubevirt.io/nodeName"
    public static let migrationJobUID = "kubevirt.io/migrationJobUID"
    /// virt-handler's label on nodes that can run VMs; launcher pods select it.
    public static let schedulable = "kubevirt.io/schedulable"
    public static let defaultContainer = "kubectl.kubernetes.io/default-container"
    /// Virtyard's hint on a migration: the node the requester would like (a preference the
    /// scheduler weighs, not a requirement).
    public static let preferredNode = "virtyard.io/preferred-node"
}
