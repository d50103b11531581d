import AsyncHTTPClient
import Foundation
import KubeModel
import Logging
import NIOSSL

/// ``KubernetesAPI`` over HTTPS: the client for real clusters and, over loopback, for the
/// embedded API server, so the code that meets a real cluster is the code tests exercise
/// (DESIGN.md §1).
///
/// One instance owns one AsyncHTTPClient `HTTPClient` (connection pool, TLS context) for
/// its lifetime; share the instance between controllers and call ``shutdown()`` once when
/// done (AsyncHTTPClient traps in debug builds when a client is released without it). Every request carries `Accept: application/json`, a `User-Agent` naming Virtyard,
/// and the configured credentials; a token *file* is re-read periodically so rotated
/// service-account tokens keep working.
public final class HTTPKubernetesClient: KubernetesAPI {
    /// The configuration this client was built from.
    public let configuration: KubeConfig

    let http: HTTPClient
    /// `scheme://host:port/prefix` that request paths are appended to. With a
    /// `tls-server-name` its host is that name (it is what TLS verifies) and the pool's DNS
    /// override connects to the real host.
    let baseURL: String
    let tokens: BearerTokenSource
    let basicAuthorization: String?
    let userAgent: String
    let requestTimeout: Duration
    let logger: Logger

    /// What the client sends as `User-Agent` unless told otherwise.
    public static let defaultUserAgent = "virtyard/0.1 (KubeClient)"

    /// The largest response body accepted for a non-watch request (a list of tens of
    /// thousands of objects fits).
    static let maximumResponseBytes = 1 << 30

    /// Builds the client and its TLS context. Certificates are parsed here, so a bad CA or
    /// client key fails now with a ``KubeConfigError`` rather than at the first request.
    ///
    /// - Parameters:
    ///   - configuration: Where the server is and how to authenticate.
    ///   - userAgent: Sent on every request; server logs and audit show it.
    ///   - requestTimeout: Deadline of every request except watches.
    ///   - tokenRefreshInterval: How long a token read from a file is used before the file
    ///     is read again (client-go uses one minute).
    ///   - logger: Where request failures are logged.
    public init(
        configuration: KubeConfig, userAgent: String = HTTPKubernetesClient.defaultUserAgent,
        requestTimeout: Duration = .seconds(60), tokenRefreshInterval: Duration = .seconds(60),
        logger: Logger = Logger(label: "virtyard.kubeclient")
    ) throws(KubeConfigError) {
        self.configuration = configuration
        self.userAgent = userAgent
        self.requestTimeout = requestTimeout
        self.logger = logger
        guard var components = URLComponents(string: configuration.server), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            throw KubeConfigError.invalidServer(cluster: configuration.source, server: configuration.server)
        }
        var pool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        // Fail a request as soon as its connection cannot be made (refused, TLS refused),
        // as client-go does: callers such as ``ResilientWatch`` retry with their own
        // backoff, and a wrong CA should say so now, not after the connect timeout.
        pool.retryConnectionEstablishment = false
        var httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: try configuration.makeTLSConfiguration(),
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: pool)
        if scheme == "https", let serverName = configuration.tls.serverName, serverName != host {
            httpConfiguration.dnsOverride[serverName] = host
            components.host = serverName
        }
        components.query = nil
        components.fragment = nil
        var base = components.string ?? configuration.server
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        http = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration,
            backgroundActivityLogger: logger)
        let credentials = configuration.credentials
        tokens = BearerTokenSource(
            token: credentials.token, tokenFile: credentials.tokenFile,
            refreshInterval: tokenRefreshInterval)
        if let username = credentials.username {
            let pair = "\(username):\(credentials.password ?? "")"
            basicAuthorization = "Basic " + Data(pair.utf8).base64EncodedString()
        } else {
            basicAuthorization = nil
        }
    }

    /// Closes every connection, ending open watches. Call it once, after the last request.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// The namespace a single-object call addresses: the one given, else the object's own,
    /// else the configuration's (kubectl's `-n` default). Nil for cluster-scoped resources.
    func namespace(_ explicit: String?, for resource: ResourceType, object: JSONValue? = nil) -> String? {
        guard resource.namespaced else { return nil }
        if let explicit, !explicit.isEmpty { return explicit }
        if let own = object?[path: ["metadata", "namespace"]]?.stringValue, !own.isEmpty { return own }
        return configuration.namespace
    }
}
