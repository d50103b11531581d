import Foundation
import KubeClient
import KubeModel
import Logging
import ServiceLifecycle

/// Against a real cluster (`--kubeconfig`): each provisioned cluster's own API, reached with
/// the admin kubeconfig the controller wrote into Secret `<name>-kubeconfig` (key `value`,
/// endpoint `https://<name>-api.<namespace>.svc:6443`, which resolves where Virtyard runs in
/// that cluster). Readiness is then what the nested API reports, as the issue asks.
///
/// One client per cluster, kept by ``clients`` (``NestedClusterClients``) between calls and
/// replaced when the Secret's kubeconfig changes; ``clients`` runs beside the controller
/// (``lifecycle``) and shuts them down when it stops.
public struct NestedAPIClusterAccess: ProvisionedClusterAccess {
    let host: any KubernetesAPI
    let logger: Logger
    /// The open clients of the provisioned clusters' APIs.
    public let clients: NestedClusterClients

    public init(host: any KubernetesAPI, logger: Logger = Logger(label: "virtyard.provisioning.nested")) {
        self.host = host
        self.logger = logger
        clients = NestedClusterClients(logger: logger)
    }

    public var lifecycle: (any Service)? { clients }

    public func nodes(namespace: String, cluster: String) async -> [ProvisionedNode]? {
        try? await withClient(namespace: namespace, cluster: cluster) { client in
            try await client.list(.nodes).items.map(Self.node)
        }
    }

    /// A real node that refuses its configuration never joins; nothing reports why.
    public func bootFailures(namespace: String, cluster: String) async -> [String: String] { [:] }

    public func drainNode(namespace: String, cluster: String, node: String) async throws -> [String] {
        try await withClient(namespace: namespace, cluster: cluster) { client in
            do {
                let current = try await client.get(.nodes, name: node)
                if !NodeDrain.isCordoned(current) { _ = try await client.patch(.nodes, name: node, patch: NodeDrain.cordonPatch) }
            } catch let error as KubeClientError where error.isNotFound {
                return []
            }
            let bound = try await client.list(.pods, namespace: nil, options: ListOptions(fieldSelector: "spec.nodeName=\(node)")).items
            var left: [String] = []
            for pod in NodeDrain.podsToEvict(bound, node: node) {
                left.append(NodeDrain.reference(pod))
                guard pod.deletionTimestamp == nil else { continue }
                do {
                    _ = try await client.post(
                        .pods, namespace: pod.namespace, name: pod.name ?? "", subresource: "eviction", body: NodeDrain.eviction(of: pod),
                        options: .default)
                } catch let error as KubeClientError where error.isNotFound {
                    left.removeLast()
                } catch let error as KubeClientError where error.code == 429 {
                    // A PodDisruptionBudget forbids it for now: asked again next pass, as kubectl retries.
                }
            }
            return left
        }
    }

    public func removeNode(namespace: String, cluster: String, node: String) async throws {
        _ = try await withClient(namespace: namespace, cluster: cluster) { client in
            do {
                _ = try await client.delete(.nodes, name: node)
            } catch let error as KubeClientError where error.isNotFound {
                // Already gone: what removal wants.
            }
        }
    }

    /// The cluster's API goes with its VMs: only its client is closed.
    public func removeCluster(namespace: String, cluster: String) async {
        await clients.remove("\(namespace)/\(cluster)")
    }

    /// The Secret's kubeconfig is the one that works here.
    public func kubeconfig(namespace: String, cluster: String) async -> String? { nil }

    /// The cluster's API unreachable, or no usable kubeconfig (yet).
    struct Unreachable: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` with the client of the cluster's current kubeconfig (cached, see
    /// ``NestedClusterClients``).
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
            client = try await clients.client(for: key, kubeconfig: data) {
                // No files: the kubeconfig carries its certificates as data.
                let configuration = try KubeConfig.parse(yaml: String(decoding: data, as: UTF8.self), directory: "/nonexistent")
                return try HTTPKubernetesClient(configuration: configuration, logger: logger)
            }
        } catch {
            logger.warning("the cluster's kubeconfig cannot be used", metadata: ["cluster": "\(key)", "error": "\(error)"])
            throw Unreachable(description: "the kubeconfig of \(key) cannot be used")
        }
        do {
            return try await body(client)
        } catch {
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
