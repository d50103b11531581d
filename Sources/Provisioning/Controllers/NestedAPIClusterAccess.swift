import Foundation
import KubeClient
import KubeModel
import Logging

/// Against a real cluster (`--kubeconfig`): each provisioned cluster's own API, reached with
/// the admin kubeconfig the controller wrote into Secret `<name>-kubeconfig` (key `value`,
/// endpoint `https://<name>-api.<namespace>.svc:6443`, which resolves where Virtyard runs in
/// that cluster). Readiness is then what the nested API reports, as the issue asks.
///
/// A client per call, shut down after it: nothing outlives the call (an HTTP client must be
/// shut down before it is released), and a rotated kubeconfig is picked up at once.
public struct NestedAPIClusterAccess: ProvisionedClusterAccess {
    let host: any KubernetesAPI
    let logger: Logger

    public init(host: any KubernetesAPI, logger: Logger = Logger(label: "virtyard.provisioning.nested")) {
        self.host = host
        self.logger = logger
    }

    public func nodes(namespace: String, cluster: String) async -> [ProvisionedNode]? {
        try? await withClient(namespace: namespace, cluster: cluster) { client in
            try await client.list(.nodes).items.map(Self.node)
        }
    }

    /// A real node that refuses its configuration never joins; nothing reports why.
    public func bootFailures(namespace: String, cluster: String) async -> [String: String] { [:] }

    public func removeNode(namespace: String, cluster: String, node: String) async throws {
        _ = try await withClient(namespace: namespace, cluster: cluster) { client in
            do {
                _ = try await client.delete(.nodes, name: node)
            } catch let error as KubeClientError where error.isNotFound {
                // Already gone: what removal wants.
            }
        }
    }

    /// The cluster's API goes with its VMs: nothing to do here.
    public func removeCluster(namespace: String, cluster: String) async {}

    /// The Secret's kubeconfig is the one that works here.
    public func kubeconfig(namespace: String, cluster: String) async -> String? { nil }

    /// The cluster's API unreachable, or no usable kubeconfig (yet).
    struct Unreachable: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` with a client for the cluster's current kubeconfig, then shuts it down.
    func withClient<T: Sendable>(
        namespace: String, cluster: String, _ body: (HTTPKubernetesClient) async throws -> T
    ) async throws -> T {
        let key = "\(namespace)/\(cluster)"
        let secret: JSONValue
        do {
            secret = try await host.get(.secrets, namespace: namespace, name: "\(cluster)-kubeconfig")
        } catch {
            throw Unreachable(description: "no Secret \(cluster)-kubeconfig in \(namespace)")
        }
        guard let encoded = secret["data"]?["value"]?.stringValue, let data = Data(base64Encoded: encoded) else {
            throw Unreachable(description: "Secret \(cluster)-kubeconfig has no kubeconfig under `value`")
        }
        let client: HTTPKubernetesClient
        do {
            // No files: the kubeconfig carries its certificates as data.
            let configuration = try KubeConfig.parse(yaml: String(decoding: data, as: UTF8.self), directory: "/nonexistent")
            client = try HTTPKubernetesClient(configuration: configuration, logger: logger)
        } catch {
            logger.warning("the cluster's kubeconfig cannot be used", metadata: ["cluster": "\(key)", "error": "\(error)"])
            throw Unreachable(description: "the kubeconfig of \(key) cannot be used")
        }
        do {
            let result = try await body(client)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            logger.debug("the provisioned cluster's API does not answer", metadata: ["cluster": "\(key)"])
            throw error
        }
    }

    static func node(_ object: JSONValue) -> ProvisionedNode {
        let labels = object["metadata"]?["labels"]?.objectValue ?? [:]
        let ready = object["status"]?["conditions"]?.arrayValue?.contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
        return ProvisionedNode(
            name: object["metadata"]?["name"]?.stringValue ?? "", ready: ready ?? false,
            kubeletVersion: object["status"]?["nodeInfo"]?["kubeletVersion"]?.stringValue ?? "",
            controlPlane: labels["node-role.kubernetes.io/control-plane"] != nil
                || labels["node-role.kubernetes.io/master"] != nil)
    }
}
