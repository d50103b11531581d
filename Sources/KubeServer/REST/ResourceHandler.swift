import Foundation
import Hummingbird
import KubeModel

/// Serves the verbs on one resource path: get, list, watch, create, update, patch, delete,
/// deletecollection, and the status, binding and eviction subresources.
struct ResourceHandler: Sendable {
    let store: ObjectStore
    let registry: ResourceRegistry
    /// Defaults and validation; with the store, so Services get cluster IPs no other
    /// Service holds.
    let admission: ObjectAdmission
    /// Called after a CustomResourceDefinition is written, so its resources are served
    /// before the write is acknowledged.
    let onCRDWritten: @Sendable (JSONValue) async -> Void
    /// Signs `serviceaccounts/<name>/token` (TokenRequest); nil serves no tokens.
    var serviceAccountTokens: ServiceAccountTokens?

    init(store: ObjectStore, registry: ResourceRegistry, onCRDWritten: @escaping @Sendable (JSONValue) async -> Void) {
        self.store = store
        self.registry = registry
        self.admission = ObjectAdmission(store: store)
        self.onCRDWritten = onCRDWritten
    }

    struct Call {
        var resource: APIResource
        var path: APIPath.ResourcePath
        var method: HTTPRequest.Method
        var options: RequestOptions
        var body: [UInt8]
        var contentType: String
        /// The client asked for a `meta.k8s.io/v1` Table (as `kubectl get` does).
        var acceptsTable = false

        /// The Kubernetes verb, upper-case as kube-apiserver's metrics spell it.
        var verb: String {
            switch (method, path.name) {
            case (.get, nil): return options.watch || path.watchPrefix ? "WATCH" : "LIST"
            case (.get, .some): return path.watchPrefix ? "WATCH" : "GET"
            case (.post, _): return "POST"
            case (.put, _): return "PUT"
            case (.patch, _): return "PATCH"
            case (.delete, nil): return "DELETECOLLECTION"
            case (.delete, .some): return "DELETE"
            default: return method.rawValue
            }
        }

        var key: StorageKey {
            StorageKey(
                resource.groupResource, namespace: resource.namespaced ? (path.namespace ?? "") : "",
                name: path.name ?? "")
        }
    }

    /// The request verb (as metrics spell it) → the verb discovery lists for a kind.
    static let discoveryVerbs: [String: String] = [
        "LIST": "list", "WATCH": "watch", "GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch",
        "DELETE": "delete", "DELETECOLLECTION": "deletecollection",
    ]

