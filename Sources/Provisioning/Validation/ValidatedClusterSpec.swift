import KubeModel

/// A cluster specification that passed ``ClusterSpecValidation``, with every default filled
/// in: what the providers and the planner work from. Only the validator makes one.
public struct ValidatedClusterSpec: Hashable, Sendable {
    /// One node group, resolved.
    public struct NodeGroup: Hashable, Sendable {
        public var name: String
        public var role: NodeRole
        public var count: Int
        public var cores: Int
        public var memoryMB: Int
        public var diskGB: Int
        public var image: RootDisk
        public var antiAffinity: AntiAffinity
        public var temporary: Bool
    }

    /// Where a node's root disk comes from.
    public enum RootDisk: Hashable, Sendable {
        case containerDisk(image: String)
        /// Cloned per node from this DataVolume's claim.
        case dataVolume(name: String, namespace: String?)
        /// Restored per node from the VMDiskImage's VolumeSnapshot (same name).
        case vmDiskImage(name: String, namespace: String?)
    }

    /// One supporting service, resolved.
    public struct Service: Hashable, Sendable {
        public var name: String
        public var type: ServiceType
        public var configuration: JSONValue?
        public var dependsOn: [String]
        public var startupOrder: Int
    }

    public var name: String
    public var type: ClusterType
    /// Nil only for GENERIC clusters that name no version.
    public var version: ClusterVersion?
    public var bootMethod: BootMethod
    public var nodeGroups: [NodeGroup]
    /// In start order (``ServiceStartupOrder``).
    public var services: [Service]
    public var rollbackStrategy: RollbackStrategy
    public var dryRun: Bool
    /// The specification as sent.
    public var spec: ClusterSpec

    /// Every node, in group order: the VM names `<cluster>-<group>-<NN>`.
    public var nodes: [PlannedNode] {
        var nodes: [PlannedNode] = []
        var firstControlPlaneSeen = false
        for group in nodeGroups {
            for index in 1...group.count {
                let isFirst = group.role == .controlPlane && !firstControlPlaneSeen
                if isFirst { firstControlPlaneSeen = true }
                nodes.append(
                    PlannedNode(
                        vmName: PlannedNode.vmName(cluster: name, group: group.name, index: index), group: group, index: index,
                        isInitialControlPlane: isFirst))
            }
        }
        return nodes
    }
}

/// One node of a cluster: its VM's name, its group, and whether it creates the cluster.
public struct PlannedNode: Hashable, Sendable {
    public var vmName: String
    public var group: ValidatedClusterSpec.NodeGroup
    /// 1-based within the group.
    public var index: Int
    /// The first node of the first CONTROL_PLANE group: it initialises the cluster, every
    /// other node joins it.
    public var isInitialControlPlane: Bool

    public var role: NodeRole { group.role }

    /// `<cluster>-<group>-<NN>`, at least two digits.
    public static func vmName(cluster: String, group: String, index: Int) -> String {
        let number = index < 10 ? "0\(index)" : String(index)
        return "\(cluster)-\(group)-\(number)"
    }
}
