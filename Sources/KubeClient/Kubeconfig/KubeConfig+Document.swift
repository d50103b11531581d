import Foundation

extension KubeConfig {
    /// The kubeconfig a kubectl user is handed: one cluster (its CA inline), one user with a
    /// bearer token, one context, current. Names are the caller's (DNS labels or session ids:
    /// nothing that needs quoting in YAML).
    public static func document(
        server: String, clusterName: String, userName: String, contextName: String, token: String,
        certificateAuthorityPEM: String?, namespace: String? = nil
    ) -> String {
        var cluster = "    server: \(server)\n"
        if let certificateAuthorityPEM {
            cluster += "    certificate-authority-data: \(Data(certificateAuthorityPEM.utf8).base64EncodedString())\n"
        }
        let namespaceLine = namespace.map { "    namespace: \($0)\n" } ?? ""
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: \(clusterName)
              cluster:
            \(cluster)contexts:
            - name: \(contextName)
              context:
                cluster: \(clusterName)
                user: \(userName)
            \(namespaceLine)current-context: \(contextName)
            users:
            - name: \(userName)
              user:
                token: \(token)

            """
    }
}
