import KubeClient
import KubeModel

/// An API that passes every call on to `base`: subclass it and override the calls a test
/// wants to interfere with (a failure injected, another writer slipping in).
///
/// `@unchecked Sendable`: its one stored property is immutable and Sendable; the class is
/// open only so that tests can override methods.
open class ForwardingKubernetesAPI: KubernetesAPI, @unchecked Sendable {
    public let base: any KubernetesAPI

    public init(_ base: any KubernetesAPI) {
        self.base = base
    }

    open func get(_ resource: ResourceType, namespace: String?, name: String, subresource: String?) async throws(KubeClientError)
        -> JSONValue
    {
        try await base.get(resource, namespace: namespace, name: name, subresource: subresource)
    }

    open func list(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError) -> ObjectList {
        try await base.list(resource, namespace: namespace, options: options)
    }

    open func create(_ resource: ResourceType, namespace: String?, object: JSONValue, options: WriteOptions)
        async throws(KubeClientError) -> JSONValue
    {
        try await base.create(resource, namespace: namespace, object: object, options: options)
    }

    open func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue, options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        try await base.post(resource, namespace: namespace, name: name, subresource: subresource, body: body, options: options)
    }

    open func patch(
        _ resource: ResourceType, namespace: String?, name: String, patch: JSONValue, type: PatchType, subresource: String?,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        try await base.patch(
            resource, namespace: namespace, name: name, patch: patch, type: type, subresource: subresource, options: options)
    }

    open func update(_ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?, options: WriteOptions)
        async throws(KubeClientError) -> JSONValue
    {
        try await base.update(resource, namespace: namespace, object: object, subresource: subresource, options: options)
    }

    open func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws(KubeClientError)
        -> JSONValue
    {
        try await base.delete(resource, namespace: namespace, name: name, options: options)
    }

    open func watch(_ resource: ResourceType, namespace: String?, options: ListOptions) async throws(KubeClientError)
        -> AsyncThrowingStream<WatchEventObject, any Error>
    {
        try await base.watch(resource, namespace: namespace, options: options)
    }
}
