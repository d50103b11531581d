import KubeModel

/// k3s and RKE2 as their guests read `config.yaml` and the installer's environment.
enum RancherGuest {
    enum Flavor: String {
        case k3s, rke2

        var configPath: String { "/etc/rancher/\(rawValue)/config.yaml" }
        var type: ClusterType { self == .k3s ? .k3s : .rke2 }
        var name: String { self == .k3s ? "k3s" : "RKE2" }
        var versionVariable: String { self == .k3s ? "INSTALL_K3S_VERSION" : "INSTALL_RKE2_VERSION" }
        /// Where the first server finds a pre-seeded CA.
        var serverCAPath: String { "/var/lib/rancher/\(rawValue)/server/tls/server-ca.crt" }
    }

    static func read(_ text: String, flavor: Flavor, cloudConfig: CloudConfigView) throws(GuestBootError) -> GuestBootConfiguration {
        let name = flavor.name
        let config = try GuestDocument.yamlMapping(text, format: "\(flavor.configPath) YAML")
        guard let rawToken = config["token"]?.scalarText, !rawToken.isEmpty else {
            throw .invalid(distribution: name, reason: "\(flavor.configPath) has no token; the node cannot join or start a cluster")
        }
        guard let version = cloudConfig.environment(flavor.versionVariable), !version.isEmpty else {
            throw .invalid(distribution: name, reason: "the installer is not pinned to a version (\(flavor.versionVariable))")
        }
        guard case .success = ClusterVersion.parse(version, for: flavor.type) else {
            throw .invalid(distribution: name, reason: "\(flavor.versionVariable)=\(version) is not a \(name) version")
        }
        let server = config["server"]?.stringValue
        let endpoint: GuestBootConfiguration.Endpoint?
        if let server {
            guard let parsed = GuestBootConfiguration.Endpoint(server) else {
                throw .invalid(distribution: name, reason: "server \(server) is not a URL")
            }
            endpoint = parsed
        } else {
            endpoint = nil
        }
        // The installer's type; by default a server unless it is told where to join
        // (INSTALL_K3S_EXEC defaults to `agent` with K3S_URL).
        let kind =
            flavor == .k3s
            ? cloudConfig.environment("INSTALL_K3S_EXEC")?.split(separator: " ").first.map(String.init)
            : cloudConfig.environment("INSTALL_RKE2_TYPE")
        let isServer = (kind ?? (server == nil ? "server" : "agent")) == "server"
        if !isServer, endpoint == nil {
            throw .invalid(distribution: name, reason: "an agent needs server: https://<server>:\(flavor == .k3s ? 6443 : 9345)")
        }
        let apiServerOff = config["disable-apiserver"]?.boolValue == true
        var boot = GuestBootConfiguration(
            distribution: flavor.type, role: isServer ? (apiServerOff ? .etcd : .controlPlane) : .worker,
            initialises: isServer && endpoint == nil, nodeName: config["node-name"]?.stringValue ?? cloudConfig.hostname,
            version: version, token: rawToken)
        // The "secure" form K10<CA hash>::<user>:<password> pins the CA; the password is the
        // shared secret.
        if rawToken.hasPrefix("K10"), let separator = rawToken.range(of: "::") {
            boot.k3sCAHash = String(rawToken[rawToken.index(rawToken.startIndex, offsetBy: 3)..<separator.lowerBound])
            let credentials = rawToken[separator.upperBound...]
            boot.token = credentials.firstIndex(of: ":").map { String(credentials[credentials.index(after: $0)...]) } ?? String(credentials)
        }
        boot.endpoint = endpoint
        if isServer { boot.certificateSANs = config["tls-san"]?.stringList ?? [] }
        boot.certificateAuthorityPEM = cloudConfig.files[flavor.serverCAPath]
        boot.labels = try parseLabels(config["node-label"]?.stringList ?? [], distribution: name)
        for taint in config["node-taint"]?.stringList ?? [] { boot.taints.append(try parseTaint(taint, distribution: name)) }
        return boot
    }
}
