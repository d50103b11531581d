import KubeClient
import KubeModel

extension KubernetesAPI {
    /// Writes `updated`'s status through the status subresource, unless it equals
    /// `current`'s: a reconciler computes the status it wants every time, and an unchanged
    /// status must cost no write (each write is a watch event that wakes every watcher).
    ///
    /// `updated` is `current` with a new status; its resourceVersion guards the write.
    /// - Returns: the stored object, or nil when the status was unchanged.
    @discardableResult
    public func updateStatusIfChanged(
        _ resource: ResourceType, current: JSONValue,
        updated: JSONValue
    ) async throws(KubeClientError) -> JSONValue? {
        guard updated["status"] != current["status"] else { return nil }
        return try await updateStatus(resource, namespace: updated.namespace, object: updated)
    }
}
