import KubeModel
import Logging

/// kube-controller-manager's ServiceAccount controller: every active namespace has a
/// `default` ServiceAccount, created again if deleted (`kubectl create token default`
/// works in any namespace).
enum ServiceAccountController {
    static let defaultName = "default"

    static func make(store: ObjectStore, registry: ResourceRegistry, logger: Logger) -> PerNamespaceObject? {
        guard let resource = registry.lookup(group: "", version: "v1", resource: "serviceaccounts") else { return nil }
        return PerNamespaceObject(
            store: store, resource: resource, name: defaultName,
            desired: { namespace in
                [
                    "apiVersion": "v1", "kind": "ServiceAccount",
                    "metadata": ["name": .string(defaultName), "namespace": .string(namespace)],
                ]
            },
            ownedFields: [], logger: logger)
    }
}
