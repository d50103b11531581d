import KubeModel

/// What stands behind a LOAD_BALANCER service, chosen by its `configuration.implementation`:
/// a Kubernetes `LoadBalancer` Service (the default), or a small KubeVirt VM running HAProxy
/// (moxxie's "or an HAProxy VM when asked").
public enum LoadBalancerImplementation: String, CaseIterable, Sendable {
    case service
    case haproxy

    /// The key of a service's `configuration` that chooses.
    public static let configurationKey = "implementation"

    /// The values accepted, for messages: `service, haproxy`.
    static var knownList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The implementation a validated service's configuration asks for (the default when it
    /// names none; validation has refused anything else).
    static func of(_ configuration: JSONValue?) -> LoadBalancerImplementation {
        configuration?[configurationKey]?.stringValue.flatMap(Self.init(rawValue:)) ?? .service
    }
}
