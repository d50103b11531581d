import KubeClient
import KubeModel
import Synchronization

@testable import Provisioning

/// The API server as the REST layer sees it, with another writer slipping in: before the
/// first PATCH of a ClusterDefinition, `interleave` runs once against the real API — what a
/// concurrent request (another replica) could do between a route's check and its write.
/// Deterministic, unlike two racing requests.
final class InterleavingKubernetesAPI: KubernetesAPI {
    let base: any KubernetesAPI
    let interleave: @Sendable (any KubernetesAPI) async throws -> Void
    private let pending = Mutex(true)

    init(_ base: any KubernetesAPI, beforeFirstDefinitionPatch interleave: @escaping @Sendable (any KubernetesAPI) async throws -> Void) {
        self.base = base
        self.interleave = interleave
    }

    func patch(
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
        return try await base.patch(
            resource, namespace: namespace, name: name, patch: patch, type: type, subresource: subresource, options: options)
    }

    func get(_ resource: ResourceType, namespace: String?, name: String, subresource: String?) async throws(KubeClientError) -> JSONValue {
        try await base.get(resource, namespace: namespace, name: name, subresource: subresource)
    }

    func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList {
        try await base.list(resource, namespace: namespace, options: options)
    }

    func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        try await base.create(resource, namespace: namespace, object: object, options: options)
    }

    func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue, options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        try await base.post(resource, namespace: namespace, name: name, subresource: subresource, body: body, options: options)
    }

    func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions)
        async throws(KubeClientError) -> JSONValue
    {
        try await base.update(resource, namespace: namespace, object: object, subresource: subresource, options: options)
    }

    func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        try await base.delete(resource, namespace: namespace, name: name, options: options)
    }

    func watch(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> AsyncThrowingStream<
        WatchEventObject, any Error
    > {
        try await base.watch(resource, namespace: namespace, options: options)
    }
}
