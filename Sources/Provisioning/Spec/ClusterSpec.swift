import Foundation
import KubeModel

/// What a tenant asks for: the body of `POST /api/v1/clusters/provision` and the `spec` of a
/// `ClusterDefinition`, with moxxie's JSON names (`ClusterSpec`, `NodeGroupSpec`,
/// `NodeTemplate`, `PlacementConstraints`, `ProvisioningOptions`) and the seed's additions
/// (`version`, `bootMethod`, `services`, `validation`, `lifecycle`).
///
/// Fields moxxie marks required are optional here so that a missing one is reported by
/// ``ClusterSpecValidation`` with its field path, alongside every other violation.
public struct ClusterSpec: Codable, Hashable, Sendable {
    public var name: String?
    public var type: ClusterType?
    public var version: String?
    public var bootMethod: BootMethod?
    public var nodeGroups: [NodeGroupSpec]?
    public var services: [ServiceSpec]?
    /// Checks `POST …/validate` runs after provisioning; kept as sent (bounded).
    public var validation: JSONValue?
    public var options: ProvisioningOptions?

    public init(
        name: String? = nil, type: ClusterType? = nil, version: String? = nil, bootMethod: BootMethod? = nil,
        nodeGroups: [NodeGroupSpec]? = nil, services: [ServiceSpec]? = nil, validation: JSONValue? = nil,
        options: ProvisioningOptions? = nil
    ) {
        self.name = name
        self.type = type
        self.version = version
        self.bootMethod = bootMethod
        self.nodeGroups = nodeGroups
        self.services = services
        self.validation = validation
        self.options = options
    }
}

/// The distribution a cluster runs.
public struct ClusterType: SpecEnumeration {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let k3s = ClusterType(rawValue: "K3S")
    public static let rke2 = ClusterType(rawValue: "RKE2")
    /// Upstream Kubernetes set up with kubeadm.
    public static let vanilla = ClusterType(rawValue: "VANILLA")
    public static let talos = ClusterType(rawValue: "TALOS")
    public static let okd = ClusterType(rawValue: "OKD")
    /// Virtual machines only: no Kubernetes is installed.
    public static let generic = ClusterType(rawValue: "GENERIC")
    public static let known: [ClusterType] = [.k3s, .rke2, .vanilla, .talos, .okd, .generic]
}

/// How a node's operating system starts.
public struct BootMethod: SpecEnumeration {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// From a disk image, configured at first boot (cloud-init, Talos nocloud, Ignition).
    public static let template = BootMethod(rawValue: "TEMPLATE")
    public static let iso = BootMethod(rawValue: "ISO")
    public static let pxe = BootMethod(rawValue: "PXE")
    public static let hybrid = BootMethod(rawValue: "HYBRID")
    public static let known: [BootMethod] = [.template, .iso, .pxe, .hybrid]
}

/// A set of identical nodes.
public struct NodeGroupSpec: Codable, Hashable, Sendable {
    public var name: String?
    public var role: NodeRole?
    public var count: Int?
    public var template: NodeTemplate?
    public var placement: PlacementConstraints?
    public var lifecycle: NodeLifecycle?

    public init(
        name: String? = nil, role: NodeRole? = nil, count: Int? = nil, template: NodeTemplate? = nil,
        placement: PlacementConstraints? = nil, lifecycle: NodeLifecycle? = nil
    ) {
        self.name = name
        self.role = role
        self.count = count
        self.template = template
        self.placement = placement
        self.lifecycle = lifecycle
    }
}

/// What the nodes of a group do in the cluster.
public struct NodeRole: SpecEnumeration {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let controlPlane = NodeRole(rawValue: "CONTROL_PLANE")
    public static let worker = NodeRole(rawValue: "WORKER")
    public static let infra = NodeRole(rawValue: "INFRA")
    /// OKD's temporary bootstrap machine.
    public static let bootstrap = NodeRole(rawValue: "BOOTSTRAP")
    public static let bastion = NodeRole(rawValue: "BASTION")
    public static let etcd = NodeRole(rawValue: "ETCD")
    public static let known: [NodeRole] = [.controlPlane, .worker, .infra, .bootstrap, .bastion, .etcd]

    /// The value of the `virtyard.io/role` label: `control-plane`, `worker`, `infra`, …
    public var labelValue: String { rawValue.lowercased().replacingOccurrences(of: "_", with: "-") }
}

/// The virtual hardware of each node of a group.
public struct NodeTemplate: Codable, Hashable, Sendable {
    public var cores: Int?
    public var memoryMB: Int?
    public var diskGB: Int?
    public var imageSource: ImageSource?

    public init(cores: Int? = nil, memoryMB: Int? = nil, diskGB: Int? = nil, imageSource: ImageSource? = nil) {
        self.cores = cores
        self.memoryMB = memoryMB
        self.diskGB = diskGB
        self.imageSource = imageSource
    }
}

