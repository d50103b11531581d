import Foundation
import KubeModel

/// What the node that initialises a cluster defines and every later node is checked
/// against: the distribution, the version its API server runs, the join tokens, the CA and
/// the names on the API server's certificate. Kept inside the cluster (its guests persist
/// it), so nodes can still join after the initialising one is gone (OKD's bootstrap).
public struct GuestClusterIdentity: Hashable, Sendable {
    public var distribution: ClusterType
    /// The version the cluster's API server reports (`/version` `gitVersion`).
    public var version: String
    /// Tokens a joining node may present (k3s/RKE2 `token`, kubeadm's bootstrap tokens,
    /// Talos' `cluster.token`); empty when the distribution asks for none (OKD).
    public var tokens: [String]
    /// Talos' `machine.token`, which trustd checks.
    public var machineToken: String?
    public var certificateAuthorityPEM: String?
    /// `sha256:<hex>` of the CA's public key; nil when the initialising node brought no CA
    /// (the distribution then made its own, which nobody outside can pin).
    public var caPublicKeyHash: String?
    /// The names the API server's certificate carries.
    public var certificateSANs: [String]
    /// The port nodes register on: 6443, RKE2's supervisor 9345, OKD's machine config
    /// server 22623.
    public var joinPort: Int

    /// The names every API server certificate carries besides the configured ones (kubeadm,
    /// k3s and Talos all add them).
    public static let builtinSANs = [
        "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost",
    ]

    /// The cluster `initialiser` starts.
    ///
    /// - Parameter impliedSANs: names the API server answers to beyond its configuration —
    ///   OKD's configs name none, and its machine config server answers as the cluster's API
    ///   Service.
    public init(initialiser boot: GuestBootConfiguration, impliedSANs: [String] = []) {
        distribution = boot.distribution
        version = boot.version
        tokens = boot.bootstrapTokens.isEmpty ? (boot.token.map { [$0] } ?? []) : boot.bootstrapTokens
        machineToken = boot.machineToken
        certificateAuthorityPEM = boot.certificateAuthorityPEM
        caPublicKeyHash = boot.certificateAuthorityPEM.flatMap(CertificatePin.publicKeyHash(ofPEM:))
        var names = boot.certificateSANs + impliedSANs + Self.builtinSANs
        if let nodeName = boot.nodeName { names.append(nodeName) }
        var seen = Set<String>()
        certificateSANs = names.map { $0.lowercased() }.filter { seen.insert($0).inserted }
        joinPort = Self.joinPort(boot.distribution)
    }

    public static func joinPort(_ type: ClusterType) -> Int {
        switch type {
        case .rke2: return 9345
        case .okd: return OKDProvider.machineConfigServerPort
        default: return 6443
        }
    }

    /// Whether the node `boot` may join: the same distribution, its token the cluster's,
    /// the endpoint it dials named by the API server's certificate on the port nodes
    /// register on, and the CA it pins or trusts the cluster's. A node that could itself
    /// initialise (a replaced first control plane, another Talos control plane) must hold
    /// the same token and CA.
    public func admit(_ boot: GuestBootConfiguration) throws(GuestBootError) {
        guard boot.distribution == distribution else {
            throw .distributionMismatch(node: boot.distribution.rawValue, cluster: distribution.rawValue)
        }
        let name = Self.displayName(distribution)
        if !tokens.isEmpty {
            let presented = boot.bootstrapTokens.isEmpty ? (boot.token.map { [$0] } ?? []) : boot.bootstrapTokens
            // Secrets compared in constant time, as a real API server compares them.
            let matches = presented.contains { candidate in tokens.contains { ConstantTime.equals($0, candidate) } }
            guard matches else {
                throw .tokenMismatch(distribution: name, field: Self.tokenField(distribution))
            }
        }
        if let machineToken, !ConstantTime.equals(boot.machineToken ?? "", machineToken) {
            throw .tokenMismatch(distribution: name, field: "machine.token")
        }
        if let endpoint = boot.endpoint, !(boot.initialises && distribution != .talos) {
            if let port = endpoint.port, port != joinPort {
                throw .wrongPort(endpoint: endpoint.description, expected: joinPort)
            }
            guard certificateSANs.contains(endpoint.host) || isWildcardMatch(endpoint.host) else {
                throw .endpointNotInCertificate(endpoint: endpoint.host, names: certificateSANs)
            }
        }
        try checkCertificateAuthority(boot)
    }

    private func checkCertificateAuthority(_ boot: GuestBootConfiguration) throws(GuestBootError) {
        let actual = caPublicKeyHash ?? "unknown (the cluster made its own CA)"
        if !boot.caCertHashes.isEmpty, !boot.skipsCAVerification {
            guard let caPublicKeyHash, boot.caCertHashes.contains(caPublicKeyHash) else {
                throw .certificateAuthorityMismatch(pinned: boot.caCertHashes.joined(separator: ","), actual: actual)
            }
        }
        if let pinned = boot.k3sCAHash {
            guard let certificateAuthorityPEM, CertificatePin.k3sHash(ofPEM: certificateAuthorityPEM) == pinned else {
                throw .certificateAuthorityMismatch(pinned: "K10\(pinned)", actual: actual)
            }
        }
        if let trusted = boot.certificateAuthorityPEM {
            let hash = CertificatePin.publicKeyHash(ofPEM: trusted) ?? "not a certificate"
            guard hash == caPublicKeyHash else { throw .certificateAuthorityMismatch(pinned: hash, actual: actual) }
        }
    }

    private func isWildcardMatch(_ host: String) -> Bool {
        certificateSANs.contains { name in
            name.hasPrefix("*.") && host.hasSuffix(name.dropFirst(1)) && !host.dropLast(name.count - 1).contains(".")
        }
    }

    static func tokenField(_ type: ClusterType) -> String {
        switch type {
        case .vanilla: return "discovery.bootstrapToken.token"
        case .talos: return "cluster.token"
        default: return "token"
        }
    }

    static func displayName(_ type: ClusterType) -> String {
        switch type {
        case .k3s: return "k3s"
        case .rke2: return "RKE2"
        case .vanilla: return "kubeadm"
        case .talos: return "Talos"
        default: return type.rawValue
        }
    }
}

extension GuestClusterIdentity {
    /// The identity as JSON, to keep in the cluster.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "distribution": .string(distribution.rawValue), "version": .string(version),
            "tokens": .array(tokens.map(JSONValue.string)), "certificateSANs": .array(certificateSANs.map(JSONValue.string)),
            "joinPort": .int(Int64(joinPort)),
        ]
        if let machineToken { object["machineToken"] = .string(machineToken) }
        if let certificateAuthorityPEM { object["certificateAuthority"] = .string(certificateAuthorityPEM) }
        return .object(object)
    }

    /// Read back from ``json``; nil when it is not one.
    public init?(json: JSONValue) {
        guard let type = json["distribution"]?.stringValue, let version = json["version"]?.stringValue,
            let port = json["joinPort"]?.intValue
        else { return nil }
        distribution = ClusterType(rawValue: type)
        self.version = version
        tokens = json["tokens"]?.arrayValue?.compactMap(\.stringValue) ?? []
        machineToken = json["machineToken"]?.stringValue
        certificateAuthorityPEM = json["certificateAuthority"]?.stringValue
        caPublicKeyHash = certificateAuthorityPEM.flatMap(CertificatePin.publicKeyHash(ofPEM:))
        certificateSANs = json["certificateSANs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        joinPort = Int(port)
    }
}
