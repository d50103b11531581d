import Crypto
import Foundation
import X509

/// What a guest takes from its user data to become a node: which distribution and role, the
/// version it installs, and what it presents and checks when it joins (token, endpoint,
/// pinned CA). Read by ``GuestBootReader``; checked against the cluster by
/// ``GuestClusterIdentity/admit(_:)``.
public struct GuestBootConfiguration: Hashable, Sendable {
    /// What the node becomes.
    public enum Role: String, Hashable, Sendable {
        /// Runs the API server (k3s/RKE2 server, kubeadm control plane, Talos `controlplane`,
        /// OKD master).
        case controlPlane
        /// A k3s/RKE2 server with the API server, controller manager and scheduler disabled.
        case etcd
        case worker
        /// OKD's temporary bootstrap machine: it starts the cluster but is never a Node.
        case bootstrap
    }

    /// Where a joining node dials, as written (`https://host:port`, `host:port`).
    public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int?
        public var description: String { port.map { "\(host):\($0)" } ?? host }

        /// `https://host:port/path`, `host:port`, `[v6]:port` or `host`; nil when no host.
        public init?(_ text: String) {
            var rest = Substring(text.trimmingCharacters(in: .whitespaces))
            if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
            if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
            if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
            var portText: Substring?
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                let after = rest[rest.index(after: close)...]
                if after.hasPrefix(":") { portText = after.dropFirst() }
                rest = rest[rest.index(after: rest.startIndex)..<close]
            } else if let colon = rest.lastIndex(of: ":") {
                portText = rest[rest.index(after: colon)...]
                rest = rest[..<colon]
            }
            guard !rest.isEmpty else { return nil }
            host = rest.lowercased()
            if let portText {
                guard let port = Int(portText), (1...65535).contains(port) else { return nil }
                self.port = port
            } else {
                port = nil
            }
        }
    }

    /// A taint the node registers with.
    public struct Taint: Hashable, Sendable {
        public var key: String
        public var value: String?
        public var effect: String
    }

    public var distribution: ClusterType
    public var role: Role
    /// Whether the node starts the cluster when none exists yet: the first k3s/RKE2 server
    /// (no `server`), kubeadm's `InitConfiguration`, a Talos control plane (it holds the CA
    /// key; `talosctl bootstrap` would pick one), OKD's bootstrap machine.
    public var initialises: Bool
    /// The name the configuration gives the node (`node-name`, `nodeRegistration.name`, the
    /// host name).
    public var nodeName: String?
    /// The version installed, as the distribution writes it (`v1.32.0+k3s1`, `v1.32.0`,
    /// `4.19.0`), from the installer's pin.
    public var version: String
    /// The join token presented (k3s/RKE2 `token`, kubeadm's bootstrap token, Talos
    /// `cluster.token`); nil for OKD, whose machine config server asks for none.
    public var token: String?
    /// Talos' `machine.token` (trustd).
    public var machineToken: String?
    /// kubeadm's accepted bootstrap tokens (`InitConfiguration.bootstrapTokens`).
    public var bootstrapTokens: [String] = []
    /// Where a joining node dials; nil on the node that initialises.
    public var endpoint: Endpoint?
    /// Names the API server's certificate carries on a control plane (`tls-san`,
    /// `apiServer.certSANs`, the control-plane endpoint).
    public var certificateSANs: [String] = []
    /// kubeadm's `caCertHashes` (`sha256:<hex of the CA's SubjectPublicKeyInfo>`).
    public var caCertHashes: [String] = []
    /// kubeadm's `unsafeSkipCAVerification`.
    public var skipsCAVerification = false
    /// The k3s "secure" token's CA hash (`K10<hex>::…`): SHA-256 of the CA bundle's PEM.
    public var k3sCAHash: String?
    /// The cluster CA this node holds or trusts (pre-seeded on the initialising node; Talos'
    /// `cluster.ca.crt`; OKD's trusted authority).
    public var certificateAuthorityPEM: String?
    /// `node-label` and friends, as the kubelet registers them.
    public var labels: [String: String] = [:]
    public var taints: [Taint] = []

    /// Whether the node becomes a Node of the cluster (OKD's bootstrap machine does not).
    public var registers: Bool { role != .bootstrap }
    public var isControlPlane: Bool { role == .controlPlane }
}

/// kubeadm's CA pin of a PEM certificate.
enum CertificatePin {
    /// `sha256:<hex>` of the certificate's SubjectPublicKeyInfo, or nil when it is not a
    /// certificate.
    static func publicKeyHash(ofPEM pem: String) -> String? {
        guard let certificate = try? Certificate(pemEncoded: pem) else { return nil }
        return ClusterCertificateAuthority.publicKeyHash(of: certificate)
    }

    /// k3s' CA hash: the hex SHA-256 of the CA bundle as the server serves it at `/cacerts`.
    static func k3sHash(ofPEM pem: String) -> String {
        SHA256.hash(data: Data(pem.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
