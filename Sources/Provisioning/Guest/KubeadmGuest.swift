import KubeModel

/// kubeadm's configuration file as `kubeadm init --config` / `kubeadm join --config` reads
/// it, and the kubelet package the install script pins.
enum KubeadmGuest {
    static let name = "kubeadm"
    static let apiVersions: Set<String> = ["kubeadm.k8s.io/v1beta4", "kubeadm.k8s.io/v1beta3"]
    /// Documents kubeadm reads from the same file besides its own.
    static let componentKinds: Set<String> = ["KubeletConfiguration", "KubeProxyConfiguration"]

    static func read(_ text: String, cloudConfig: CloudConfigView) throws(GuestBootError) -> GuestBootConfiguration {
        let documents = try GuestDocument.yamlDocuments(text, format: "\(KubeadmProvider.configPath) YAML")
        var byKind: [String: JSONValue] = [:]
        for document in documents {
            let kind = document["kind"]?.stringValue ?? ""
            let apiVersion = document["apiVersion"]?.stringValue ?? ""
            if componentKinds.contains(kind) { continue }
            guard apiVersions.contains(apiVersion) else {
                throw .invalid(
                    distribution: name,
                    reason: "apiVersion \"\(apiVersion)\" of \(kind.isEmpty ? "a document" : kind) is not kubeadm.k8s.io/v1beta4")
            }
            guard ["InitConfiguration", "ClusterConfiguration", "JoinConfiguration"].contains(kind) else {
                throw .invalid(distribution: name, reason: "no kind \"\(kind)\" is registered for version \"\(apiVersion)\"")
            }
            guard byKind[kind] == nil else { throw .invalid(distribution: name, reason: "more than one \(kind)") }
            byKind[kind] = document
        }
        let initConfiguration = byKind["InitConfiguration"]
        let join = byKind["JoinConfiguration"]
        if initConfiguration != nil, join != nil {
            throw .invalid(distribution: name, reason: "the file holds both an InitConfiguration and a JoinConfiguration")
        }
        let cluster = byKind["ClusterConfiguration"]
        let registration = (initConfiguration ?? join)?["nodeRegistration"]
        let pinned =
            cloudConfig.files.values.lazy.compactMap { ShellWords.packageVersion("kubelet", in: $0) }.first
            ?? cloudConfig.commands.lazy.compactMap { ShellWords.packageVersion("kubelet", in: $0) }.first
        let version = pinned.map { "v" + $0 } ?? cluster?["kubernetesVersion"]?.stringValue
        guard let version, case .success = ClusterVersion.parse(version, for: .vanilla) else {
            throw .invalid(distribution: name, reason: "no Kubernetes version is pinned (kubelet package or kubernetesVersion)")
        }

        var boot: GuestBootConfiguration
        if let initConfiguration {
            guard let cluster else { throw .invalid(distribution: name, reason: "an InitConfiguration needs its ClusterConfiguration") }
            let tokens = (initConfiguration["bootstrapTokens"]?.arrayValue ?? []).compactMap { $0["token"]?.stringValue }
            for token in tokens where !ClusterSecrets.isBootstrapToken(token) {
                throw .invalid(
                    distribution: name,
                    reason: "bootstrapTokens: the bootstrap token \"\(token)\" was not of the form \"[a-z0-9]{6}.[a-z0-9]{16}\"")
            }
            if let clusterVersion = cluster["kubernetesVersion"]?.stringValue, clusterVersion != version {
                throw .invalid(
                    distribution: name,
                    reason: "kubernetesVersion \(clusterVersion) is not the installed kubelet \(version)")
            }
            boot = GuestBootConfiguration(
                distribution: .vanilla, role: .controlPlane, initialises: true,
                nodeName: registration?["name"]?.stringValue ?? cloudConfig.hostname, version: version, token: tokens.first)
            boot.bootstrapTokens = tokens
            boot.certificateSANs = cluster[path: ["apiServer", "certSANs"]]?.stringList ?? []
            // kubeadm puts the control-plane endpoint's host into the serving certificate itself.
            if let endpoint = cluster["controlPlaneEndpoint"]?.stringValue.flatMap(GuestBootConfiguration.Endpoint.init) {
                boot.certificateSANs.append(endpoint.host)
            }
            boot.certificateAuthorityPEM = cloudConfig.files["/etc/kubernetes/pki/ca.crt"]
        } else if let join {
            guard let discovery = join[path: ["discovery", "bootstrapToken"]] else {
                throw .invalid(
                    distribution: name, reason: "JoinConfiguration.discovery.bootstrapToken is required (file discovery is not read)")
            }
            guard let token = discovery["token"]?.stringValue, ClusterSecrets.isBootstrapToken(token) else {
                throw .invalid(distribution: name, reason: "discovery.bootstrapToken.token is not of the form \"[a-z0-9]{6}.[a-z0-9]{16}\"")
            }
            guard let endpointText = discovery["apiServerEndpoint"]?.stringValue,
                let endpoint = GuestBootConfiguration.Endpoint(endpointText)
            else {
                throw .invalid(distribution: name, reason: "discovery.bootstrapToken.apiServerEndpoint is required")
            }
            let hashes = discovery["caCertHashes"]?.stringList ?? []
            let skip = discovery["unsafeSkipCAVerification"]?.boolValue == true
            if hashes.isEmpty, !skip {
                throw .invalid(
                    distribution: name,
                    reason:
                        "discovery.bootstrapToken: using token-based discovery without caCertHashes can be unsafe; set unsafeSkipCAVerification to continue"
                )
            }
            let controlPlane = join["controlPlane"] != nil
            boot = GuestBootConfiguration(
                distribution: .vanilla, role: controlPlane ? .controlPlane : .worker, initialises: false,
                nodeName: registration?["name"]?.stringValue ?? cloudConfig.hostname, version: version, token: token)
            boot.endpoint = endpoint
            boot.caCertHashes = hashes
            boot.skipsCAVerification = skip
        } else {
            throw .invalid(
                distribution: name, reason: "\(KubeadmProvider.configPath) has neither an InitConfiguration nor a JoinConfiguration")
        }
        for argument in registration?["kubeletExtraArgs"]?.arrayValue ?? [] where argument["name"]?.stringValue == "node-labels" {
            boot.labels = try parseLabels(argument["value"]?.stringList ?? [], distribution: name)
        }
        for taint in registration?["taints"]?.arrayValue ?? [] {
            guard let key = taint["key"]?.stringValue, let effect = taint["effect"]?.stringValue else {
                throw .invalid(distribution: name, reason: "nodeRegistration.taints needs key and effect")
            }
            boot.taints.append(.init(key: key, value: taint["value"]?.stringValue, effect: effect))
        }
        return boot
    }
}