    func handle(_ call: Call) async throws(APIError) -> APIResponse {
        let resource = call.resource
        if resource.namespaced == false, call.path.namespace != nil {
            throw APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource")
        }
        if let subresource = call.path.subresource {
            return try await handleSubresource(subresource, call)
        }
        if let verb = Self.discoveryVerbs[call.verb], !resource.verbs.contains(verb) {
            throw APIError.methodNotAllowed("\(resource.resource).\(resource.group) does not support \(verb)")
        }
        if call.method == .get, let requested = call.options.requestedVersion {
            try Self.requireSeen(requested, current: store.currentResourceVersion)
        }
        switch (call.method, call.path.name) {
        case (.get, nil):
            if call.options.watch || call.path.watchPrefix { return try watch(call) }
            return try list(call)
        case (.get, .some):
            if call.path.watchPrefix {
                var named = call
                let name = call.path.name ?? ""
                // Built, not parsed: a name is a value, whatever characters it holds.
                named.options.fieldSelector = FieldSelector(
                    requirements: [.init(field: "metadata.name", op: .equals, value: name)]
                        + (call.options.fieldSelector?.requirements ?? []))
                named.path.name = nil
                return try watch(named)
            }
            return try get(call)
        case (.post, nil):
            return try await create(call)
        case (.put, .some):
            return try await update(call, subresource: nil)
        case (.patch, .some):
            return try await patch(call, subresource: nil)
        case (.delete, .some):
            return try await delete(call)
        case (.delete, nil):
            return try await deleteCollection(call)
        default:
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    // MARK: Reads

    /// A read at a resourceVersion this store has not reached yet: kube-apiserver's watch
    /// cache answers 504 "Too large resource version" (clients then re-list).
    static func requireSeen(_ requested: Int64, current: Int64) throws(APIError) {
        guard requested > current else { return }
        throw APIError(
            code: 504, reason: .timeout,
            message: "Too large resource version: \(requested), current: \(current)",
            causes: [.init(reason: "ResourceVersionTooLarge", message: "Too large resource version", field: "")])
    }

    func get(_ call: Call) throws(APIError) -> APIResponse {
        guard let stored = store.get(call.key) else {
            throw APIError.notFound(call.resource.resource, group: call.resource.group, name: call.key.name)
        }
        if call.acceptsTable {
            let table = TablePrinter().table(
                for: call.resource, objects: [stored.object], resourceVersion: nil,
                includeObject: call.options.includeObject)
            return .object(200, table.serialized())
        }
        return .object(200, versioned(stored, for: call.resource))
    }

    func list(_ call: Call) throws(APIError) -> APIResponse {
        let namespace = call.resource.namespaced ? call.path.namespace : nil
        let (entries, resourceVersion) = store.sortedEntries(call.resource.groupResource, namespace: namespace)
        var startAfter: (String, String)?
        if let token = call.options.continueToken {
            guard let decoded = ContinueToken(encoded: token) else {
                throw APIError.badRequest("continue key is not valid: \(token)")
            }
            startAfter = (decoded.namespace, decoded.name)
        }
        var selected: [[UInt8]] = []
        var selectedObjects: [JSONValue] = []
        var lastSelected: ObjectStore.NamespacedName?
        var nextToken: String?
        var remaining: Int64?
        let limit = call.options.limit
        // Stored objects are kept encoded: one is parsed only when a selector or a table
        // has to read it, and then once.
        let filtering = call.options.hasSelectors
        let selectorPaths = call.options.selectorPaths
        for (index, entry) in entries.enumerated() {
            if let (namespace, name) = startAfter, (entry.key.namespace, entry.key.name) <= (namespace, name) { continue }
            if filtering, !call.options.matches(stored: entry.object, along: selectorPaths) { continue }
            if let limit, selected.count + selectedObjects.count == limit {
                if let lastSelected {
                    nextToken =
                        ContinueToken(namespace: lastSelected.namespace, name: lastSelected.name, resourceVersion: resourceVersion)
                        .encoded
                }
                if !filtering { remaining = Int64(entries.count - index) }
                break
            }
            lastSelected = entry.key
            if call.acceptsTable {
                selectedObjects.append(entry.object.object)
            } else {
                selected.append(versioned(entry.object, for: call.resource))
            }
        }
        if call.acceptsTable {
            var table = TablePrinter().table(
                for: call.resource, objects: selectedObjects,
                resourceVersion: String(resourceVersion),
                includeObject: call.options.includeObject)
            if let nextToken { table[path: ["metadata", "continue"]] = .string(nextToken) }
            return .object(200, table.serialized())
        }
        var body: [UInt8] = []
        body.reserveCapacity(selected.reduce(128) { $0 + $1.count + 1 })
        body.append(contentsOf: "{\"apiVersion\":".utf8)
        JSONValue.string(call.resource.apiVersion).write(into: &body)
        body.append(contentsOf: ",\"kind\":".utf8)
        JSONValue.string(call.resource.listKind).write(into: &body)
        body.append(contentsOf: ",\"metadata\":".utf8)
        var metadata: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if let nextToken { metadata["continue"] = .string(nextToken) }
        if let remaining { metadata["remainingItemCount"] = .int(remaining) }
        metadata.write(into: &body)
        body.append(contentsOf: ",\"items\":[".utf8)
        for (position, item) in selected.enumerated() {
            if position > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: item)
        }
        body.append(contentsOf: "]}".utf8)
        return .object(200, body)
    }

    /// The stored encoding, or a re-encoding when the request names another served version.
    func versioned(_ stored: StoredObject, for resource: APIResource) -> [UInt8] {
        guard stored.apiVersion != resource.apiVersion else { return stored.bytes }
        var object = stored.object
        object.apiVersion = resource.apiVersion
        return object.serialized()
    }

    // MARK: Writes

    func create(_ call: Call) async throws(APIError) -> APIResponse {
        var object = try parseBody(call)
        let namespace = call.resource.namespaced ? call.path.namespace : nil
        if call.resource.namespaced {
            try requireActiveNamespace(namespace ?? "")
        }
        let warnings = try admission.prepareCreate(
            &object, resource: call.resource, namespace: namespace,
            fieldValidation: call.options.fieldValidation)
        let key = StorageKey(call.resource.groupResource, namespace: namespace ?? "", name: object.name ?? "")
        if call.options.dryRun {
            if store.get(key) != nil {
                throw APIError.alreadyExists(call.resource.resource, group: call.resource.group, name: key.name)
            }
            return .object(201, object.serialized(), warnings: warnings)
        }
        let resource = call.resource
        // A generated name can collide (27⁵ choices); pick another, as kube-apiserver does.
        let generated =
            object[path: ["metadata", "generateName"]]?.stringValue.map { prefix in
                object.name?.hasPrefix(prefix) == true
            } ?? false
        var attempt = 0
        var result: MutationResult
        while true {
            let candidateKey = StorageKey(resource.groupResource, namespace: namespace ?? "", name: object.name ?? "")
            let candidate = try store.encode(object, key: candidateKey)
            do {
                result = try await store.mutate(candidateKey) { (current: StoredObject?) throws(APIError) -> Mutation in
                    if current != nil {
                        throw APIError.alreadyExists(resource.resource, group: resource.group, name: candidateKey.name)
                    }
                    return .putEncoded(candidate)
                }
                break
            } catch  where error.reason == .alreadyExists && generated && attempt < 8 {
                attempt += 1
                let prefix = object[path: ["metadata", "generateName"]]?.stringValue ?? ""
                object.name = prefix + GeneratedName.randomSuffix()
            }
        }
        guard let created = result.after else { throw APIError.internalError("object vanished while being created") }
        await afterWrite(created, resource: resource)
        return .object(201, created.bytes, warnings: warnings)
    }

    func update(_ call: Call, subresource: String?) async throws(APIError) -> APIResponse {
        let sent = try parseBody(call)
        return try await write(call, subresource: subresource) { (current: JSONValue) throws(APIError) -> JSONValue in
            // As kube-apiserver: an update that leaves `managedFields` out keeps the recorded
            // owners (clients that build objects from scratch); `[]` clears them.
            var object = sent
            if object[path: ["metadata", "managedFields"]] == nil, let owners = current[path: ["metadata", "managedFields"]] {
                object[path: ["metadata", "managedFields"]] = owners
            }
            return object
        }
    }

    func patch(_ call: Call, subresource: String?) async throws(APIError) -> APIResponse {
        if HTTPMediaType.essence(of: call.contentType) == Self.applyMediaType {
            return try await serverSideApply(call, subresource: subresource)
        }
        if call.options.force != nil {
            throw Self.patchOptionsInvalid(
                .init(reason: "FieldValueForbidden", message: "Forbidden: may not be specified for non-apply patch", field: "force"))
        }
        let patch = try parseBody(call)
        let kind = PatchKind(contentType: call.contentType)
        guard let kind else {
            throw APIError(
                code: 415, reason: .unsupportedMediaType,
                message:
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"
            )
        }
        if kind == .strategic, call.resource.schema != nil {
            throw APIError(
                code: 415, reason: .unsupportedMediaType,
                message:
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
            )
        }
        return try await write(call, subresource: subresource) { (current: JSONValue) throws(APIError) -> JSONValue in
            try Self.apply(patch, kind: kind, to: current)
        }
    }

    /// One JSON, merge or strategic merge patch applied to `current`: the patch and scale
    /// paths share it, so a bad patch reads the same wherever it is sent.
    static func apply(_ patch: JSONValue, kind: PatchKind, to current: JSONValue) throws(APIError) -> JSONValue {
        do {
            switch kind {
            case .json: return try JSONPatch.apply(patch, to: current)
            case .merge: return MergePatch.apply(patch, to: current)
            case .strategic: return try StrategicMergePatch.apply(patch, to: current)
            }
        } catch {
            throw APIError(
                code: 422, reason: .invalid, message: "the server rejected our request due to an error in our request: \(error)")
        }
    }

    /// The shared path of update and patch: read, transform, admit, compare-and-swap.
    func write(
        _ call: Call, subresource: String?,
        transform: @escaping (JSONValue) throws(APIError) -> JSONValue
    ) async throws(APIError) -> APIResponse {
        let resource = call.resource
        let key = call.key
        let admission = self.admission
        let options = call.options
        var warnings: [String] = []
        if options.dryRun {
            guard let current = store.get(key) else {
                throw APIError.notFound(resource.resource, group: resource.group, name: key.name)
            }
            let old = current.object
            var object = try transform(old)
            warnings = try admission.prepareUpdate(
                &object, old: old, resource: resource, subresource: subresource, fieldValidation: options.fieldValidation)
            object.resourceVersion = old.resourceVersion
            return .object(200, object.serialized(), warnings: warnings)
        }
        let result = try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
            guard let current else { throw APIError.notFound(resource.resource, group: resource.group, name: key.name) }
            let old = current.object
            var object = try transform(old)
            warnings = try admission.prepareUpdate(
                &object, old: old, resource: resource, subresource: subresource, fieldValidation: options.fieldValidation)
            var unchanged = object
            unchanged.resourceVersion = old.resourceVersion
            // Compared encoded: a tree the store kept from its writer may hold `1.0` where the
            // encoding, parsed again, holds `1`.
            if unchanged.serialized() == current.bytes { return .unchanged }
            if object.deletionTimestamp != nil, object.finalizers.isEmpty, !Self.hasNamespaceFinalizers(object, resource) {
                return .delete
            }
            return .put(object)
        }
        if let after = result.after {
            await afterWrite(after, resource: resource)
            return .object(200, after.bytes, warnings: warnings)
        }
        // The last finalizer was removed: the object is gone, and the client sees its last state.
        var last = result.before?.object ?? [:]
        last.finalizers = []
        return .object(200, last.serialized(), warnings: warnings)
    }

