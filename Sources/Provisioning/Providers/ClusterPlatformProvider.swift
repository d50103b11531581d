import Foundation

/// How one distribution's nodes are configured: which boot methods and roles it supports and
/// what each node reads at first boot. One provider per ``ClusterType``
/// (``ClusterPlatformProviders``), as moxxie's `ClusterPlatformProvider` interface, minus the
/// I/O: providers render, the controller writes.
public protocol ClusterPlatformProvider: Sendable {
    var type: ClusterType { get }
    var supportedBootMethods: [BootMethod] { get }
    var supportedRoles: [NodeRole] { get }
    /// Kubernetes minor versions (of 1.x) the rendered configuration works with; nil when
    /// the type has no such bound (OKD, GENERIC).
    var supportedKubernetesMinors: ClosedRange<Int>? { get }
    /// Why ``supportedKubernetesMinors`` is what it is, for the violation message.
    var versionSupportReason: String { get }

    /// The boot configuration of `node`.
    func render(_ node: PlannedNode, in context: ClusterRenderContext) throws(RenderError) -> NodeBootConfiguration
}

extension ClusterPlatformProvider {
    public var supportedBootMethods: [BootMethod] { [.template] }
    public var supportedKubernetesMinors: ClosedRange<Int>? { nil }
    public var versionSupportReason: String { "" }
}

/// What a provider renders with: the validated specification, where the API server answers,
/// and the cluster's secrets.
public struct ClusterRenderContext: Sendable {
    public var cluster: ValidatedClusterSpec
    /// Host name (or address) of the cluster's API, without scheme or port: it goes into the
    /// API server certificate's SANs and every joining node's server URL.
    public var endpoint: String
    public var secrets: ClusterSecrets

    public init(cluster: ValidatedClusterSpec, endpoint: String, secrets: ClusterSecrets) {
        self.cluster = cluster
        self.endpoint = endpoint
        self.secrets = secrets
    }

    /// The version as the distribution writes it (validated for every type but GENERIC).
    var version: String { cluster.version?.text ?? "" }
    var kubernetesVersion: String { cluster.version?.kubernetesVersion ?? "" }
}

/// A rendered boot configuration and how the guest reads it.
public struct NodeBootConfiguration: Hashable, Sendable {
    public enum Format: String, Hashable, Sendable, CaseIterable {
        /// `#cloud-config` user data (k3s, RKE2, kubeadm, GENERIC, bastions).
        case cloudConfig
        /// A Talos v1alpha1 machine config, read from the NoCloud user data.
        case talosMachineConfig
        /// An Ignition config (OKD), read from the config drive.
        case ignition

        /// The `--kind` of `check-bootconfig` for this format.
        public var checkKind: String {
            switch self {
            case .cloudConfig: return "cloud-config"
            case .talosMachineConfig: return "talos"
            case .ignition: return "ignition"
            }
        }

        /// The KubeVirt volume source that hands it to the guest: `cloudInitNoCloud` for
        /// cloud-init and Talos' nocloud platform, `cloudInitConfigDrive` for Ignition.
        public var volumeSource: String {
            self == .ignition ? "cloudInitConfigDrive" : "cloudInitNoCloud"
        }
    }

    public var format: Format
    public var text: String

    public init(format: Format, text: String) {
        self.format = format
        self.text = text
    }
}

/// A node the provider cannot render, with the reason.
public struct RenderError: Error, Hashable, Sendable, CustomStringConvertible {
    public var node: String
    public var reason: String
    public var description: String { "cannot render the boot configuration of \(node): \(reason)" }
}

/// The provider of each cluster type.
public enum ClusterPlatformProviders {
    public static func provider(for type: ClusterType) -> any ClusterPlatformProvider {
        switch type {
        case .k3s: return RancherProvider(flavor: .k3s)
        case .rke2: return RancherProvider(flavor: .rke2)
        case .vanilla: return KubeadmProvider()
        case .talos: return TalosProvider()
        case .okd: return OKDProvider()
        default: return GenericProvider()
        }
    }
}

/// Labels and the per-node file every provider writes, so a node says which cluster and
/// group it belongs to.
enum NodeIdentity {
    /// Kubelets may not set `node-role.kubernetes.io/*` on themselves (NodeRestriction), so
    /// the group and role go under `virtyard.io/`; the distribution adds its own role labels.
    static func labels(_ node: PlannedNode) -> [String] {
        ["virtyard.io/node-group=\(node.group.name)", "virtyard.io/role=\(node.role.labelValue)"]
    }

    /// INFRA nodes keep ordinary workloads off, as OpenShift's infra nodes do.
    static func taints(_ node: PlannedNode) -> [String] {
        node.role == .infra ? ["virtyard.io/role=infra:NoSchedule"] : []
    }

    static func file(_ node: PlannedNode, context: ClusterRenderContext) -> CloudConfig.File {
        CloudConfig.File(
            path: "/etc/virtyard/node.env",
            content: """
                VIRTYARD_CLUSTER=\(context.cluster.name)
                VIRTYARD_CLUSTER_TYPE=\(context.cluster.type.rawValue)
                VIRTYARD_CLUSTER_VERSION=\(context.version)
                VIRTYARD_NODE_GROUP=\(node.group.name)
                VIRTYARD_NODE_ROLE=\(node.role.rawValue)

                """)
    }
}
