import Foundation

extension ClusterSecrets {
    /// The data of Secret `<name>-bootstrap` (before base64): the join token and the rest of
    /// what the nodes share besides the CA, so the controller renders the same
    /// configurations after a restart.
    public var bootstrapSecretData: [String: String] {
        var data = ["token": bootstrapToken, "certificate-key": certificateKey]
        if let talos {
            data["talos-machine-token"] = talos.machineToken
            data["talos-cluster-id"] = talos.clusterID
            data["talos-cluster-secret"] = talos.clusterSecret
            data["talos-secretbox-secret"] = talos.secretboxEncryptionSecret
            data["talos-service-account.key"] = talos.serviceAccountKeyPEM
            for (name, authority) in [("machine", talos.machineCA), ("etcd", talos.etcdCA), ("aggregator", talos.aggregatorCA)] {
                data["talos-\(name)-ca.crt"] = authority.certificatePEM
                data["talos-\(name)-ca.key"] = authority.privateKeyPEM
            }
        }
        return data
    }

    /// Reads the secrets back from the decoded data of `<name>-ca` and `<name>-bootstrap`.
    public init(caSecretData ca: [String: String], bootstrapSecretData data: [String: String]) throws(ClusterCertificateAuthority.Failure) {
        func required(_ key: String, in data: [String: String], secret: String) throws(ClusterCertificateAuthority.Failure) -> String {
            guard let value = data[key], !value.isEmpty else {
                throw ClusterCertificateAuthority.Failure(description: "Secret \(secret) has no \(key)")
            }
            return value
        }
        let authority = try ClusterCertificateAuthority(
            certificatePEM: try required("tls.crt", in: ca, secret: "<name>-ca"),
            privateKeyPEM: try required("tls.key", in: ca, secret: "<name>-ca"))
        let token = try required("token", in: data, secret: "<name>-bootstrap")
        guard ClusterSecrets.isBootstrapToken(token) else {
            throw ClusterCertificateAuthority.Failure(description: "Secret <name>-bootstrap: token is not [a-z0-9]{6}.[a-z0-9]{16}")
        }
        var talos: TalosSecrets?
        if data["talos-machine-token"] != nil {
            func authority(_ name: String) throws(ClusterCertificateAuthority.Failure) -> ClusterCertificateAuthority {
                try ClusterCertificateAuthority(
                    certificatePEM: try required("talos-\(name)-ca.crt", in: data, secret: "<name>-bootstrap"),
                    privateKeyPEM: try required("talos-\(name)-ca.key", in: data, secret: "<name>-bootstrap"))
            }
            talos = TalosSecrets(
                machineCA: try authority("machine"), etcdCA: try authority("etcd"), aggregatorCA: try authority("aggregator"),
                serviceAccountKeyPEM: try required("talos-service-account.key", in: data, secret: "<name>-bootstrap"),
                machineToken: try required("talos-machine-token", in: data, secret: "<name>-bootstrap"),
                clusterID: try required("talos-cluster-id", in: data, secret: "<name>-bootstrap"),
                clusterSecret: try required("talos-cluster-secret", in: data, secret: "<name>-bootstrap"),
                secretboxEncryptionSecret: try required("talos-secretbox-secret", in: data, secret: "<name>-bootstrap"))
        }
        self.init(
            certificateAuthority: authority, bootstrapToken: token,
            certificateKey: try required("certificate-key", in: data, secret: "<name>-bootstrap"), talos: talos)
    }
}