/// Where a node's root disk comes from: exactly one of the three.
///
/// `{"containerDisk": {"image": "quay.io/containerdisks/ubuntu:24.04"}}`,
/// `{"dataVolume": {"name": "ubuntu-golden"}}` (cloned per node) or
/// `{"vmDiskImage": {"name": "ubuntu-2404"}}` (restored per node from the image's snapshot).
public struct ImageSource: Codable, Hashable, Sendable {
    public struct ContainerDisk: Codable, Hashable, Sendable {
        public var image: String?
        public init(image: String? = nil) { self.image = image }
    }

    /// A DataVolume, PVC or VMDiskImage by name, in the cluster's namespace unless given.
    public struct Reference: Codable, Hashable, Sendable {
        public var name: String?
        public var namespace: String?
        public init(name: String? = nil, namespace: String? = nil) {
            self.name = name
            self.namespace = namespace
        }
    }

    public var containerDisk: ContainerDisk?
    public var dataVolume: Reference?
    public var vmDiskImage: Reference?

    public init(containerDisk: ContainerDisk? = nil, dataVolume: Reference? = nil, vmDiskImage: Reference? = nil) {
        self.containerDisk = containerDisk
        self.dataVolume = dataVolume
        self.vmDiskImage = vmDiskImage
    }

    public static func containerDisk(_ image: String) -> ImageSource { ImageSource(containerDisk: .init(image: image)) }
}

/// How a group's nodes are spread over hosts.
public struct PlacementConstraints: Codable, Hashable, Sendable {
    public var antiAffinity: AntiAffinity?
    public init(antiAffinity: AntiAffinity? = nil) { self.antiAffinity = antiAffinity }
}

/// moxxie's anti-affinity strategies, rendered as pod anti-affinity of the VMs' launcher pods.
public struct AntiAffinity: SpecEnumeration {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let none = AntiAffinity(rawValue: "NONE")
    /// Spread over hosts when possible (moxxie's default).
    public static let soft = AntiAffinity(rawValue: "SOFT")
    /// Never two nodes of the group on one host.
    public static let hard = AntiAffinity(rawValue: "HARD")
    /// Spread over zones, then hosts, when possible.
    public static let zoneAware = AntiAffinity(rawValue: "ZONE_AWARE")
    public static let known: [AntiAffinity] = [.none, .soft, .hard, .zoneAware]
}

/// The lifetime of a group's nodes.
public struct NodeLifecycle: Codable, Hashable, Sendable {
    /// Removed once the cluster is up (OKD's bootstrap node).
    public var temporary: Bool?
    public init(temporary: Bool? = nil) { self.temporary = temporary }
}

/// A supporting service the cluster needs (load balancer, DNS, …), started in `dependsOn`
/// order (``ServiceStartupOrder``).
public struct ServiceSpec: Codable, Hashable, Sendable {
    public var name: String?
    public var type: ServiceType?
    public var configuration: JSONValue?
    public var dependsOn: [String]?
    /// Orders services that do not depend on each other: lower first.
    public var startupOrder: Int?

    public init(
        name: String? = nil, type: ServiceType? = nil, configuration: JSONValue? = nil, dependsOn: [String]? = nil,
        startupOrder: Int? = nil
    ) {
        self.name = name
        self.type = type
        self.configuration = configuration
        self.dependsOn = dependsOn
        self.startupOrder = startupOrder
    }
}

public struct ServiceType: SpecEnumeration {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let loadBalancer = ServiceType(rawValue: "LOAD_BALANCER")
    public static let dns = ServiceType(rawValue: "DNS")
    public static let dhcp = ServiceType(rawValue: "DHCP")
    public static let pxeBoot = ServiceType(rawValue: "PXE_BOOT")
    public static let storage = ServiceType(rawValue: "STORAGE")
    public static let monitoring = ServiceType(rawValue: "MONITORING")
    public static let known: [ServiceType] = [.loadBalancer, .dns, .dhcp, .pxeBoot, .storage, .monitoring]
}

/// moxxie's `ProvisioningOptions`, the parts Virtyard acts on.
public struct ProvisioningOptions: Codable, Hashable, Sendable {
    public var rollbackStrategy: RollbackStrategy?
    /// Return the plan (VMs, Secrets, rendered configurations) without writing anything.
    public var dryRun: Bool?

    public init(rollbackStrategy: RollbackStrategy? = nil, dryRun: Bool? = nil) {
        self.rollbackStrategy = rollbackStrategy
        self.dryRun = dryRun
    }
}

/// What happens to what was created when provisioning fails (moxxie's default: FULL).
public struct RollbackStrategy: SpecEnumeration {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Delete everything created.
    public static let full = RollbackStrategy(rawValue: "FULL")
    /// Keep the nodes that came up.
    public static let partial = RollbackStrategy(rawValue: "PARTIAL")
    /// Leave everything.
    public static let none = RollbackStrategy(rawValue: "NONE")
    /// Keep everything, marked failed, for debugging.
    public static let markFailed = RollbackStrategy(rawValue: "MARK_FAILED")
    public static let known: [RollbackStrategy] = [.full, .partial, .none, .markFailed]
}
