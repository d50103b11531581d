import Foundation
import KubeModel
import KubeServer
import Provisioning

/// How the provisioner reaches the clusters it made in embedded mode: each is a virtual
/// cluster of the embedded API server, started and joined by the simulated guests
/// (``ProvisionedClusterGuests``). Its kubeconfig points at `<embedded API>/clusters/<id>`
/// with the cluster's admin token, which is kept inside the cluster: the same on every call
/// and after a restart, and useless once the cluster is removed.
public struct EmbeddedProvisionedClusterAccess: ProvisionedClusterAccess {
    let guests: ProvisionedClusterGuests
    /// The embedded API's base URL once it listens.
    let server: @Sendable () -> String?
    let certificateAuthorityPEM: String?

    public init(guests: ProvisionedClusterGuests, certificateAuthorityPEM: String?, server: @escaping @Sendable () -> String?) {
        self.guests = guests
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.server = server
    }

    static func id(_ namespace: String, _ cluster: String) -> String {
        ProvisionedClusterID.make(namespace: namespace, cluster: cluster)
    }

    public func nodes(namespace: String, cluster: String) async -> [ProvisionedNode]? {
        guard let virtualCluster = try? await guests.load(Self.id(namespace, cluster)) else { return nil }
        return virtualCluster.store.list(ProvisionedClusterNodes.nodes).items.map { ProvisionedClusterNodes.provisioned($0.object) }
            .sorted { $0.name < $1.name }
    }

    public func bootFailures(namespace: String, cluster: String) async -> [String: String] {
        guests.failures(namespace: namespace, cluster: cluster)
    }

    /// Cordons the Node and deletes its pods (``ProvisionedClusterNodes/drain(_:in:now:)``).
    public func drainNode(namespace: String, cluster: String, node: String) async throws -> [String] {
        guard let virtualCluster = try await guests.load(Self.id(namespace, cluster)) else { return [] }
        return try await ProvisionedClusterNodes.drain(node, in: virtualCluster)
    }

    /// Deletes the Node, drained first by the controller (pods it left behind after a drain
    /// timed out go to the cluster's pod garbage collection). The VM's guest does not
    /// register it again unless the VM starts anew.
    public func removeNode(namespace: String, cluster: String, node: String) async throws {
        guard let virtualCluster = try await guests.load(Self.id(namespace, cluster)) else { return }
        try await ProvisionedClusterNodes.delete(node, in: virtualCluster)
    }

    public func removeCluster(namespace: String, cluster: String) async {
        guests.forget(namespace: namespace, cluster: cluster)
        let id = Self.id(namespace, cluster)
        // A cluster stored by an earlier run but not loaded is removed all the same.
        if guests.clusters.cluster(id) == nil, guests.clusters.exists(id) { _ = try? await guests.load(id) }
        await guests.clusters.remove(id)
    }

    public func kubeconfig(namespace: String, cluster: String) async -> String? {
        let id = Self.id(namespace, cluster)
        guard let base = server(), let virtualCluster = try? await guests.load(id),
            let token = ProvisionedClusterGuests.adminToken(in: virtualCluster)
        else { return nil }
        virtualCluster.tokens.grant(token)
        var entry = "    server: \(base)/clusters/\(id)\n"
        if let certificateAuthorityPEM {
            entry += "    certificate-authority-data: \(Data(certificateAuthorityPEM.utf8).base64EncodedString())\n"
        }
        let user = "\(cluster)-admin"
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: \(cluster)
              cluster:
            \(entry)contexts:
            - name: \(cluster)
              context:
                cluster: \(cluster)
                user: \(user)
            current-context: \(cluster)
            users:
            - name: \(user)
              user:
                token: \(token)

            """
    }
}
