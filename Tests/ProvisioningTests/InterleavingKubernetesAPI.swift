import KubeClient
import KubeModel
import Synchronization
import VirtyardTesting

@testable import Provisioning

/// The API server as the REST layer sees it, with another writer slipping in: before the
/// first PATCH of a ClusterDefinition, `interleave` runs once against the real API — what a
/// concurrent request (another replica) could do between a route's check and its write.
/// Deterministic, unlike two racing requests.
final class InterleavingKubernetesAPI: ForwardingKubernetesAPI, @unchecked Sendable {
    let interleave: @Sendable (any KubernetesAPI) async throws -> Void
    private let pending = Mutex(true)

    init(_ base: any KubernetesAPI, beforeFirstDefinitionPatch interleave: @escaping @Sendable (any KubernetesAPI) async throws -> Void) {
        self.interleave = interleave
        super.init(base)
    }

    override func patch(
        _ resource: ResourceType, namespace: String?, name: String, patch: JSONValue, type: PatchType, subresource: String?,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        let first = pending.withLock { pending in
            defer { pending = false }
            return pending && resource == .clusterDefinitions
        }
        if first {
            do {
                try await interleave(base)
            } catch {
                throw KubeClientError(
                    code: 500, reason: "TestSetup", message: "the interleaved write failed: \(error)", request: "PATCH \(name)")
            }
        }
        return try await super.patch(
            resource, namespace: namespace, name: name, patch: patch, type: type, subresource: subresource, options: options)
    }
}
