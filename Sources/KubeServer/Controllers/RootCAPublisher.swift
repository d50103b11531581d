import KubeModel
import Logging

/// kube-controller-manager's root-CA publisher: every active namespace has a
/// `kube-root-ca.crt` ConfigMap whose `ca.crt` is the CA clients trust for this API server,
/// put back when deleted or edited (pods read it to verify the API server).
enum RootCAPublisher {
    static let configMapName = "kube-root-ca.crt"

    static func make(store: ObjectStore, registry: ResourceRegistry, caPEM: String, logger: Logger) -> PerNamespaceObject? {
        guard let resource = registry.lookup(group: "", version: "v1", resource: "configmaps") else { return nil }
        return PerNamespaceObject(
            store: store, resource: resource, name: configMapName,
            desired: { namespace in
                [
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": [
                        "name": .string(configMapName), "namespace": .string(namespace),
                        "annotations": [
                            "kubernetes.io/description":
                                "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."
                        ],
                    ],
                    "data": ["ca.crt": .string(caPEM)],
                ]
            },
            ownedFields: ["data"], logger: logger)
    }
}
