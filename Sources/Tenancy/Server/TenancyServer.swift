import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KubeClient
import KubeModel
import Logging
import NIOSSL
import ServiceLifecycle

/// The Cloud Director compatible API (`virtyard serve --vcd-listen`): HTTPS with the data
/// directory's CA, the provider organisation made at first start (``ProviderBootstrap``).
public final class TenancyServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// nil serves plain HTTP (tests only).
        public var tls: TLSConfiguration?
        public var http1: HTTP1Channel.Configuration
        /// Virtyard's namespace, where the password Secrets live.
        public var namespace: String
        public var adminPassword: AdminPasswordFile

        public init(
            host: String, port: Int, tls: TLSConfiguration?, http1: HTTP1Channel.Configuration = .init(), namespace: String,
            adminPassword: AdminPasswordFile
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.http1 = http1
            self.namespace = namespace
            self.adminPassword = adminPassword
        }

        var scheme: String { tls == nil ? "http" : "https" }
    }

    public let configuration: Configuration
    public let directory: KubeTenantDirectory
    public let sessions = SessionStore()
    public let address = PublicAddress()
    private let bound = BoundPort()
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger, connect: @escaping KubeTenantDirectory.Connect) {
        self.configuration = configuration
        self.logger = logger
        self.directory = KubeTenantDirectory(namespace: configuration.namespace, logger: logger, connect: connect)
    }

    /// The URL clients use (`https://host:port`), once the listener is bound; throws when it
    /// could not be.
    public func boundURL() async throws -> String {
        _ = try await bound.wait()
        return address.url
    }

    public func run() async throws {
        let configuration = self.configuration
        let router = VCDRouter.make(directory: directory, sessions: sessions, address: address, logger: logger)
        let server: HTTPServerBuilder
        do {
            server =
                try configuration.tls.map { try .tls(.http1(configuration: configuration.http1), tlsConfiguration: $0) }
                ?? .http1(configuration: configuration.http1)
        } catch {
            bound.fail(error)
            throw error
        }
        let bound = self.bound
        let address = self.address
        let application = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "virtyard-vcd"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                address.set(ListenURL.url(scheme: configuration.scheme, host: configuration.host, port: port))
                bound.set(port)
            },
            logger: logger)
        let bootstrap = ProviderBootstrap(directory: directory, adminPassword: configuration.adminPassword)
        let directory = self.directory
        let sessions = self.sessions
        let logger = self.logger
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                // Retried in the background until the store answers; requests get 503 meanwhile.
                // The controllers start once the provider exists, so the tenancy CRDs are served.
                tasks.addTask {
                    try await bootstrap.run()
                    try await TenancyControllers(directory: directory, sessions: sessions, logger: logger).run()
                }
                defer { tasks.cancelAll() }
                try await application.run()
            }
        } catch {
            bound.fail(error)
            await directory.close()
            throw error
        }
        bound.fail(ListenerStopped(address: "\(configuration.host):\(configuration.port)"))
        await directory.close()
    }
}
