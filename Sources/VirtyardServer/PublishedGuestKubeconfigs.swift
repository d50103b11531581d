import ControllerKit
import Foundation
import KubeClient
import KubeModel
import KubeServer
import LabPool
import Logging
import Simulation
import Synchronization

/// What a lab control-plane VM's bootstrap does once its API is up, for the VMs this
/// process simulates on a real cluster (`--sim-kubevirt`): it publishes the cluster's admin
/// kubeconfig as Secret `<id>-kubeconfig` (key `value`, as Cluster API's bootstrap providers
/// do) in the VM's namespace, owned by the VM. The kubeconfig names the guest API server
/// of this process (`--guest-listen`) at `/clusters/<id>` and an admin token granted in that
/// virtual cluster alone; the platform's proxy (``LabClusterProxy``) forwards sessions
/// with it.
///
/// The token is kept in the Secret, so that after a restart of this process the same token is
/// granted again and the kubeconfig is rewritten only when the guest API's address changed.
final class PublishedGuestKubeconfigs: GuestHost {
    let clusters: VirtualClusters
    /// The guest API's base URL once it listens.
    let server: @Sendable () -> String?
    let certificateAuthorityPEM: String?
    let logger: Logger
    private let api = Mutex<(any KubernetesAPI)?>(nil)
    /// The VMs (namespace/name) whose kubeconfig is published and token granted in this process.
    private let published = Mutex<Set<String>>([])

    static let tokenKey = "token"

    init(clusters: VirtualClusters, certificateAuthorityPEM: String?, logger: Logger, server: @escaping @Sendable () -> String?) {
        self.clusters = clusters
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.logger = logger
        self.server = server
    }

    /// The client of the term under way: Secrets are written with it.
    func attach(api: any KubernetesAPI) {
        self.api.withLock { $0 = api }
    }

    func running(namespace: String, vm: String, labels: [String: String]) async throws {
        guard let id = labels[VirtualClusterGuests.label] else { return }
        let key = "\(namespace)/\(vm)"
        guard !published.withLock({ $0.contains(key) }) else { return }
        guard let api = api.withLock({ $0 }), let cluster = clusters.cluster(id), let server = server() else { return }
        let name = UpstreamClients.secretName(clusterID: id)
        let existing = try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await api.get(.secrets, namespace: namespace, name: name)
        }
        let token = existing.flatMap { Secret($0).string(Self.tokenKey) } ?? BearerToken.generate()
        cluster.tokens.grant(token)
        let kubeconfig = Self.kubeconfig(server: "\(server)/clusters/\(id)", clusterID: id, token: token, ca: certificateAuthorityPEM)
        if let existing {
            if Secret(existing).string(UpstreamClients.kubeconfigKey) != kubeconfig {
                var updated = Secret(existing)
                updated.stringData = [UpstreamClients.kubeconfigKey: kubeconfig, Self.tokenKey: token]
                _ = try await api.update(.secrets, namespace: namespace, object: updated.object)
            }
        } else {
            var secret = Secret(name: name, namespace: namespace)
            secret.labels = [VirtualClusterGuests.label: id]
            secret.stringData = [UpstreamClients.kubeconfigKey: kubeconfig, Self.tokenKey: token]
            // Owned by the VM: deleting the lab cluster's VM takes its credentials along.
            if let owner = try? await api.get(.virtualMachines, namespace: namespace, name: vm) {
                secret.object.ownerReferences = [OwnerReferences.reference(to: owner, .virtualMachines)]
            }
            let object = secret.object
            let created = try await tolerating(KubeClientError.alreadyExists) { () async throws(KubeClientError) in
                try await api.create(.secrets, namespace: namespace, object: object)
            }
            // Another pass published it meanwhile: the next call reads and checks it.
            guard created != nil else { return }
            logger.info("lab cluster API published", metadata: ["cluster": "\(id)", "secret": "\(namespace)/\(name)"])
        }
        published.withLock { _ = $0.insert(key) }
    }

    func capture(namespace: String, vm: String, labels: [String: String], content: String) async throws {}
    func restore(namespace: String, vm: String, labels: [String: String], content: String) async throws {}

    /// The VM is gone (its Secret with it); a new VM of the same name publishes afresh.
    func discard(namespace: String, vm: String, labels: [String: String]) async {
        _ = published.withLock { $0.remove("\(namespace)/\(vm)") }
    }

    /// An admin kubeconfig of one virtual cluster, its CA inline.
    static func kubeconfig(server: String, clusterID: String, token: String, ca: String?) -> String {
        KubeConfig.document(
            server: server, clusterName: clusterID, userName: "\(clusterID)-admin", contextName: "\(clusterID)-admin", token: token,
            certificateAuthorityPEM: ca)
    }
}
