import Crypto
import Foundation

/// Everything secret a cluster's nodes share, made once per cluster and kept in the Secrets
/// `<name>-ca` and `<name>-bootstrap`: the CA, the join token, and the distribution-specific
/// material (kubeadm's certificate key, Talos' tokens and keys).
public struct ClusterSecrets: Sendable {
    /// The cluster's Kubernetes CA: it signs the API server's certificate (pre-seeded into
    /// the first control plane) and the admin kubeconfig's client certificate.
    public var certificateAuthority: ClusterCertificateAuthority
    /// The join token, kubeadm's bootstrap token format `[a-z0-9]{6}.[a-z0-9]{16}`; k3s and
    /// RKE2 use it as their shared `token`, Talos as `cluster.token`.
    public var bootstrapToken: String
    /// kubeadm's `certificateKey` (64 hex digits): additional control planes fetch the
    /// uploaded control-plane certificates with it.
    public var certificateKey: String
    /// Talos-only secrets; nil for other distributions.
    public var talos: TalosSecrets?

    /// Makes a new set for a cluster of `type`.
    public static func generate(
        clusterName: String, type: ClusterType, now: Date, random: inout some RandomNumberGenerator
    ) throws(ClusterCertificateAuthority.Failure) -> ClusterSecrets {
        let authority = try ClusterCertificateAuthority(commonName: "\(clusterName)-ca", now: now, random: &random)
        let token = makeBootstrapToken(&random)
        let certificateKey = random.bytes(32).map { String(format: "%02x", $0) }.joined()
        let talos = type == .talos ? try TalosSecrets.generate(clusterName: clusterName, now: now, random: &random) : nil
        return ClusterSecrets(certificateAuthority: authority, bootstrapToken: token, certificateKey: certificateKey, talos: talos)
    }

    /// `[a-z0-9]{6}.[a-z0-9]{16}` (kubeadm's and Talos' token format).
    public static func makeBootstrapToken(_ random: inout some RandomNumberGenerator) -> String {
        random.string(6, from: tokenAlphabet) + "." + random.string(16, from: tokenAlphabet)
    }

    static let tokenAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// Whether `token` has the bootstrap token format.
    public static func isBootstrapToken(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let allowed = Set(tokenAlphabet)
        return parts.count == 2 && parts[0].count == 6 && parts[1].count == 16
            && parts.allSatisfy { $0.allSatisfy { allowed.contains($0) } }
    }
}

/// The secrets of a Talos cluster besides the Kubernetes CA, in the forms `talosctl gen
/// secrets` makes: the Talos API CA (machine.ca), the etcd and aggregator CAs, the service
/// account key, the trustd token (machine.token), and the cluster id, discovery secret and
/// secretbox key (32 random bytes, base64).
public struct TalosSecrets: Sendable {
    public var machineCA: ClusterCertificateAuthority
    public var etcdCA: ClusterCertificateAuthority
    public var aggregatorCA: ClusterCertificateAuthority
    /// SEC 1 PEM of the service account signing key (ECDSA P-256).
    public var serviceAccountKeyPEM: String
    /// `machine.token`: the trustd token nodes present to get their Talos API certificates.
    public var machineToken: String
    public var clusterID: String
    public var clusterSecret: String
    public var secretboxEncryptionSecret: String

    static func generate(
        clusterName: String, now: Date, random: inout some RandomNumberGenerator
    ) throws(ClusterCertificateAuthority.Failure) -> TalosSecrets {
        TalosSecrets(
            machineCA: try ClusterCertificateAuthority(commonName: "talos", now: now, random: &random),
            etcdCA: try ClusterCertificateAuthority(commonName: "etcd", now: now, random: &random),
            aggregatorCA: try ClusterCertificateAuthority(commonName: "front-proxy", now: now, random: &random),
            serviceAccountKeyPEM: ClusterCertificateAuthority.sec1PEM(ClusterCertificateAuthority.makeKey(&random)),
            machineToken: ClusterSecrets.makeBootstrapToken(&random),
            clusterID: Data(random.bytes(32)).base64EncodedString(),
            clusterSecret: Data(random.bytes(32)).base64EncodedString(),
            secretboxEncryptionSecret: Data(random.bytes(32)).base64EncodedString())
    }
}
