import KubeClient
import KubeModel

/// `metadata.finalizers` as controller-runtime's `controllerutil.AddFinalizer` /
/// `RemoveFinalizer` keep them: each name at most once, order kept, and a result saying
/// whether anything changed so a caller writes only when it must.
public enum Finalizers {
    /// Appends `finalizer` unless the object has it; returns whether it was added.
    @discardableResult
    public static func add(_ finalizer: String, to object: inout JSONValue) -> Bool {
        guard !object.finalizers.contains(finalizer) else { return false }
        object.finalizers.append(finalizer)
        return true
    }

    /// Removes every occurrence of `finalizer`; returns whether there was one.
    @discardableResult
    public static func remove(_ finalizer: String, from object: inout JSONValue) -> Bool {
        let before = object.finalizers
        guard before.contains(finalizer) else { return false }
        object.finalizers = before.filter { $0 != finalizer }
        return true
    }
}

extension KubernetesAPI {
    /// Adds `finalizer` to `object` with an update, unless it has it already.
    ///
    /// The update carries `object`'s resourceVersion, so a stale copy fails with a conflict
    /// (and the reconcile retries on fresh data) rather than overwriting someone's change.
    /// - Returns: the stored object, or nil when nothing was written.
    @discardableResult
    public func addFinalizer(
        _ finalizer: String, to object: JSONValue,
        _ resource: ResourceType
    ) async throws(KubeClientError) -> JSONValue? {
        var updated = object
        guard Finalizers.add(finalizer, to: &updated) else { return nil }
        return try await update(resource, namespace: object.namespace, object: updated)
    }

    /// Removes `finalizer` from `object` with an update, unless it lacks it. An object already
    /// gone counts as done (its finalizers went with it).
    /// - Returns: the stored object, or nil when nothing was written.
    @discardableResult
    public func removeFinalizer(
        _ finalizer: String, from object: JSONValue,
        _ resource: ResourceType
    ) async throws(KubeClientError) -> JSONValue? {
        var updated = object
        guard Finalizers.remove(finalizer, from: &updated) else { return nil }
        return try await tolerating(KubeClientError.notFound) { () async throws(KubeClientError) in
            try await update(resource, namespace: object.namespace, object: updated)
        }
    }
}
