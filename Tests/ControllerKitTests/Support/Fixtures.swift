import KubeClient
import KubeModel

/// Resource types and objects shared by the tests.
enum Fixtures {
    static let pods = ResourceType.pods
    static let configMaps = ResourceType.configMaps
    static let widgets = ResourceType(
        group: "virtyard.io", version: "v1alpha1", resource: "widgets", kind: "Widget",
        namespaced: true)
    static let leases = ResourceType.leases

    static func object(
        _ resource: ResourceType, _ namespace: String, _ name: String, labels: [String: String] = [:],
        data: JSONValue? = nil
    ) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind),
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
        ]
        object.labels = labels
        if let data { object["data"] = data }
        return object
    }

    /// A pod controlled by a widget.
    static func ownedPod(_ namespace: String, _ name: String, owner: String) -> JSONValue {
        var pod = object(pods, namespace, name)
        pod.ownerReferences = [
            OwnerReference(
                apiVersion: "virtyard.io/v1alpha1", kind: "Widget", name: owner,
                uid: "uid-\(owner)", controller: true)
        ]
        return pod
    }
}

/// Runs `body` while `run` (a service's run loop) runs in a child task, then cancels it and
/// waits for it to end.
@discardableResult
func withRunning<T: Sendable>(
    _ run: @escaping @Sendable () async throws -> Void,
    _ body: () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await run() }
        let result = try await body()
        group.cancelAll()
        while (try? await group.next()) != nil {}
        return result
    }
}
