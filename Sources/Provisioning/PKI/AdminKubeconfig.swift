import Foundation

/// The cluster admin's kubeconfig (Secret `<name>-kubeconfig`, key `value`): a client
/// certificate `CN=virtyard-admin, O=system:masters` signed by the cluster CA, trusting that
/// CA for the API server at `https://<endpoint>:6443`.
public enum AdminKubeconfig {
    public static let userName = "virtyard-admin"

    public static func render(
        clusterName: String, endpoint: String, authority: ClusterCertificateAuthority, now: Date,
        random: inout some RandomNumberGenerator
    ) throws(ClusterCertificateAuthority.Failure) -> String {
        let client = try authority.issueClientCertificate(
            commonName: userName, organizations: ["system:masters"], now: now, random: &random)
        let user = "\(userName)@\(clusterName)"
        let document: YAMLNode = .map([
            ("apiVersion", "v1"),
            ("kind", "Config"),
            (
                "clusters",
                .list([
                    .map([
                        ("name", .string(clusterName)),
                        (
                            "cluster",
                            .map([
                                ("server", .string("https://\(endpoint):6443")),
                                ("certificate-authority-data", .string(base64(authority.certificatePEM))),
                            ])
                        ),
                    ])
                ])
            ),
            (
                "users",
                .list([
                    .map([
                        ("name", .string(user)),
                        (
                            "user",
                            .map([
                                ("client-certificate-data", .string(base64(client.certificatePEM))),
                                ("client-key-data", .string(base64(client.privateKeyPEM))),
                            ])
                        ),
                    ])
                ])
            ),
            (
                "contexts",
                .list([
                    .map([
                        ("name", .string(clusterName)),
                        ("context", .map([("cluster", .string(clusterName)), ("user", .string(user))])),
                    ])
                ])
            ),
            ("current-context", .string(clusterName)),
        ])
        return document.rendered()
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
}
