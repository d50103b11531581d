import Foundation

/// TALOS clusters: Talos v1alpha1 machine configs (Talos 1.9), read by Talos' nocloud
/// platform from the NoCloud user data.
///
/// Every node: `machine.type` (`controlplane` or `worker`), `machine.token`, `machine.ca.crt`,
/// `machine.kubelet.image` `ghcr.io/siderolabs/kubelet:<version>`, `machine.install.image`
/// (the Talos 1.9 installer), `cluster.id`, `cluster.secret`, `cluster.token`,
/// `cluster.ca.crt`, `cluster.controlPlane.endpoint` `https://<endpoint>:6443`.
///
/// Control planes also carry the private material `talosctl gen config` puts only in
/// `controlplane.yaml`: the CA keys (Kubernetes, Talos API, etcd, aggregator), the service
/// account key, the secretbox key, and the control-plane component images pinned to the
/// version. Workers carry **no private key** at all: they get their certificates from trustd
/// with `machine.token`.
public struct TalosProvider: ClusterPlatformProvider {
    public var type: ClusterType { .talos }
    public var supportedRoles: [NodeRole] { [.controlPlane, .worker, .infra, .bastion] }
    /// Talos 1.9 supports Kubernetes 1.27 to 1.32 (Talos support matrix).
    public var supportedKubernetesMinors: ClosedRange<Int>? { 27...32 }
    public var versionSupportReason: String { "Talos 1.9 supports Kubernetes 1.27 to 1.32" }

    /// The Talos release whose installer the nodes install.
    public static let talosVersion = "v1.9.5"

    public init() {}

    public func render(_ node: PlannedNode, in context: ClusterRenderContext) throws(RenderError) -> NodeBootConfiguration {
        if node.role == .bastion { return try GenericProvider().render(node, in: context) }
        guard let talos = context.secrets.talos else {
            throw RenderError(node: node.vmName, reason: "the cluster's secrets have no Talos part")
        }
        let controlPlane = node.role == .controlPlane
        let version = context.kubernetesVersion
        let authority = context.secrets.certificateAuthority

        var machine: [(String, YAMLNode)] = [
            ("type", .string(controlPlane ? "controlplane" : "worker")),
            ("token", .string(talos.machineToken)),
            ("ca", Self.pair(talos.machineCA, withKey: controlPlane)),
            ("certSANs", .strings([context.endpoint])),
            ("kubelet", .map([("image", .string("ghcr.io/siderolabs/kubelet:\(version)"))])),
            ("network", .map([("hostname", .string(node.vmName))])),
            ("install", .map([("disk", "/dev/vda"), ("image", .string("ghcr.io/siderolabs/installer:\(Self.talosVersion)"))])),
            ("nodeLabels", .map(NodeIdentity.labels(node).map(Self.keyValue))),
        ]
        if node.role == .infra {
            machine.append(("nodeTaints", .map([("virtyard.io/role", "infra:NoSchedule")])))
        }

        var cluster: [(String, YAMLNode)] = [
            ("id", .string(talos.clusterID)),
            ("secret", .string(talos.clusterSecret)),
            ("controlPlane", .map([("endpoint", .string("https://\(context.endpoint):6443"))])),
            ("clusterName", .string(context.cluster.name)),
            (
                "network",
                .map([
                    ("dnsDomain", "cluster.local"),
                    ("podSubnets", .strings(["10.244.0.0/16"])),
                    ("serviceSubnets", .strings(["10.96.0.0/12"])),
                ])
            ),
            ("token", .string(context.secrets.bootstrapToken)),
            ("ca", Self.pair(authority, withKey: controlPlane)),
        ]
        if controlPlane {
            cluster += [
                ("secretboxEncryptionSecret", .string(talos.secretboxEncryptionSecret)),
                ("aggregatorCA", Self.pair(talos.aggregatorCA, withKey: true)),
                ("serviceAccount", .map([("key", .string(Self.base64(talos.serviceAccountKeyPEM)))])),
                (
                    "apiServer",
                    .map([
                        ("image", .string("registry.k8s.io/kube-apiserver:\(version)")),
                        ("certSANs", .strings([context.endpoint])),
                    ])
                ),
                ("controllerManager", .map([("image", .string("registry.k8s.io/kube-controller-manager:\(version)"))])),
                ("scheduler", .map([("image", .string("registry.k8s.io/kube-scheduler:\(version)"))])),
                ("proxy", .map([("image", .string("registry.k8s.io/kube-proxy:\(version)"))])),
                ("etcd", .map([("ca", Self.pair(talos.etcdCA, withKey: true))])),
            ]
        }
        let document: YAMLNode = .map([
            ("version", "v1alpha1"),
            ("debug", false),
            ("machine", .map(machine)),
            ("cluster", .map(cluster)),
        ])
        return NodeBootConfiguration(format: .talosMachineConfig, text: document.rendered())
    }

    /// `{crt, key}` base64-encoded PEM, as Talos stores certificates; without the key when
    /// the node must not hold it.
    static func pair(_ authority: ClusterCertificateAuthority, withKey: Bool) -> YAMLNode {
        var fields: [(String, YAMLNode)] = [("crt", .string(base64(authority.certificatePEM)))]
        if withKey { fields.append(("key", .string(base64(authority.privateKeyPEM)))) }
        return .map(fields)
    }

    static func keyValue(_ label: String) -> (String, YAMLNode) {
        let parts = label.split(separator: "=", maxSplits: 1)
        return (String(parts[0]), .string(parts.count > 1 ? String(parts[1]) : ""))
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}
