import Foundation

extension KubeConfig {
    /// Where Kubernetes mounts a pod's service-account token, CA and namespace.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    static let inClusterHostVariable = "KUBERNETES_SERVICE_HOST"
    static let inClusterPortVariable = "KUBERNETES_SERVICE_PORT"

    /// The configuration of a pod talking to its own cluster, as client-go's
    /// `InClusterConfig`: the API address from `KUBERNETES_SERVICE_HOST` and
    /// `KUBERNETES_SERVICE_PORT`, the service-account `token` (kept as a token *file*, so
    /// the projected token's rotation is followed), `ca.crt` and `namespace`.
    ///
    /// - Parameters:
    ///   - environment: Where the two variables are read; injectable for tests.
    ///   - serviceAccountDirectory: Where the service-account files are; injectable for tests.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = KubeConfig.serviceAccountDirectory
    )
        throws(KubeConfigError) -> KubeConfig
    {
        guard let host = environment[inClusterHostVariable], !host.isEmpty,
            let port = environment[inClusterPortVariable], !port.isEmpty
        else {
            throw KubeConfigError.notInCluster(
                reason: "\(inClusterHostVariable) and \(inClusterPortVariable) must be set")
        }
        let directory = serviceAccountDirectory
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        _ = try readToken(tokenPath)
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        let certificateAuthority = try MergedKubeconfig.readCertificate(caPath, field: "service-account ca.crt")
        let namespacePath = (directory as NSString).appendingPathComponent("namespace")
        let namespace = (try? String(contentsOfFile: namespacePath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let address = host.contains(":") ? "[\(host)]" : host
        return KubeConfig(
            server: "https://\(address):\(port)",
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace,
            tls: TLS(certificateAuthorityPEM: certificateAuthority),
            credentials: Credentials(tokenFile: tokenPath),
            source: "in-cluster")
    }
}