    static func hasNamespaceFinalizers(_ object: JSONValue, _ resource: APIResource) -> Bool {
        resource.groupResource == BuiltinResources.namespaces.groupResource
            && !(object[path: ["spec", "finalizers"]]?.arrayValue?.isEmpty ?? true)
    }

    private func afterWrite(_ stored: StoredObject, resource: APIResource) async {
        if resource.groupResource == BuiltinResources.customResourceDefinitions.groupResource {
            await onCRDWritten(stored.object)
        }
    }

    func parseBody(_ call: Call) throws(APIError) -> JSONValue {
        guard !call.body.isEmpty else { throw APIError.badRequest("the request body is empty") }
        do {
            return try JSONValue(parsing: call.body)
        } catch {
            if call.contentType.contains("yaml") {
                throw APIError(code: 415, reason: .unsupportedMediaType, message: "YAML request bodies are not supported; send JSON")
            }
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
    }

    func requireActiveNamespace(_ namespace: String) throws(APIError) {
        guard let lifecycle = store.namespaceLifecycle(namespace) else {
            throw APIError.notFound("namespaces", group: "", name: namespace)
        }
        if lifecycle == .terminating {
            throw APIError(
                code: 403, reason: .forbidden,
                message: "unable to create new content in namespace \(namespace) because it is being terminated",
                kind: "namespaces", name: namespace)
        }
    }
}

/// The response a handler produces, turned into HTTP by the responder.
enum APIResponse {
    case object(Int, [UInt8], warnings: [String] = [])
    /// `text/plain` (a pod's log).
    case text(Int, [UInt8])
    /// `text/plain` that stays open after `initial` until `ends` says an event of `watch`
    /// ends it, or the client leaves (`kubectl logs -f`).
    case followedText([UInt8], watch: ObjectStore.WatchRegistration, ends: @Sendable (WatchEvent) -> Bool)
    /// `table`: the events carry one-row Tables of this resource (kubectl get -w).
    case stream(ObjectStore.WatchRegistration, timeout: Duration, bookmarks: Bool, apiVersion: String, table: TableRequest?)
}

enum PatchKind: String, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"

    init?(contentType: String) {
        self.init(rawValue: HTTPMediaType.essence(of: contentType))
    }
}

/// The opaque `continue` token: where the previous page stopped.
struct ContinueToken {
    var namespace: String
    var name: String
    var resourceVersion: Int64

    init(namespace: String, name: String, resourceVersion: Int64) {
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
    }

    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let json = try? JSONValue(parsing: Array(data)),
            let name = json["start"]?.stringValue
        else { return nil }
        self.namespace = json["ns"]?.stringValue ?? ""
        self.name = name
        self.resourceVersion = json["rv"]?.intValue ?? 0
    }

    var encoded: String {
        let json: JSONValue = ["ns": .string(namespace), "start": .string(name), "rv": .int(resourceVersion)]
        return Data(json.serialized()).base64EncodedString()
    }
}
