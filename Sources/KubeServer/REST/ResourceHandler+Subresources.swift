import KubeModel

extension ResourceHandler {
    /// Kinds whose streaming subresources (`log`, `exec`, `attach`, `portforward`, `proxy`)
    /// a real cluster serves through the kubelet.
    static let streamingSubresourceOwners: Set<GroupResource> = [
        BuiltinResources.pods.groupResource, GroupResource(group: "", resource: "nodes"),
        GroupResource(group: "", resource: "services"),
    ]

    func handleSubresource(_ subresource: String, _ call: Call) async throws(APIError) -> APIResponse {
        let resource = call.resource
        guard call.path.name != nil else {
            throw APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource")
        }
        switch (subresource, call.method) {
        case ("status", .get) where resource.hasStatus:
            return try get(call)
        case ("status", .put) where resource.hasStatus:
            return try await update(call, subresource: "status")
        case ("status", .patch) where resource.hasStatus:
            return try await patch(call, subresource: "status")
        case ("scale", _) where Self.scalableResources.contains(resource.groupResource):
            return try await handleScale(call)
        case ("binding", .post) where resource.groupResource == BuiltinResources.pods.groupResource:
            return try await bind(call)
        case ("token", .post) where resource.groupResource == ServiceAccountResources.serviceAccounts:
            return try createToken(call)
        case ("eviction", .post) where resource.groupResource == BuiltinResources.pods.groupResource:
            let options = try DeleteOptions(
                Call(
                    resource: resource, path: call.path, method: .delete,
                    options: call.options, body: [], contentType: ""))
            _ = try await Self.delete(call.key, resource: resource, options: options, in: store)
            return .object(201, Self.createdStatus)
        case ("log", .get) where resource.groupResource == BuiltinResources.pods.groupResource:
            return try podLog(call)
        case ("exec", .get), ("exec", .post), ("attach", .get), ("attach", .post), ("portforward", .get),
            ("portforward", .post)
        where resource.groupResource == BuiltinResources.pods.groupResource:
            guard store.get(call.key) != nil else {
                throw APIError.notFound(resource.resource, group: resource.group, name: call.key.name)
            }
            throw Self.processSubresourceNotImplemented(subresource, resource: resource, name: call.key.name)
        case ("log", _), ("exec", _), ("attach", _), ("portforward", _),
            ("proxy", _)
        where Self.streamingSubresourceOwners.contains(resource.groupResource):
            // A 404 here would read as "no such pod"; say what is really missing.
            throw APIError(
                code: 405, reason: .methodNotAllowed,
                message: "Virtyard's embedded API does not serve \(resource.resource)/\(subresource): its pods run no containers")
        default:
            throw APIError(
                code: 404, reason: .notFound,
                message: "the server could not find the requested resource (\(call.method.rawValue) \(resource.resource)/\(subresource))")
        }
    }

    /// `pods/<name>/binding`: the scheduler's way to place a pod on a node, once.
    private func bind(_ call: Call) async throws(APIError) -> APIResponse {
        let binding = try parseBody(call)
        guard let node = binding[path: ["target", "name"]]?.stringValue, !node.isEmpty else {
            throw APIError.invalid(
                kind: "Binding", group: "", name: call.key.name,
                causes: [
                    .init(reason: "FieldValueRequired", message: "Required value", field: "target.name")
                ])
        }
        let resource = call.resource
        let key = call.key
        try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard var pod = current?.object else {
                throw APIError.notFound(resource.resource, group: resource.group, name: key.name)
            }
            if let assigned = pod[path: ["spec", "nodeName"]]?.stringValue, !assigned.isEmpty {
                throw APIError.conflict(
                    resource.resource, group: resource.group, name: key.name,
                    "pod \(key.name) is already assigned to node \"\(assigned)\"")
            }
            if pod.deletionTimestamp != nil {
                throw APIError.conflict(
                    resource.resource, group: resource.group, name: key.name,
                    "pod \(key.name) is being deleted, cannot be assigned to a host")
            }
            pod[path: ["spec", "nodeName"]] = .string(node)
            var conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
            conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
            conditions.append([
                "type": "PodScheduled", "status": "True", "lastProbeTime": .null,
                "lastTransitionTime": .string(Timestamp.now()),
            ])
            pod[path: ["status", "conditions"]] = .array(conditions)
            return .put(pod)
        }
        return .object(201, Self.createdStatus)
    }
}
