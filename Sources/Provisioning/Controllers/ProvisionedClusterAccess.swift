import KubeModel
import ServiceLifecycle

/// A node as the provisioned cluster's own API reports it.
public struct ProvisionedNode: Hashable, Sendable {
    /// The Node's name: the VM's (`<cluster>-<group>-<NN>`).
    public var name: String
    public var ready: Bool
    public var kubeletVersion: String
    public var controlPlane: Bool

    public init(name: String, ready: Bool, kubeletVersion: String, controlPlane: Bool) {
        self.name = name
        self.ready = ready
        self.kubeletVersion = kubeletVersion
        self.controlPlane = controlPlane
    }
}

/// How the provisioner reaches the clusters it made. In embedded mode the simulated guests
/// serve each cluster as a virtual cluster of the embedded API server; against a real
/// cluster (`--kubeconfig`) it is the nested API behind `<name>-api`, with the admin
/// kubeconfig of Secret `<name>-kubeconfig`.
///
/// `namespace`/`cluster` name the ClusterDefinition.
public protocol ProvisionedClusterAccess: Sendable {
    /// The Nodes registered in the cluster; nil while its API does not answer.
    func nodes(namespace: String, cluster: String) async -> [ProvisionedNode]?
    /// Why nodes refused to boot, by VM name (a rendered configuration its guest rejected);
    /// empty when nothing is known (a real cluster's failed node simply never joins).
    func bootFailures(namespace: String, cluster: String) async -> [String: String]
    /// Cordons Node `node` and evicts its pods as `kubectl drain` does (``NodeDrain``: DaemonSet
    /// and mirror pods stay). Called on every pass until it returns no pod or the drain times out,
    /// so it is idempotent and never waits itself; returns the pods still to go
    /// (`namespace/name`), none when the cluster has no such Node.
    func drainNode(namespace: String, cluster: String, node: String) async throws -> [String]
    /// Deletes Node `node` from the cluster (scale down, replacement), once drained.
    func removeNode(namespace: String, cluster: String, node: String) async throws
    /// Tears the cluster's API down (decommission): its kubeconfig stops working.
    func removeCluster(namespace: String, cluster: String) async
    /// An admin kubeconfig that works from where Virtyard's users are; nil when the one in
    /// Secret `<name>-kubeconfig` is the one to use.
    func kubeconfig(namespace: String, cluster: String) async -> String?
    /// What must run beside the controller while it uses this access (its clients' owner,
    /// which closes them when the controller stops); nil when nothing.
    var lifecycle: (any Service)? { get }
}

extension ProvisionedClusterAccess {
    public var lifecycle: (any Service)? { nil }
}
