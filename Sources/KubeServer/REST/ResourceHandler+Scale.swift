import KubeModel

/// The `scale` subresource (`kubectl scale`, HorizontalPodAutoscalers): an `autoscaling/v1`
/// `Scale` view of a workload's `spec.replicas`, read and written without touching the rest
/// of the object, as kube-apiserver serves it for Deployments, ReplicaSets, StatefulSets and
/// ReplicationControllers.
extension ResourceHandler {
    static let scalableResources: Set<GroupResource> = [
        GroupResource(group: "apps", resource: "deployments"), GroupResource(group: "apps", resource: "replicasets"),
        GroupResource(group: "apps", resource: "statefulsets"), GroupResource(group: "", resource: "replicationcontrollers"),
    ]

    func handleScale(_ call: Call) async throws(APIError) -> APIResponse {
        let resource = call.resource
        switch call.method {
        case .get:
            guard let stored = store.get(call.key) else {
                throw APIError.notFound(resource.resource, group: resource.group, name: call.key.name)
            }
            return .object(200, Self.scale(of: stored.object).serialized())
        case .put:
            let body = try parseBody(call)
            return try await writeScale(call) { _ throws(APIError) in body }
        case .patch:
            let patch = try parseBody(call)
            guard let kind = PatchKind(contentType: call.contentType) else {
                throw APIError(
                    code: 415, reason: .unsupportedMediaType,
                    message: "the body of the request was in an unknown format - accepted media types include: "
                        + PatchKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return try await writeScale(call) { (scale: JSONValue) throws(APIError) -> JSONValue in
                try Self.apply(patch, kind: kind, to: scale)
            }
        default:
            throw APIError(
                code: 405, reason: .methodNotAllowed,
                message: "\(call.method.rawValue) is not supported on \(resource.resource)/scale")
        }
    }

    /// Turns the current object into its Scale, lets `change` produce the new Scale, and
    /// writes its `spec.replicas` back through the normal update path (admission, generation,
    /// compare-and-swap). A Scale carrying a `resourceVersion` must carry the current one.
    private func writeScale(
        _ call: Call, change: @escaping (JSONValue) throws(APIError) -> JSONValue
    ) async throws(APIError) -> APIResponse {
        let resource = call.resource
        let name = call.key.name
        let response = try await write(call, subresource: nil) { (current: JSONValue) throws(APIError) -> JSONValue in
            let wanted = try change(Self.scale(of: current))
            if let version = wanted.resourceVersion, !version.isEmpty, version != current.resourceVersion {
                throw APIError.conflict(
                    resource.resource, group: resource.group, name: name,
                    "the object has been modified; please apply your changes to the latest version and try again")
            }
            if let other = wanted.name, !other.isEmpty, other != name {
                throw APIError.badRequest("the name of the Scale (\(other)) does not match the name in the URL (\(name))")
            }
            guard let replicas = wanted[path: ["spec", "replicas"]]?.intValue ?? (wanted["spec"] == nil ? 0 : nil),
                replicas >= 0, replicas <= Int64(Int32.max)
            else {
                throw APIError.invalid(
                    kind: "Scale", group: "autoscaling", name: name,
                    causes: [
                        .init(
                            reason: "FieldValueInvalid",
                            message: "Invalid value: \(wanted[path: ["spec", "replicas"]] ?? .null): must be greater than or equal to 0",
                            field: "spec.replicas")
                    ])
            }
            var object = current
            object[path: ["spec", "replicas"]] = .int(replicas)
            return object
        }
        guard case .object(let code, let bytes, let warnings) = response, let object = try? JSONValue(parsing: bytes) else {
            return response
        }
        return .object(code, Self.scale(of: object).serialized(), warnings: warnings)
    }

    /// The `autoscaling/v1` Scale of a workload: its identity, `spec.replicas`, and the
    /// observed replicas with the pod selector as text (what an HPA lists pods by).
    static func scale(of object: JSONValue) -> JSONValue {
        var metadata: JSONValue = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = object["metadata"]?[key] { metadata[key] = value }
        }
        var status: JSONValue = ["replicas": .int(object[path: ["status", "replicas"]]?.intValue ?? 0)]
        let selector = selectorText(object[path: ["spec", "selector"]])
        if !selector.isEmpty { status["selector"] = .string(selector) }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
            "spec": ["replicas": .int(object[path: ["spec", "replicas"]]?.intValue ?? 1)],
            "status": status,
        ]
    }

    /// A selector as label-selector text: `metav1.LabelSelector` (apps) or a plain map
    /// (ReplicationController), as Go prints it — requirements sorted by key, and the values
    /// of `in`/`notin` sorted as `labels.NewRequirement` sorts them. A selector that does not
    /// parse prints as nothing (it selects nothing either).
    static func selectorText(_ selector: JSONValue?) -> String {
        guard let selector, case .object(let fields) = selector else { return "" }
        let parsed: LabelSelector
        if fields["matchLabels"] != nil || fields["matchExpressions"] != nil {
            guard let read = try? LabelSelector(json: selector) else { return "" }
            parsed = read
        } else {
            parsed = LabelSelector(matchLabels: fields.compactMapValues(\.stringValue))
        }
        return LabelSelector(
            requirements: parsed.requirements.map { requirement in
                var sorted = requirement
                sorted.values.sort()
                return sorted
            }
        ).description
    }
}
