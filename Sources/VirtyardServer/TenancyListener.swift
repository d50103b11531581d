import Foundation
import KubeClient
import KubeModel
import KubeServer
import Logging
import Tenancy

/// Builds the Cloud Director API's server (`--vcd-listen`) for ``VirtyardApplication``: the
/// certificate the embedded API serves when there is one (its hosts include the VCD host),
/// otherwise one from the data directory's CA.
enum TenancyListener {
    static func make(
        address: ListenAddress, configuration: VirtyardApplication.Configuration, embeddedTLS: ServingCertificates?,
        connect: @escaping ControllerRuntime.Connect
    ) throws -> TenancyServer {
        var hosts = ["localhost", "127.0.0.1", "::1"]
        if !ListenURL.isWildcard(address.host), !hosts.contains(address.host) { hosts.append(address.host) }
        let certificates = try embeddedTLS ?? ServingCertificates.loadOrCreate(in: configuration.dataDirectory, hosts: hosts)
        let adminPassword =
            try configuration.vcdAdminPasswordFile.map(AdminPasswordFile.load(path:))
            ?? AdminPasswordFile.loadOrCreate(dataDirectory: configuration.dataDirectory)
        return TenancyServer(
            configuration: TenancyServer.Configuration(
                host: address.host, port: address.port, tls: try certificates.serverConfiguration(),
                http1: configuration.connections.http1, namespace: configuration.leaderElection.namespace,
                adminPassword: adminPassword),
            logger: Logger(label: "virtyard.vcd"),
            connect: {
                // A client of its own, which the tenancy server shuts down when it stops: on an
                // external cluster `connect` hands out the controllers' shared client.
                switch configuration.cluster {
                case .external(let kubeconfig, _):
                    return try HTTPKubernetesClient(configuration: kubeconfig, logger: Logger(label: "virtyard.vcd.kubeclient"))
                case .embedded:
                    return try await connect()
                }
            })
    }
}
