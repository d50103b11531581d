import Foundation
import KubeModel

extension ResourceHandler {
    /// `DeleteOptions` from the body (kubectl sends them there) or the query.
    struct DeleteOptions {
        var propagationPolicy: String
        var preconditionUID: String?
        var preconditionResourceVersion: String?
        var dryRun: Bool
        /// The client sent `orphanDependents: false` (an old way to ask for cascading).
        var orphanDependentsFalse = false

        init(propagationPolicy: String) {
            self.propagationPolicy = propagationPolicy
            self.dryRun = false
        }

        init(_ call: Call) throws(APIError) {
            var policy = call.options.propagationPolicy
            var dryRun = call.options.dryRun
            if !call.body.isEmpty {
                let body: JSONValue
                do { body = try JSONValue(parsing: call.body) } catch {
                    throw APIError.badRequest("the DeleteOptions body is not valid JSON: \(error)")
                }
                policy = body["propagationPolicy"]?.stringValue ?? policy
                if body["orphanDependents"]?.boolValue == true { policy = "Orphan" }
                orphanDependentsFalse = body["orphanDependents"]?.boolValue == false
                preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
                preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
                if let modes = body["dryRun"]?.arrayValue, modes.contains("All") { dryRun = true }
            }
            let chosen = policy ?? "Background"
            guard ["Background", "Foreground", "Orphan"].contains(chosen) else {
                throw APIError.badRequest(
                    "propagationPolicy: Unsupported value: \"\(chosen)\": supported values: \"Background\", \"Foreground\", \"Orphan\"")
            }
            self.propagationPolicy = chosen
            self.dryRun = dryRun
        }
    }

    func delete(_ call: Call) async throws(APIError) -> APIResponse {
        let options = try DeleteOptions(call)
        let resource = call.resource
        let key = call.key
        let result: MutationResult
        if options.dryRun {
            // What the delete would do, written nowhere.
            let current = store.get(key)
            let after: StoredObject?
            switch try Self.deletion(of: current, key: key, resource: resource, options: options) {
            case .delete: after = nil
            case .unchanged: after = current
            case .put(let object):
                after = StoredObject(
                    object: object, bytes: object.serialized(),
                    resourceVersion: current?.resourceVersion ?? 0)
            case .putEncoded(let encoded):
                after = StoredObject(
                    object: encoded.object, bytes: encoded.object.serialized(),
                    resourceVersion: current?.resourceVersion ?? 0)
            }
            result = MutationResult(before: current, after: after)
        } else {
            result = try await Self.delete(key, resource: resource, options: options, in: store)
        }
        // Still there (finalizers or a namespace's content hold it): its new state, for every
        // kind. 202 only when the client asked for cascading with `orphanDependents: false`,
        // as kube-apiserver keeps it for old clients.
        if let after = result.after {
            return .object(options.orphanDependentsFalse ? 202 : 200, versioned(after, for: resource))
        }
        guard let before = result.before else {
            throw APIError.notFound(resource.resource, group: resource.group, name: key.name)
        }
        if Self.returnsDeletedObject(resource) { return .object(200, versioned(before, for: resource)) }
        return .object(200, Self.successStatus(resource: resource, name: key.name, uid: before.metadata.uid))
    }

    /// The kinds whose registry sets `ReturnDeletedObject: true` in kube-apiserver
    /// (`pkg/registry/*/storage/storage.go`): a DELETE that removes one answers with the
    /// object's last state; every other kind, custom resources included, answers with a
    /// `Status`. Namespaces return themselves although their OpenAPI says `Status`.
    static let kindsReturningDeletedObject: Set<GroupResource> = [
        GroupResource(group: "", resource: "pods"),
        GroupResource(group: "", resource: "podtemplates"),
        GroupResource(group: "", resource: "services"),
        GroupResource(group: "", resource: "serviceaccounts"),
        GroupResource(group: "", resource: "persistentvolumeclaims"),
        GroupResource(group: "", resource: "persistentvolumes"),
        GroupResource(group: "", resource: "resourcequotas"),
        GroupResource(group: "", resource: "namespaces"),
        GroupResource(group: "storage.k8s.io", resource: "storageclasses"),
        GroupResource(group: "storage.k8s.io", resource: "csidrivers"),
        GroupResource(group: "storage.k8s.io", resource: "csinodes"),
        GroupResource(group: "storage.k8s.io", resource: "volumeattachments"),
        GroupResource(group: "storage.k8s.io", resource: "volumeattributesclasses"),
        GroupResource(group: "resource.k8s.io", resource: "deviceclasses"),
        GroupResource(group: "resource.k8s.io", resource: "resourceclaims"),
        GroupResource(group: "resource.k8s.io", resource: "resourceclaimtemplates"),
        GroupResource(group: "resource.k8s.io", resource: "resourceslices"),
    ]

