import Foundation
import KubeClient
import KubeModel
import KubeServer
import Logging
import Synchronization

/// The embedded API server, serving HTTPS on an ephemeral loopback port for one test, and
/// the clients the test made against it (shut down with it).
public final class TestCluster: Sendable {
    public let server: KubeAPIServer
    public let port: Int
    public let directory: TemporaryDirectory
    public let certificates: ServingCertificates
    private let clients = Mutex<[HTTPKubernetesClient]>([])

    public struct StartFailure: Error {}

    private init(server: KubeAPIServer, port: Int, directory: TemporaryDirectory, certificates: ServingCertificates) {
        self.server = server
        self.port = port
        self.directory = directory
        self.certificates = certificates
    }

    /// Starts a server, runs `body` against it, and stops everything whatever happens.
    public static func run<T>(
        watchHistory: Int = 10_000, hosts: [String] = ["localhost", "127.0.0.1"],
        configure: (inout KubeAPIServer.Configuration) -> Void = { _ in },
        vmConsoles: (any VMConsoles)? = nil,
        _ body: (TestCluster) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory()
        let certificates = try ServingCertificates.loadOrCreate(in: directory.path, hosts: hosts)
        var configuration = KubeAPIServer.Configuration(
            host: "127.0.0.1", port: 0, dataDirectory: nil, tokens: ["t"],
            watchHistory: watchHistory, tls: certificates)
        // Tests count the objects they write; a test of the per-namespace defaults turns them on.
        configuration.namespaceDefaults = false
        configure(&configuration)
        let server = try KubeAPIServer(configuration: configuration, logger: Self.quietLogger)
        if let vmConsoles { server.serveVMConsoles(vmConsoles) }
        let running = Task { try await server.run() }
        let port = (try? await server.boundPort()) ?? 0
        guard port > 0 else {
            running.cancel()
            throw StartFailure()
        }
        let cluster = TestCluster(server: server, port: port, directory: directory, certificates: certificates)
        do {
            let result = try await body(cluster)
            await cluster.stop(running)
            return result
        } catch {
            await cluster.stop(running)
            throw error
        }
    }

    /// The server logs its own cancellation as an error when a test stops it; tests only
    /// want to hear about real failures.
    public static let quietLogger: Logger = {
        var logger = Logger(label: "virtyard.apiserver.test")
        logger.logLevel = .critical
        return logger
    }()

    private func stop(_ running: Task<Void, any Error>) async {
        for client in clients.withLock({ $0 }) { try? await client.shutdown() }
        running.cancel()
        _ = await running.result
    }

    public var url: String { "https://127.0.0.1:\(port)" }

    /// A kubeconfig for this server, the way a user would write one.
    public func kubeconfig(
        server: String? = nil, token: String? = "t", tokenFile: String? = nil,
        certificateAuthorityData: String? = nil, insecure: Bool = false, tlsServerName: String? = nil,
        clientCertificateData: String? = nil, clientKeyData: String? = nil
    ) -> String {
        var cluster = "    server: \(server ?? url)\n"
        if insecure {
            cluster += "    insecure-skip-tls-verify: true\n"
        } else {
            cluster += "    certificate-authority-data: \(base64(certificateAuthorityData ?? certificates.caCertificatePEM))\n"
        }
        if let tlsServerName { cluster += "    tls-server-name: \(tlsServerName)\n" }
        var user = ""
        if let token { user += "    token: \(token)\n" }
        if let tokenFile { user += "    tokenFile: \(tokenFile)\n" }
        if let clientCertificateData { user += "    client-certificate-data: \(base64(clientCertificateData))\n" }
        if let clientKeyData { user += "    client-key-data: \(base64(clientKeyData))\n" }
        if user.isEmpty { user = "    {}\n" }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: embedded
              cluster:
            \(cluster)contexts:
            - name: test
              context:
                cluster: embedded
                user: tester
            current-context: test
            users:
            - name: tester
              user:
            \(user)
            """
    }

    /// A client configured from `kubeconfig` written to a file and loaded as kubectl would.
    public func client(
        kubeconfig text: String? = nil,
        tokenRefreshInterval: Duration = .seconds(60)
    ) throws -> HTTPKubernetesClient {
        let path = try directory.write("kubeconfig-\(UUID().uuidString)", text ?? kubeconfig())
        let configuration = try KubeConfig.load(path: path)
        return try register(HTTPKubernetesClient(configuration: configuration, tokenRefreshInterval: tokenRefreshInterval))
    }

    /// Whether the server's open watches drop back to `baseline`. The server notices a
    /// closed watch connection when it next writes to it, so this keeps writing objects
    /// the watch would see until it does.
    public func watchersReturn(to baseline: Int, using client: HTTPKubernetesClient) async throws -> Bool {
        for attempt in 0..<50 {
            if server.store.watcherCount == baseline { return true }
            _ = try await client.create(.configMaps, object: configMap("poke-\(attempt)"))
            try await Task.sleep(for: .milliseconds(100))
        }
        return server.store.watcherCount == baseline
    }

    /// Keeps `client` to shut it down with the server.
    public func register(_ client: HTTPKubernetesClient) -> HTTPKubernetesClient {
        clients.withLock { $0.append(client) }
        return client
    }
}

/// A ConfigMap named `name` in `default`.
public func configMap(_ name: String, labels: [String: String] = [:], data: [String: String] = [:]) -> JSONValue {
    var metadata: JSONValue = ["name": .string(name), "namespace": "default"]
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
    return [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
        "data": .object(data.mapValues { .string($0) }),
    ]
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
public func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
