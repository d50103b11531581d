import Foundation
import KubeClient
import KubeModel
import KubeServer
import Logging
import Simulation
import Synchronization

/// On a real cluster with simulated KubeVirt (`--sim-kubevirt`), what stands in for the
/// insides of the lab VMs: a guest API server (virtual clusters only, at `--guest-listen`)
/// hosting a cluster for each control-plane VM, their controllers, and the published admin
/// kubeconfig the platform's proxy uses. The embedded mode does the same on its own API.
struct GuestAPIHost: Sendable {
    let server: KubeAPIServer
    let publisher: PublishedGuestKubeconfigs
    let guests: GuestHosts
    let controllers: VirtualClusterControllers

    init(configuration: KubeAPIServer.Configuration, dataDirectory: String, simulation: SimulationConfiguration) throws {
        var configuration = configuration
        configuration.guestsOnly = true
        let server = try KubeAPIServer(configuration: configuration, logger: Logger(label: "virtyard.guestapi"))
        let scheme = configuration.tls == nil ? "http" : "https"
        // A wildcard address is reached by this machine's name (in the certificate too).
        let host = ListenURL.isWildcard(configuration.host) ? ProcessInfo.processInfo.hostName : configuration.host
        let url: @Sendable () -> String? = { server.currentPort.map { ListenAddress.url(scheme: scheme, host: host, port: $0) } }
        let caPEM = configuration.tls?.caCertificatePEM
        let publisher = PublishedGuestKubeconfigs(
            clusters: server.virtualClusters, certificateAuthorityPEM: caPEM, logger: Logger(label: "virtyard.guestapi"), server: url)
        self.server = server
        self.publisher = publisher
        // The virtual cluster first: the publisher grants its token in it.
        guests = GuestHosts([
            VirtualClusterGuests(
                clusters: server.virtualClusters, dataDirectory: dataDirectory, logger: Logger(label: "virtyard.simulation")),
            publisher,
        ])
        controllers = VirtualClusterControllers(
            clusters: server.virtualClusters,
            connect: { clusterID, token in
                guard let base = url() else { return nil }
                return try HTTPKubernetesClient(
                    configuration: KubeConfig(
                        server: "\(base)/clusters/\(clusterID)", tls: .init(certificateAuthorityPEM: caPEM),
                        credentials: .init(token: token)))
            },
            simulation: simulation, logger: Logger(label: "virtyard.virtualclusters"))
    }
}

/// A URL learnt once a listener is bound.
final class BoundURL: Sendable {
    private let value = Mutex<String?>(nil)

    var current: String? { value.withLock { $0 } }

    func set(_ url: String) {
        value.withLock { $0 = url }
    }
}