    static func returnsDeletedObject(_ resource: APIResource) -> Bool {
        resource.schema == nil && kindsReturningDeletedObject.contains(resource.groupResource)
    }

    /// Deletes one object the way Kubernetes does: immediately when nothing holds it, or by
    /// setting `deletionTimestamp` when finalizers (or the propagation policy's own) must
    /// run first.
    static func delete(
        _ key: StorageKey, resource: APIResource, options: DeleteOptions,
        in store: ObjectStore
    ) async throws(APIError) -> MutationResult {
        try await store.mutate(key) { (current: StoredObject?) throws(APIError) -> Mutation in
            try deletion(of: current, key: key, resource: resource, options: options)
        }
    }

    /// What deleting `current` writes: nothing left (`.delete`), or the object marked with
    /// `deletionTimestamp` while finalizers run.
    static func deletion(
        of current: StoredObject?, key: StorageKey, resource: APIResource,
        options: DeleteOptions
    ) throws(APIError) -> Mutation {
        guard let current else { throw APIError.notFound(resource.resource, group: resource.group, name: key.name) }
        var object = current.object
        if let uid = options.preconditionUID, uid != object.uid {
            throw APIError.conflict(
                resource.resource, group: resource.group, name: key.name,
                "Precondition failed: UID in precondition: \(uid), UID in object meta: \(object.uid ?? "")")
        }
        if let version = options.preconditionResourceVersion, version != object.resourceVersion {
            throw APIError.conflict(
                resource.resource, group: resource.group, name: key.name,
                "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(object.resourceVersion ?? "")"
            )
        }
        var finalizers = object.finalizers
        switch options.propagationPolicy {
        case "Foreground" where !finalizers.contains(ObjectAdmission.finalizerForeground):
            finalizers.append(ObjectAdmission.finalizerForeground)
        case "Orphan" where !finalizers.contains(ObjectAdmission.finalizerOrphan):
            finalizers.append(ObjectAdmission.finalizerOrphan)
        default:
            break
        }
        let namespaceFinalizers = hasNamespaceFinalizers(object, resource)
        if finalizers.isEmpty && !namespaceFinalizers { return .delete }
        if object.deletionTimestamp != nil && finalizers == object.finalizers { return .unchanged }
        object.finalizers = finalizers
        if object.deletionTimestamp == nil {
            object.deletionTimestamp = Timestamp.now()
            object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
        }
        if namespaceFinalizers { object[path: ["status", "phase"]] = "Terminating" }
        return .put(object)
    }

    func deleteCollection(_ call: Call) async throws(APIError) -> APIResponse {
        let options = try DeleteOptions(call)
        let namespace = call.resource.namespaced ? call.path.namespace : nil
        // kube-apiserver answers with the list it deleted from: each item as listed, before
        // its deletion, and the list's own resourceVersion.
        let (entries, listVersion) = store.sortedEntries(call.resource.groupResource, namespace: namespace)
        var deleted: [[UInt8]] = []
        let selectorPaths = call.options.selectorPaths
        for (slot, item) in entries where !call.options.hasSelectors || call.options.matches(stored: item, along: selectorPaths) {
            let key = StorageKey(call.resource.groupResource, namespace: slot.namespace, name: slot.name)
            deleted.append(versioned(item, for: call.resource))
            if options.dryRun { continue }
            do {
                _ = try await Self.delete(key, resource: call.resource, options: options, in: store)
            } catch  where error.code == 404 {
                continue
            }
        }
        var body = Array(
            "{\"apiVersion\":\"\(call.resource.apiVersion)\",\"kind\":\"\(call.resource.listKind)\",\"metadata\":{\"resourceVersion\":\"\(listVersion)\"},\"items\":["
                .utf8)
        for (index, item) in deleted.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: item)
        }
        body.append(contentsOf: "]}".utf8)
        return .object(200, body)
    }

    /// The `Status` a delete answers with for kinds that do not return the deleted object,
    /// as kube-apiserver's registry writes it (no `code`: the store leaves it unset).
    static func successStatus(resource: APIResource, name: String, uid: String?) -> [UInt8] {
        var details: JSONValue = ["name": .string(name), "kind": .string(resource.resource)]
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        if let uid { details["uid"] = .string(uid) }
        let status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
            "details": details,
        ]
        return StatusEncoding.encode(status)
    }

    /// The bare `Status` of a `create` on a subresource that stores nothing of its own
    /// (binding, eviction): kube-apiserver's create handler fills in the code, 201.
    static let createdStatus = StatusEncoding.encode([
        "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201,
    ])
}
