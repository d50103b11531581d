import Foundation
import KubeClient
import KubeModel
import Logging
import Synchronization
import Yams

/// The clients of the lab clusters' own APIs, one per cluster, made from the kubeconfig each
/// cluster's bootstrap published (Secret `<id>-kubeconfig`, key `value`, in namespace `<id>`)
/// and kept while that kubeconfig stays the same. The Secret is read again at most every
/// ``recheckInterval`` (a reset may publish new credentials) and at once after a failure.
public actor UpstreamClients {
    struct Entry {
        var kubeconfig: Data
        var client: HTTPKubernetesClient
        var checked: ContinuousClock.Instant
    }

    /// Why a cluster's API cannot be reached yet.
    public struct Unpublished: Error, CustomStringConvertible {
        public var description: String
    }

    static let recheckInterval: Duration = .seconds(5)
    /// The Secret's key holding the kubeconfig, as Cluster API names it.
    public static let kubeconfigKey = "value"

    public static func secretName(clusterID: String) -> String { "\(clusterID)-kubeconfig" }

    let logger: Logger
    private var entries: [String: Entry] = [:]

    init(logger: Logger) {
        self.logger = logger
    }

    /// The client of cluster `clusterID`'s API; the Secret read through `api` when due.
    func client(for clusterID: String, api: any KubernetesAPI) async throws -> HTTPKubernetesClient {
        if let entry = entries[clusterID], ContinuousClock.now - entry.checked < Self.recheckInterval {
            return entry.client
        }
        let secret: JSONValue
        do {
            secret = try await api.get(.secrets, namespace: clusterID, name: Self.secretName(clusterID: clusterID))
        } catch {
            throw Unpublished(description: "its API is not published yet (no Secret \(Self.secretName(clusterID: clusterID)))")
        }
        guard let encoded = secret["data"]?[Self.kubeconfigKey]?.stringValue, encoded.utf8.count <= Self.maximumKubeconfigBytes * 4 / 3 + 4,
            let kubeconfig = Data(base64Encoded: encoded)
        else {
            throw Unpublished(description: "Secret \(Self.secretName(clusterID: clusterID)) holds no kubeconfig under `value`")
        }
        if var entry = entries[clusterID], entry.kubeconfig == kubeconfig {
            entry.checked = .now
            entries[clusterID] = entry
            return entry.client
        }
        let client: HTTPKubernetesClient
        do {
            let configuration = try Self.published(String(decoding: kubeconfig, as: UTF8.self))
            client = try HTTPKubernetesClient(configuration: configuration, userAgent: "virtyard/0.1 (lab proxy)", logger: logger)
        } catch {
            logger.warning(
                "a lab cluster's published kubeconfig cannot be used", metadata: ["cluster": "\(clusterID)", "error": "\(error)"])
            throw Unpublished(description: "its published kubeconfig cannot be used")
        }
        if let old = entries.updateValue(Entry(kubeconfig: kubeconfig, client: client, checked: .now), forKey: clusterID) {
            retire(old.client)
        }
        return client
    }

    /// The largest published kubeconfig read.
    static let maximumKubeconfigBytes = 64 << 10

    /// What a published kubeconfig may say. Whoever controls the lab cluster's VM may be able
    /// to write it (on a real cluster its bootstrap publishes it), so it is trusted for nothing
    /// but an HTTPS address with its CA and credentials inline: no file is read (a token file
    /// would be this process's own service account token), no command runs, TLS is verified
    /// against the CA it carries, never the system's.
    static func published(_ text: String) throws -> KubeConfig {
        guard text.utf8.count <= maximumKubeconfigBytes else { throw Unpublished(description: "the kubeconfig is too large") }
        guard let tree = try Yams.load(yaml: text) else { throw Unpublished(description: "the kubeconfig is empty") }
        if let key = forbiddenKey(in: tree, depth: 0) {
            throw Unpublished(description: "the kubeconfig uses `\(key)`, which a published kubeconfig may not")
        }
        let configuration = try KubeConfig.parse(yaml: text, directory: "/nonexistent")
        guard configuration.server.lowercased().hasPrefix("https://") else {
            throw Unpublished(description: "the kubeconfig's server is not https")
        }
        guard configuration.tls.certificateAuthorityPEM != nil, !configuration.tls.insecureSkipVerify else {
            throw Unpublished(description: "the kubeconfig carries no certificate-authority-data")
        }
        return configuration
    }

    /// Keys that read files, run commands, turn verification off or go through a proxy.
    static let forbiddenKeys: Set<String> = [
        "tokenFile", "token-file", "certificate-authority", "client-certificate", "client-key", "exec", "auth-provider",
        "insecure-skip-tls-verify", "proxy-url",
    ]

    private static func forbiddenKey(in node: Any, depth: Int) -> String? {
        guard depth < 16 else { return "(nesting)" }
        if let mapping = node as? [AnyHashable: Any] {
            for (key, value) in mapping {
                if let name = key as? String, forbiddenKeys.contains(name) { return name }
                if let found = forbiddenKey(in: value, depth: depth + 1) { return found }
            }
        } else if let list = node as? [Any] {
            for value in list {
                if let found = forbiddenKey(in: value, depth: depth + 1) { return found }
            }
        }
        return nil
    }

    /// Reads the cluster's Secret again on next use.
    func forget(_ clusterID: String) {
        entries[clusterID]?.checked = .now - Self.recheckInterval
    }

    func removeAll() async {
        let clients = entries.values.map(\.client)
        entries.removeAll()
        for client in clients { try? await client.shutdown() }
    }

    /// Shuts a replaced client down once the streams still using it had time to end (a
    /// watch through the old credentials would otherwise be cut mid-event).
    private func retire(_ client: HTTPKubernetesClient) {
        Task {
            try? await Task.sleep(for: .seconds(600))
            try? await client.shutdown()
        }
    }
}
