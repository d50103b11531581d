/// VANILLA clusters: upstream Kubernetes with kubeadm, configured by `kubeadm.k8s.io/v1beta4`
/// documents a `#cloud-config` writes.
///
/// - The first control plane gets `InitConfiguration` (the join token in
///   `bootstrapTokens`, the `certificateKey` under which `--upload-certs` stores the
///   control-plane certificates) and `ClusterConfiguration` (`kubernetesVersion`,
///   `controlPlaneEndpoint`, the endpoint in `apiServer.certSANs`, `encryptionAlgorithm:
///   ECDSA-P256` to match the CA), and the cluster CA in `/etc/kubernetes/pki/ca.{crt,key}`:
///   kubeadm uses a CA it finds there instead of making one.
/// - Every other node gets `JoinConfiguration` with `discovery.bootstrapToken` {`token`,
///   `apiServerEndpoint`, `caCertHashes`: the SHA-256 of the CA's public key}; additional
///   control planes add `controlPlane.certificateKey`.
/// - A script installs kubelet, kubeadm and kubectl from pkgs.k8s.io pinned to the version
///   and runs `kubeadm init` or `kubeadm join` with the written configuration.
///
/// kubeadm's v1beta4 format needs kubeadm 1.31 or later.
public struct KubeadmProvider: ClusterPlatformProvider {
    public var type: ClusterType { .vanilla }
    public var supportedRoles: [NodeRole] { [.controlPlane, .worker, .infra, .bastion] }
    public var supportedKubernetesMinors: ClosedRange<Int>? { 31...40 }
    public var versionSupportReason: String { "the kubeadm.k8s.io/v1beta4 configuration needs kubeadm 1.31 or later" }

    public static let configPath = "/etc/kubernetes/kubeadm.yaml"
    static let installScriptPath = "/usr/local/sbin/virtyard-kubeadm.sh"

    public init() {}

    public func render(_ node: PlannedNode, in context: ClusterRenderContext) throws(RenderError) -> NodeBootConfiguration {
        if node.role == .bastion { return try GenericProvider().render(node, in: context) }
        let documents: [YAMLNode]
        var files = [NodeIdentity.file(node, context: context)]
        if node.isInitialControlPlane {
            documents = [initConfiguration(node, context), clusterConfiguration(context)]
            let authority = context.secrets.certificateAuthority
            files.append(.init(path: "/etc/kubernetes/pki/ca.crt", content: authority.certificatePEM))
            files.append(.init(path: "/etc/kubernetes/pki/ca.key", content: authority.privateKeyPEM, permissions: "0600"))
        } else {
            documents = [joinConfiguration(node, context)]
        }
        files.append(
            .init(path: Self.configPath, content: documents.map { $0.rendered() }.joined(separator: "---\n"), permissions: "0600"))
        files.append(.init(path: Self.installScriptPath, content: installScript(node, context), permissions: "0700"))
        let cloudConfig = CloudConfig(hostname: node.vmName, files: files, commands: [Self.installScriptPath])
        return NodeBootConfiguration(format: .cloudConfig, text: cloudConfig.rendered())
    }

    func nodeRegistration(_ node: PlannedNode) -> YAMLNode {
        var registration: [(String, YAMLNode)] = [
            ("name", .string(node.vmName)),
            (
                "kubeletExtraArgs",
                .list([.map([("name", "node-labels"), ("value", .string(NodeIdentity.labels(node).joined(separator: ",")))])])
            ),
        ]
        if node.role == .infra {
            registration.append(("taints", .list([.map([("key", "virtyard.io/role"), ("value", "infra"), ("effect", "NoSchedule")])])))
        }
        return .map(registration)
    }

    func initConfiguration(_ node: PlannedNode, _ context: ClusterRenderContext) -> YAMLNode {
        .map([
            ("apiVersion", "kubeadm.k8s.io/v1beta4"),
            ("kind", "InitConfiguration"),
            (
                "bootstrapTokens",
                .list([
                    .map([
                        ("token", .string(context.secrets.bootstrapToken)),
                        ("description", "virtyard join token"),
                        ("ttl", "24h0m0s"),
                        ("usages", .strings(["signing", "authentication"])),
                        ("groups", .strings(["system:bootstrappers:kubeadm:default-node-token"])),
                    ])
                ])
            ),
            ("certificateKey", .string(context.secrets.certificateKey)),
            ("nodeRegistration", nodeRegistration(node)),
        ])
    }

    func clusterConfiguration(_ context: ClusterRenderContext) -> YAMLNode {
        .map([
            ("apiVersion", "kubeadm.k8s.io/v1beta4"),
            ("kind", "ClusterConfiguration"),
            ("clusterName", .string(context.cluster.name)),
            ("kubernetesVersion", .string(context.kubernetesVersion)),
            ("controlPlaneEndpoint", .string("\(context.endpoint):6443")),
            ("apiServer", .map([("certSANs", .strings([context.endpoint]))])),
            ("networking", .map([("podSubnet", "10.244.0.0/16"), ("serviceSubnet", "10.96.0.0/12")])),
            ("encryptionAlgorithm", "ECDSA-P256"),
        ])
    }

    func joinConfiguration(_ node: PlannedNode, _ context: ClusterRenderContext) -> YAMLNode {
        var document: [(String, YAMLNode)] = [
            ("apiVersion", "kubeadm.k8s.io/v1beta4"),
            ("kind", "JoinConfiguration"),
            (
                "discovery",
                .map([
                    (
                        "bootstrapToken",
                        .map([
                            ("token", .string(context.secrets.bootstrapToken)),
                            ("apiServerEndpoint", .string("\(context.endpoint):6443")),
                            ("caCertHashes", .strings([context.secrets.certificateAuthority.publicKeyHash])),
                        ])
                    )
                ])
            ),
            ("nodeRegistration", nodeRegistration(node)),
        ]
        if node.role == .controlPlane {
            document.append(("controlPlane", .map([("certificateKey", .string(context.secrets.certificateKey))])))
        }
        return .map(document)
    }

    /// Installs the pinned packages and runs kubeadm.
    func installScript(_ node: PlannedNode, _ context: ClusterRenderContext) -> String {
        let version = context.cluster.version
        let minor = version.map { "v\($0.major).\($0.minor)" } ?? ""
        let package = version.map { "\($0.major).\($0.minor).\($0.patch)-1.1" } ?? ""
        let command =
            node.isInitialControlPlane
            ? "kubeadm init --config \(Self.configPath) --upload-certs" : "kubeadm join --config \(Self.configPath)"
        return """
            #!/bin/sh
            # Written by Virtyard: installs Kubernetes \(context.kubernetesVersion) and runs kubeadm.
            set -eu
            KUBERNETES_VERSION=\(context.kubernetesVersion)
            mkdir -p /etc/apt/keyrings
            curl -fsSL https://pkgs.k8s.io/core:/stable:/\(minor)/deb/Release.key | gpg --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg
            echo 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/\(minor)/deb/ /' > /etc/apt/sources.list.d/kubernetes.list
            apt-get update
            apt-get install -y containerd kubelet=\(package) kubeadm=\(package) kubectl=\(package)
            apt-mark hold kubelet kubeadm kubectl
            modprobe br_netfilter
            sysctl -w net.ipv4.ip_forward=1
            \(command)

            """
    }
}
