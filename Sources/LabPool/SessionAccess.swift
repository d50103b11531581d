import KubeClient

/// How a session reaches its cluster: a token valid on that cluster only, granted while the
/// session runs, and a kubeconfig carrying it. In embedded mode the token is one of the
/// control-plane VM's virtual cluster; against a real cluster access goes through the
/// platform's proxy.
public protocol SessionAccess: Sendable {
    func grant(token: String, clusterID: String) async
    func revoke(token: String, clusterID: String) async
    /// A kubeconfig for the cluster with the token, as a user's kubectl needs it.
    func kubeconfig(clusterID: String, token: String, sessionName: String) -> String?
    /// A client of the cluster acting with the token (scenario setup and checks); the caller
    /// shuts it down. Nil while the cluster cannot be reached yet (its address is not known).
    func client(clusterID: String, token: String) throws -> HTTPKubernetesClient?
}

/// No access handed out (a probe-only setup, unit tests).
public struct NoSessionAccess: SessionAccess {
    public init() {}
    public func grant(token: String, clusterID: String) async {}
    public func revoke(token: String, clusterID: String) async {}
    public func kubeconfig(clusterID: String, token: String, sessionName: String) -> String? { nil }
    /// Throws rather than answering nil ("not reachable yet"): a scenario's setup must fail
    /// here, not wait for access that never comes.
    public func client(clusterID: String, token: String) throws -> HTTPKubernetesClient? {
        throw NoAccess()
    }

    struct NoAccess: Error, CustomStringConvertible {
        var description: String { "this setup hands out no access to lab clusters" }
    }
}
