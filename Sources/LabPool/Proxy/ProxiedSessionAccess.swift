import AsyncHTTPClient
import Foundation
import KubeClient
import KubeModel
import NIOCore
import NIOHTTP1
import Synchronization

/// Against a real cluster a session reaches its lab cluster through the platform's proxy
/// (``LabClusterProxy``): its kubeconfig names `<platform>/clusters/<id>` and carries the
/// session token; the proxy admits the token while the session holds the cluster. Nothing
/// is handed to the cluster itself, so granting is nothing more than the session running,
/// and revoking cuts this replica's streams at once.
public struct ProxiedSessionAccess: SessionAccess {
    let proxy: LabClusterProxy
    /// The platform address as users reach it (`--public-url`); nil uses ``localURL`` unless
    /// that is a wildcard address no user can reach.
    let publicURL: String?
    /// Where this replica's platform address listens, once it does: its own clients (scenario
    /// setup and checks) go there, not out and back through an Ingress.
    let localURL: @Sendable () -> String?
    /// The CA of the platform address's own certificate (`--platform-tls`).
    let certificateAuthorityPEM: String?
    /// The platform address listens on every interface: its local URL means nothing to a user.
    let listensOnWildcard: Bool

    public init(
        proxy: LabClusterProxy, publicURL: String?, certificateAuthorityPEM: String?, listensOnWildcard: Bool,
        localURL: @escaping @Sendable () -> String?
    ) {
        self.proxy = proxy
        self.publicURL = publicURL
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.listensOnWildcard = listensOnWildcard
        self.localURL = localURL
    }

    public func grant(token: String, clusterID: String) async {
        proxy.grant(token: token, clusterID: clusterID)
    }

    public func revoke(token: String, clusterID: String) async {
        proxy.revoke(token: token)
    }

    public func client(clusterID: String, token: String) throws -> HTTPKubernetesClient? {
        guard let base = localURL() else { return nil }
        return try HTTPKubernetesClient(
            configuration: KubeConfig(
                server: "\(base)/clusters/\(clusterID)", tls: .init(certificateAuthorityPEM: certificateAuthorityPEM),
                credentials: .init(token: token)))
    }

    /// Nil until the platform address listens, and always when it listens on a wildcard
    /// address without `--public-url` (no address to give a user).
    public func kubeconfig(clusterID: String, token: String, sessionName: String) -> String? {
        let base = publicURL ?? (listensOnWildcard ? nil : localURL())
        guard let base else { return nil }
        // An Ingress's certificate is the operator's business; the platform's own, its CA.
        return KubeConfig.document(
            server: "\(base)/clusters/\(clusterID)", clusterName: clusterID, userName: sessionName, contextName: sessionName,
            token: token, certificateAuthorityPEM: publicURL == nil ? certificateAuthorityPEM : nil, namespace: "default")
    }
}

/// Against a real cluster a lab cluster answers when its bootstrap has published its
/// kubeconfig and its API reports ready (`/readyz`) with those credentials.
public struct PublishedAPIProbe: NestedClusterProbe {
    let proxy: LabClusterProxy

    public init(proxy: LabClusterProxy) {
        self.proxy = proxy
    }

    public func answers(clusterID: String) async -> Bool {
        await proxy.clusterAnswers(clusterID)
    }
}

extension LabClusterProxy {
    /// Whether cluster `clusterID`'s published API answers `/readyz` with 200.
    func clusterAnswers(_ clusterID: String) async -> Bool {
        guard let api = labService?.connected?.api,
            let client = try? await upstreams.client(for: clusterID, api: api)
        else { return false }
        do {
            let response = try await client.forward(
                method: .GET, pathAndQuery: "/readyz", headers: [("Accept", "text/plain")], body: nil,
                deadline: .now() + .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 16)
            return response.status == .ok
        } catch {
            await upstreams.forget(clusterID)
            return false
        }
    }
}
