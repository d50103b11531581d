import KubeModel

extension Pod {
    /// The pod's `Ready` condition is `True` (what a ReplicaSet counts as ready).
    var isReady: Bool { conditions.condition("Ready")?.isTrue ?? false }

    /// Still counts towards its owner's replicas: not finished and not being deleted
    /// (`controller.FilterActivePods`).
    var isActive: Bool { !isDeleting && phase?.isFinished != true }

    /// `spec.restartPolicy`, `Always` when unset (the API server's default).
    var restartPolicy: String { object[path: ["spec", "restartPolicy"]]?.stringValue ?? "Always" }

    /// A pod object to create from a pod template (`spec.template` of a workload), owned by
    /// `owner`, named by the API server from `generateName`.
    static func fromTemplate(
        _ template: JSONValue, generateName: String, namespace: String,
        owner: OwnerReference, extraLabels: [String: String] = [:]
    ) -> JSONValue {
        var pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "generateName": .string(generateName),
                "namespace": .string(namespace),
            ],
        ]
        var labels = template.labels
        for (key, value) in extraLabels { labels[key] = value }
        pod.labels = labels
        pod.annotations = template.annotations
        if let finalizers = template[path: ["metadata", "finalizers"]] { pod[path: ["metadata", "finalizers"]] = finalizers }
        pod.ownerReferences = [owner]
        pod["spec"] = template["spec"] ?? [:]
        return pod
    }
}
