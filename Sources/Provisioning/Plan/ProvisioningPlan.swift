import Foundation
import KubeModel

/// Everything the provisioner writes for a cluster, computed without writing anything: the
/// answer to a `dryRun` request and what the controller applies.
///
/// Names are part of the contract: Secrets `<name>-ca` (`tls.crt`, `tls.key`),
/// `<name>-bootstrap` (the join token), `<name>-kubeconfig` (`value`); per node a
/// VirtualMachine `<name>-<group>-<NN>` and its user data Secret `<vm>-userdata`
/// (`userdata`), referenced from the VM, never inline.
public struct ProvisioningPlan: Sendable {
    /// One node: its VM, its user data Secret and the configuration in it.
    public struct Node: Sendable {
        public var name: String
        public var group: String
        public var role: NodeRole
        public var bootConfiguration: NodeBootConfiguration
        public var virtualMachine: JSONValue
        public var userDataSecret: JSONValue
    }

    public var clusterName: String
    public var namespace: String
    /// The API endpoint host the configurations point at.
    public var endpoint: String
    /// `<name>-ca`, `<name>-bootstrap`, `<name>-kubeconfig`, in that order.
    public var clusterSecrets: [JSONValue]
    public var nodes: [Node]
    /// Supporting services in start order (``ServiceStartupOrder``).
    public var serviceStartOrder: [String]
    /// The admin kubeconfig (also in `<name>-kubeconfig`).
    public var kubeconfig: String

    /// Every object in write order: cluster Secrets, then per node its Secret before its VM
    /// (a VM must never start without its user data).
    public var objects: [JSONValue] {
        clusterSecrets + nodes.flatMap { [$0.userDataSecret, $0.virtualMachine] }
    }

    /// The objects as a `kind: List` (what a dry run returns, `kubectl`-readable).
    public var list: JSONValue {
        ["apiVersion": "v1", "kind": "List", "items": .array(objects)]
    }
}

/// Who owns the planned objects (the ClusterDefinition), set by the controller.
public struct PlanOwner: Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String

    public init(apiVersion: String = "virtyard.io/v1alpha1", kind: String = "ClusterDefinition", name: String, uid: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
    }

    var reference: JSONValue {
        [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
            "controller": true, "blockOwnerDeletion": true,
        ]
    }
}

/// Labels on everything the provisioner makes.
public enum ProvisioningLabels {
    public static let cluster = "virtyard.io/cluster"
    public static let nodeGroup = "virtyard.io/node-group"
    public static let role = "virtyard.io/role"
    public static let managedBy = "virtyard.io/managed-by"
    /// The value of ``managedBy``: decommission deletes only VMs carrying it.
    public static let managedByValue = "provisioning"
    public static let service = "virtyard.io/service"
}

/// A plan that cannot be made.
public enum PlanError: Error, Hashable, Sendable, CustomStringConvertible {
    case render(RenderError)
    case certificate(String)

    public var description: String {
        switch self {
        case .render(let error): return error.description
        case .certificate(let reason): return reason
        }
    }
}
