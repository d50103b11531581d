import KubeModel
import NIOHTTP1

extension HTTPKubernetesClient {
    /// `GET` one object (or one of its subresources). A nil `namespace` for a namespaced
    /// resource means the configuration's namespace.
    public func get(
        _ resource: ResourceType, namespace: String?, name: String,
        subresource: String?
    ) async throws(KubeClientError) -> JSONValue {
        let target = ResourcePath(
            resource, namespace: self.namespace(namespace, for: resource), name: name,
            subresource: subresource)
        return try await perform(.GET, target)
    }

    /// Lists objects. With `options.limit` this is one page (its `continueToken` asks for
    /// the next); without, every page the server hands out is fetched and concatenated. A
    /// nil `namespace` lists across all namespaces.
    ///
    /// Items get `apiVersion` and `kind` filled in when the server leaves them out (as
    /// kube-apiserver does for built-in kinds), so every object stands alone.
    public func list(
        _ resource: ResourceType, namespace: String?,
        options: ListOptions
    ) async throws(KubeClientError) -> ObjectList {
        var page = try await listPage(resource, namespace: namespace, options: options)
        guard options.limit == nil else { return page }
        var next = options
        // A continued list is already pinned to the first page's snapshot; servers refuse
        // a resourceVersion next to a continue token.
        next.resourceVersion = nil
        while let token = page.continueToken {
            next.continueToken = token
            let more = try await listPage(resource, namespace: namespace, options: next)
            page.items.append(contentsOf: more.items)
            page.continueToken = more.continueToken
        }
        return page
    }

    func listPage(
        _ resource: ResourceType, namespace: String?,
        options: ListOptions
    ) async throws(KubeClientError) -> ObjectList {
        var target = ResourcePath(resource, namespace: resource.namespaced ? namespace : nil)
        target.add(list: options, watch: false)
        let answer = try await perform(.GET, target)
        var items: [JSONValue]
        switch answer["items"] ?? .null {
        case .array(let values): items = values
        case .null: items = []
        default:
            throw KubeClientError.invalidResponse("the list has no items array", request: Self.describe(.GET, target))
        }
        for index in items.indices {
            if items[index]["apiVersion"] == nil { items[index]["apiVersion"] = .string(resource.apiVersion) }
            if items[index]["kind"] == nil { items[index]["kind"] = .string(resource.kind) }
        }
        let continueToken = answer[path: ["metadata", "continue"]]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return ObjectList(
            items: items, resourceVersion: ResourceVersion(answer[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""),
            continueToken: continueToken)
    }

    /// `POST` a new object into `namespace`, else the object's own namespace, else the
    /// configuration's.
    public func create(
        _ resource: ResourceType, namespace: String?, object: JSONValue,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        var target = ResourcePath(resource, namespace: self.namespace(namespace, for: resource, object: object))
        target.add(write: options)
        return try await perform(.POST, target, body: object)
    }

    public func post(
        _ resource: ResourceType, namespace: String?, name: String, subresource: String, body: JSONValue,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        var target = ResourcePath(
            resource, namespace: self.namespace(namespace, for: resource), name: name,
            subresource: subresource)
        target.add(write: options)
        return try await perform(.POST, target, body: body)
    }

    /// `PUT` the object back under its `metadata.name`; the server compares
    /// `metadata.resourceVersion` and answers 409 `Conflict` when it is stale.
    public func update(
        _ resource: ResourceType, namespace: String?, object: JSONValue, subresource: String?,
        options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        guard let name = object[path: ["metadata", "name"]]?.stringValue, !name.isEmpty else {
            throw KubeClientError(
                code: 0, reason: "Invalid", message: "the object to update has no metadata.name",
                request: "PUT \(resource)")
        }
        var target = ResourcePath(
            resource, namespace: self.namespace(namespace, for: resource, object: object),
            name: name, subresource: subresource)
        target.add(write: options)
        return try await perform(.PUT, target, body: object)
    }

    /// `PATCH` with the content type of `type`: JSON patch, JSON merge patch or strategic
    /// merge patch.
    public func patch(
        _ resource: ResourceType, namespace: String?, name: String, patch: JSONValue, type: PatchType,
        subresource: String?, options: WriteOptions
    ) async throws(KubeClientError) -> JSONValue {
        var target = ResourcePath(
            resource, namespace: self.namespace(namespace, for: resource), name: name,
            subresource: subresource)
        target.add(write: options)
        return try await perform(.PATCH, target, body: patch, contentType: type.rawValue)
    }

    /// `DELETE` with the options as a `DeleteOptions` JSON body (as kubectl sends them)
    /// and, for servers that only read the query, as query parameters too.
    public func delete(
        _ resource: ResourceType, namespace: String?, name: String,
        options: DeleteOptions
    ) async throws(KubeClientError) -> JSONValue {
        var target = ResourcePath(resource, namespace: self.namespace(namespace, for: resource), name: name)
        target.add(delete: options)
        return try await perform(.DELETE, target, body: options.body)
    }
}

extension DeleteOptions {
    /// The `meta.k8s.io/v1` `DeleteOptions` object these options describe.
    var body: JSONValue {
        var body: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { body["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { body["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        var preconditions: JSONValue = [:]
        if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion.rawValue) }
        if preconditions != [:] { body["preconditions"] = preconditions }
        if dryRun { body["dryRun"] = ["All"] }
        return body
    }
}
