/// Why a simulated guest refuses its boot configuration, worded as the guest's own log would
/// say it: the message goes into the `BootConfigurationRejected` Event on the VM and into the
/// operation's `errorMessage`, so a user reads it without knowing the simulator.
public enum GuestBootError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The user data is larger than any guest reads (``GuestBootReader/maximumBytes``).
    case tooLarge(bytes: Int, limit: Int)
    /// Not YAML (or not JSON for Ignition), or nested or aliased beyond the reader's bounds.
    case unreadable(format: String, reason: String)
    /// A document that parses but is not what the distribution reads.
    case invalid(distribution: String, reason: String)
    /// A joining node's token is not the cluster's.
    case tokenMismatch(distribution: String, field: String)
    /// A joining node dials a host the API server's certificate does not name.
    case endpointNotInCertificate(endpoint: String, names: [String])
    /// A joining node dials the right host on the wrong port.
    case wrongPort(endpoint: String, expected: Int)
    /// A joining node pins (or trusts) another CA than the cluster's.
    case certificateAuthorityMismatch(pinned: String, actual: String)
    /// A node of one distribution asked to join a cluster of another.
    case distributionMismatch(node: String, cluster: String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            return "the user data is \(bytes) bytes; a guest reads at most \(limit)"
        case .unreadable(let format, let reason):
            return "the user data is not valid \(format): \(Self.cut(reason))"
        case .invalid(let distribution, let reason):
            return "\(distribution): \(Self.cut(reason))"
        case .tokenMismatch(let distribution, let field):
            return "\(distribution): \(field) does not match the cluster's token; the node cannot join"
        case .endpointNotInCertificate(let endpoint, let names):
            let listed = names.prefix(8).joined(separator: ", ")
            return
                "x509: certificate is valid for \(listed), not \(Self.cut(endpoint)): the node dials an API endpoint the server certificate does not name"
        case .wrongPort(let endpoint, let expected):
            return "nothing answers the join at \(Self.cut(endpoint)): the cluster registers nodes on port \(expected)"
        case .certificateAuthorityMismatch(let pinned, let actual):
            return
                "the cluster CA does not match the pinned CA: pinned \(Self.cut(pinned)), the cluster's is \(actual); the node refuses to join"
        case .distributionMismatch(let node, let cluster):
            return "a \(node) node cannot join a \(cluster) cluster"
        }
    }

    /// Values echoed from hostile input stay short.
    static func cut(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(200)) + "…"
    }
}
