import KubeModel

@testable import KubeServer

/// ConfigMaps in `default`: what the store's own tests write and read back.
extension StorageKey {
    static func configMap(_ name: String) -> StorageKey {
        StorageKey(GroupResource(group: "", resource: "configmaps"), namespace: "default", name: name)
    }
}

extension ObjectStore {
    /// Stores `object` (a ConfigMap in `default`) under its name.
    @discardableResult
    func putConfigMap(_ object: JSONValue) async throws(APIError) -> MutationResult {
        let candidate = object
        return try await mutate(.configMap(object.name ?? "")) { _ throws(APIError) in .put(candidate) }
    }

    func deleteConfigMap(_ name: String) async throws(APIError) {
        try await mutate(.configMap(name)) { _ throws(APIError) in .delete }
    }
}
