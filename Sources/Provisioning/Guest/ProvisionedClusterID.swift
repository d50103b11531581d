import Crypto
import Foundation

/// The id of the virtual cluster that serves a provisioned cluster in embedded mode: a DNS
/// label of at most 63 characters, unique per namespace and name (`pc-<8 hex>-<name>`, the
/// name cut when it is long).
public enum ProvisionedClusterID {
    public static func make(namespace: String, cluster: String) -> String {
        let digest = SHA256.hash(data: Data("\(namespace)/\(cluster)".utf8))
        let prefix = "pc-" + digest.prefix(4).map { String(format: "%02x", $0) }.joined() + "-"
        let name = cluster.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        var id = prefix + String(name.prefix(63 - prefix.count))
        while id.hasSuffix("-") { id.removeLast() }
        return id
    }
}
