import Crypto
import Foundation
import KubeClient
import Logging
import ServiceLifecycle
import Synchronization

/// The HTTP clients of the provisioned clusters' APIs (``NestedAPIClusterAccess``), one per
/// cluster, kept between calls: the controller reads every cluster in flight each second, and
/// a client per call would be a TLS handshake each time.
///
/// A client is keyed by its cluster and the SHA-256 of the kubeconfig it was made from: a
/// changed kubeconfig (a rotated credential) gets a new client and the old one is shut down.
/// Every client is shut down by its owner — an AsyncHTTPClient released unclosed traps in a
/// debug build: replaced ones at once, idle ones after ``idleLimit``, and all of them when the
/// service stops (``run()``, run beside the controller by ``ProvisioningControllers``) or on
/// ``shutdown()``. A client asked for after that is made anew, for the next term.
public final class NestedClusterClients: Service, Sendable {
    struct Entry {
        var fingerprint: String
        var client: HTTPKubernetesClient
        var lastUsed: ContinuousClock.Instant
    }

    /// How long a client may go unused before it is shut down (a finished cluster is read
    /// every 10 s, so only removed or unreachable clusters' clients go idle).
    let idleLimit: Duration
    let logger: Logger
    private let entries = Mutex<[String: Entry]>([:])

    public init(idleLimit: Duration = .seconds(300), logger: Logger) {
        self.idleLimit = idleLimit
        self.logger = logger
    }

    /// How many clients are open (tests, metrics).
    public var count: Int { entries.withLock { $0.count } }

    /// The identity of `key`'s open client, if any (tests: reused or replaced).
    func clientIdentity(_ key: String) -> ObjectIdentifier? {
        entries.withLock { $0[key].map { ObjectIdentifier($0.client) } }
    }

    static func fingerprint(_ kubeconfig: Data) -> String {
        SHA256.hash(data: kubeconfig).map { String(format: "%02x", $0) }.joined()
    }

    /// The client of `key` for `kubeconfig`: the cached one when it was made from the same
    /// kubeconfig, else a new one from `make` (replacing, and shutting down, the old one).
    func client(
        for key: String, kubeconfig: Data, make: () throws -> HTTPKubernetesClient
    ) async throws -> HTTPKubernetesClient {
        let fingerprint = Self.fingerprint(kubeconfig)
        let now = ContinuousClock.now
        let cached = entries.withLock { state -> HTTPKubernetesClient? in
            guard var entry = state[key], entry.fingerprint == fingerprint else { return nil }
            entry.lastUsed = now
            state[key] = entry
            return entry.client
        }
        if let cached { return cached }
        let made = try make()
        let (chosen, retired) = entries.withLock { state -> (HTTPKubernetesClient, HTTPKubernetesClient?) in
            // Another call made one for the same kubeconfig meanwhile: keep that one.
            if let entry = state[key], entry.fingerprint == fingerprint { return (entry.client, made) }
            let previous = state[key]?.client
            state[key] = Entry(fingerprint: fingerprint, client: made, lastUsed: now)
            return (made, previous)
        }
        if let retired { await Self.close(retired, logger: logger) }
        return chosen
    }

    /// Shuts down the client of `key` (its cluster was decommissioned).
    func remove(_ key: String) async {
        let removed = entries.withLock { $0.removeValue(forKey: key)?.client }
        if let removed { await Self.close(removed, logger: logger) }
    }

    /// Shuts down the clients not used for ``idleLimit``.
    func closeIdle(now: ContinuousClock.Instant = .now) async {
        let limit = idleLimit
        let idle = entries.withLock { state -> [HTTPKubernetesClient] in
            let keys = state.filter { now - $0.value.lastUsed >= limit }.map(\.key)
            return keys.compactMap { state.removeValue(forKey: $0)?.client }
        }
        for client in idle { await Self.close(client, logger: logger) }
    }

    /// Shuts down every client.
    public func shutdown() async {
        let all = entries.withLock { state -> [HTTPKubernetesClient] in
            defer { state.removeAll() }
            return state.values.map(\.client)
        }
        for client in all { await Self.close(client, logger: logger) }
    }

    /// Closes idle clients now and then; closes them all when the service stops.
    public func run() async throws {
        let period = min(idleLimit, .seconds(60))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: period)
                } catch {
                    break
                }
                await self.closeIdle()
            }
        }
        await shutdown()
    }

    private static func close(_ client: HTTPKubernetesClient, logger: Logger) async {
        do {
            try await client.shutdown()
        } catch {
            logger.debug("could not shut down a provisioned cluster's client", metadata: ["error": "\(error)"])
        }
    }
}
