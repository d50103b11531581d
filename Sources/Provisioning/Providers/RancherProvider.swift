/// K3S and RKE2: a `#cloud-config` that writes the distribution's `config.yaml` and runs
/// its installer pinned to the requested version.
///
/// - `token`: the cluster's join token on every node.
/// - `tls-san`: the API endpoint, on servers.
/// - `server`: on every node but the first control plane — `https://<endpoint>:6443` for
///   k3s, `:9345` (RKE2's supervisor port) for RKE2.
/// - `node-name`, `node-label` (`virtyard.io/node-group`, `virtyard.io/role`), `node-taint`
///   (INFRA nodes).
/// - The first k3s server also gets `cluster-init: true` (embedded etcd, so more servers
///   can join).
/// - ETCD nodes are servers with the API server, controller manager and scheduler off.
///
/// The cluster CA is pre-seeded on the first server as both `server-ca` and `client-ca`
/// under `/var/lib/rancher/<k3s|rke2>/server/tls/`: k3s and RKE2 use CA files they find
/// there and generate only the missing ones (request-header and etcd CAs), so the API
/// server's certificate and the admin kubeconfig's client certificate chain to the CA in
/// the `<name>-ca` Secret. Joining servers receive the CAs from the datastore.
public struct RancherProvider: ClusterPlatformProvider {
    public enum Flavor: String, Sendable {
        case k3s, rke2
    }

    public var flavor: Flavor
    public var type: ClusterType { flavor == .k3s ? .k3s : .rke2 }
    public var supportedRoles: [NodeRole] { [.controlPlane, .worker, .infra, .etcd, .bastion] }

    public init(flavor: Flavor) { self.flavor = flavor }

    /// `/etc/rancher/k3s/config.yaml` or `/etc/rancher/rke2/config.yaml`.
    public var configPath: String { "/etc/rancher/\(flavor.rawValue)/config.yaml" }
    var tlsDirectory: String { "/var/lib/rancher/\(flavor.rawValue)/server/tls" }
    /// Port joining nodes register on: the API server for k3s, the supervisor for RKE2.
    public var joinPort: Int { flavor == .k3s ? 6443 : 9345 }

    public func render(_ node: PlannedNode, in context: ClusterRenderContext) throws(RenderError) -> NodeBootConfiguration {
        if node.role == .bastion { return try GenericProvider().render(node, in: context) }
        let isServer = node.role == .controlPlane || node.role == .etcd
        var config: [(String, YAMLNode)] = [("token", .string(context.secrets.bootstrapToken))]
        if !node.isInitialControlPlane {
            config.append(("server", .string("https://\(context.endpoint):\(joinPort)")))
        } else if flavor == .k3s {
            config.append(("cluster-init", true))
        }
        config.append(("node-name", .string(node.vmName)))
        if isServer {
            config.append(("tls-san", .strings([context.endpoint])))
            config.append(("write-kubeconfig-mode", "0600"))
        }
        if node.role == .etcd {
            config += [("disable-apiserver", true), ("disable-controller-manager", true), ("disable-scheduler", true)]
        }
        config.append(("node-label", .strings(NodeIdentity.labels(node))))
        let taints = NodeIdentity.taints(node)
        if !taints.isEmpty { config.append(("node-taint", .strings(taints))) }

        var files = [
            NodeIdentity.file(node, context: context),
            CloudConfig.File(path: configPath, content: YAMLNode.map(config).rendered(), permissions: "0600"),
        ]
        if node.isInitialControlPlane {
            let authority = context.secrets.certificateAuthority
            for name in ["server-ca", "client-ca"] {
                files.append(.init(path: "\(tlsDirectory)/\(name).crt", content: authority.certificatePEM))
                files.append(.init(path: "\(tlsDirectory)/\(name).key", content: authority.privateKeyPEM, permissions: "0600"))
            }
        }
        let cloudConfig = CloudConfig(hostname: node.vmName, files: files, commands: installCommands(isServer: isServer, context))
        return NodeBootConfiguration(format: .cloudConfig, text: cloudConfig.rendered())
    }

    /// The installer, pinned: `INSTALL_K3S_VERSION` / `INSTALL_RKE2_VERSION`.
    func installCommands(isServer: Bool, _ context: ClusterRenderContext) -> [String] {
        let version = context.version
        switch flavor {
        case .k3s:
            let exec = isServer ? "server" : "agent"
            return ["curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION='\(version)' INSTALL_K3S_EXEC='\(exec)' sh -"]
        case .rke2:
            let service = isServer ? "rke2-server" : "rke2-agent"
            return [
                "curl -sfL https://get.rke2.io | INSTALL_RKE2_VERSION='\(version)' INSTALL_RKE2_TYPE='\(isServer ? "server" : "agent")' sh -",
                "systemctl enable --now \(service).service",
            ]
        }
    }
}
